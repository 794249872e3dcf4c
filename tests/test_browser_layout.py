"""Every page on a phone, in headless Chromium: nothing wider than the screen, no text cut off, and
nothing that moves once drawn (layout shift 0), with the cookie banner on a first visit and after a
choice."""

from itertools import pairwise

import pytest

from local.app import LocalSite
from tests.policy_fixtures import build, write_fixture_policies
from tests.support import OVERFLOWING, POLICY_PAGES, SITE_PAGES, html_files, running_server

# Every page a visitor can open directly: the site's pages, the policy's, and the pages of the forms'
# journeys (thank-you pages and the pages of emailed links).
JOURNEY_PAGES = [
    "/newsletter/check-your-email/",
    "/newsletter/confirm/",
    "/newsletter/confirmed/",
    "/newsletter/renew/",
    "/newsletter/renewed/",
    "/newsletter/unsubscribe/",
    "/newsletter/unsubscribed/",
    "/your-data/see/",
    "/your-data/check-your-email/",
    "/your-data/delete/",
    "/your-data/see/confirm/",
    "/privacy/consent-wordings/",
    "/404.html",
]
ALL_PAGES = [*SITE_PAGES, *POLICY_PAGES, *JOURNEY_PAGES]


@pytest.fixture(scope="module")
def site_with_three_upcoming_versions(tmp_path_factory):
    content = tmp_path_factory.mktemp("content")
    write_fixture_policies(content)
    site = build(content, tmp_path_factory.mktemp("upcoming"), policy_date="2021-01-01", drafts=False)
    with running_server(LocalSite(site)) as base_url:
        yield base_url


@pytest.mark.parametrize("width", [375, 1280])
def test_the_upcoming_notice_gives_each_of_several_versions_its_own_line_that_fits(
    browser, site_with_three_upcoming_versions, width
):
    context = browser.new_context(viewport={"width": width, "height": 812})
    page = context.new_page()
    page.goto(site_with_three_upcoming_versions + "/privacy/")
    lines = page.locator(".policy-upcoming p")
    assert lines.count() == 4
    boxes = [lines.nth(number).bounding_box() for number in range(4)]
    assert all(above["y"] + above["height"] <= below["y"] for above, below in pairwise(boxes))
    assert lines.nth(1).inner_text() == "1 June 2021: read the new version / see what changes"
    assert page.evaluate(OVERFLOWING) == []
    context.close()


def test_every_page_of_the_build_is_in_the_list(built_site):
    built = {
        "/" + path.relative_to(built_site).as_posix().removesuffix("index.html")
        for path in html_files(built_site)
    }
    assert built == set(ALL_PAGES)


@pytest.mark.parametrize("width", [320, 375])
@pytest.mark.parametrize("url", ALL_PAGES)
def test_nothing_is_wider_than_a_phone_or_cut_off(browser, site_url, url, width):
    context = browser.new_context(viewport={"width": width, "height": 700})
    page = context.new_page()
    page.goto(site_url + url)
    page.wait_for_load_state("load")
    assert page.evaluate(OVERFLOWING) == []
    context.close()


SHIFTS = """() => new Promise(resolve => {
  const shifts = [];
  new PerformanceObserver(list => {
    for (const entry of list.getEntries()) shifts.push(entry.value);
  }).observe({type: "layout-shift", buffered: true});
  setTimeout(() => resolve(shifts), 500);
})"""


def layout_shift(page):
    """The sum of every layout shift so far (CLS counts only those without recent input; this counts all)."""
    return sum(page.evaluate(SHIFTS))


@pytest.mark.parametrize("url", [*SITE_PAGES, POLICY_PAGES[0]])
def test_a_first_visit_shows_the_banner_and_nothing_moves(browser, site_url, url):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(site_url + url)
    page.wait_for_load_state("load")
    assert page.get_by_role("region", name="Cookies on this website").is_visible()
    assert layout_shift(page) == 0
    context.close()


@pytest.mark.parametrize("choice", ["Accept analytics cookies", "Reject analytics cookies"])
def test_nothing_moves_after_a_choice_or_when_the_message_is_hidden(browser, site_url, choice):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    context.route(
        "https://www.googletagmanager.com/**",
        lambda route: route.fulfill(body="", content_type="text/javascript"),
    )
    page = context.new_page()
    page.goto(site_url + "/contact/")
    page.wait_for_load_state("load")
    page.get_by_role("button", name=choice).click()
    assert page.locator("#consent-status").is_visible()
    page.get_by_role("button", name="Hide this message").click()
    assert not page.locator("#cookie-banner").is_visible()
    assert layout_shift(page) == 0
    context.close()


def test_the_end_of_the_page_can_be_read_above_the_open_banner(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    page.goto(site_url + "/")
    page.wait_for_load_state("load")
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    footer = page.locator(".site-footer").bounding_box()
    banner = page.locator("#cookie-banner").bounding_box()
    assert footer["y"] + footer["height"] <= banner["y"] + 1
    context.close()


def test_the_header_keeps_one_height_on_every_page_on_a_phone(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    heights = {}
    for url in ALL_PAGES:
        page.goto(site_url + url)
        heights[url] = round(page.locator("header.site-header").bounding_box()["height"])
    context.close()
    assert len(set(heights.values())) == 1, heights


def test_the_cookie_banner_covers_at_most_a_quarter_of_a_phone_screen(browser, site_url):
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(site_url + "/")
    banner = page.locator("#cookie-banner")
    assert banner.is_visible()
    assert banner.bounding_box()["height"] <= 812 / 4
    page.get_by_role("button", name="Reject analytics cookies").click()
    assert banner.bounding_box()["height"] <= 812 / 4
    context.close()
