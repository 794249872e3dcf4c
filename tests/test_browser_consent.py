"""Cookie consent in headless Chromium: nothing leaves 127.0.0.1 until the visitor accepts."""

import datetime
import json
from urllib.parse import urlsplit

import pytest

from jtec_forms.routes import ROUTES
from jtec_forms.site_facts import ASK_AGAIN_AFTER_MONTHS, COOKIE_BANNER
from tests.support import POLICY_PAGES, SITE_PAGES, TEST_MEASUREMENT_ID

ANALYTICS_HOST = "www.googletagmanager.com"


class OutsideRequests:
    """Routes every request: loopback goes through; the analytics script gets a stub; the rest fails."""

    def __init__(self, context):
        self.urls = []
        context.route("**/*", self.handle)

    def handle(self, route):
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
            return
        self.urls.append(url)
        if urlsplit(url).hostname == ANALYTICS_HOST:
            route.fulfill(status=200, content_type="text/javascript", body="/* analytics stub */")
        else:
            route.abort()

    def analytics(self):
        return [url for url in self.urls if urlsplit(url).hostname == ANALYTICS_HOST]


@pytest.fixture
def outside(context):
    return OutsideRequests(context)


def chose(context, choice, days_ago=0, wording=COOKIE_BANNER["id"]):
    """Every page of `context` starts with this choice remembered, as the consent script records it."""
    at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days_ago)
    record = json.dumps({"choice": choice, "at": at.isoformat(), "wording": wording})
    context.add_init_script(f"localStorage.setItem('jtec_cookie_consent', {json.dumps(record)})")


def visit_every_page(page, site_url):
    for url in SITE_PAGES:
        page.goto(site_url + url)
        page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("url", [*SITE_PAGES, *POLICY_PAGES])
def test_page_has_no_console_errors(context, site_url, outside, url):
    errors = []
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(site_url + url)
    page.wait_for_load_state("networkidle")
    assert errors == []


def test_banner_appears_when_no_choice_has_been_made(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    assert page.get_by_role("region", name="Cookies on this website").is_visible()


def test_no_request_leaves_loopback_before_a_choice(context, site_url, outside):
    visit_every_page(context.new_page(), site_url)
    assert outside.urls == []


def test_no_request_leaves_loopback_after_rejecting(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    page.get_by_role("button", name="Reject analytics cookies").click()
    visit_every_page(page, site_url)
    assert outside.urls == []
    assert not page.locator("#cookie-banner").is_visible()


def test_accepting_loads_the_analytics_script_and_remembers(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    page.get_by_role("button", name="Accept analytics cookies").click()
    page.wait_for_load_state("networkidle")
    assert outside.analytics() == [f"https://{ANALYTICS_HOST}/gtag/js?id={TEST_MEASUREMENT_ID}"]
    page.goto(site_url + "/services/")
    page.wait_for_load_state("networkidle")
    assert len(outside.analytics()) == 2
    assert not page.locator("#cookie-banner").is_visible()


def test_consent_mode_defaults_are_denied(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    defaults = page.evaluate(
        "Array.from(window.dataLayer).find(e => e[0] === 'consent' && e[1] === 'default')[2]"
    )
    assert defaults == {
        "ad_storage": "denied",
        "ad_user_data": "denied",
        "ad_personalization": "denied",
        "analytics_storage": "denied",
    }


def test_withdrawing_consent_deletes_ga_cookies_and_stops_analytics(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    page.get_by_role("button", name="Accept analytics cookies").click()
    context.add_cookies(
        [
            {"name": "_ga", "value": "GA1.1.1", "url": site_url},
            {"name": "_ga_TEST12345", "value": "GS1.1", "url": site_url},
        ]
    )
    page.goto(site_url + "/contact/")
    page.get_by_role("link", name="Cookie settings").click()
    page.get_by_role("button", name="Reject analytics cookies").click()
    assert [c["name"] for c in context.cookies() if c["name"].startswith("_ga")] == []
    requested_before = len(outside.analytics())
    visit_every_page(page, site_url)
    assert len(outside.analytics()) == requested_before


def test_cookie_settings_reopens_the_banner_on_every_page(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    page.get_by_role("button", name="Reject analytics cookies").click()
    for url in SITE_PAGES:
        page.goto(site_url + url)
        assert not page.locator("#cookie-banner").is_visible()
        page.get_by_role("link", name="Cookie settings").click()
        assert page.locator("#cookie-banner").is_visible()
        assert page.evaluate("document.activeElement.id") == "cookie-banner-title"


def test_cookies_page_button_changes_consent(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/cookies/")
    page.get_by_role("button", name="Reject analytics cookies").click()
    page.get_by_role("button", name="Change cookie settings").click()
    assert page.locator("#cookie-banner").is_visible()


def test_banner_works_from_the_keyboard_and_announces_the_choice(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Accept analytics cookies"
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    status = page.get_by_role("status")
    assert "You have rejected analytics cookies" in status.text_content()
    assert page.evaluate("document.activeElement.id") == "consent-status"


def test_with_javascript_off_no_banner_and_nothing_loads(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    outside = OutsideRequests(context)
    page = context.new_page()
    for url in SITE_PAGES:
        page.goto(site_url + url)
        assert not page.locator("#cookie-banner").is_visible()
    assert outside.urls == []
    context.close()


def test_a_policy_prints_without_navigation_banner_or_footer_links(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/privacy/")
    page.emulate_media(media="print")
    assert page.locator("h1").is_visible()
    for hidden in ["#cookie-banner", ".site-header nav", ".site-footer nav", ".skip-link", ".version-links"]:
        assert not page.locator(hidden).is_visible(), hidden


@pytest.mark.parametrize(
    "url", sorted({route.form_page for route in ROUTES if route.form in ("token", "access_confirm")})
)
def test_a_page_opened_from_an_emailed_link_never_sends_its_token_anywhere(context, site_url, outside, url):
    chose(context, "accepted")
    page = context.new_page()
    page.goto(f"{site_url}{url}?token=SECRET-TOKEN-123")
    page.wait_for_load_state("networkidle")
    assert outside.analytics() == []
    assert not [requested for requested in outside.urls if "SECRET-TOKEN-123" in requested]
    assert "SECRET-TOKEN-123" not in page.url
    assert page.locator("input[name='token']").input_value() == "SECRET-TOKEN-123"


def test_analytics_still_load_on_other_pages_once_accepted(context, site_url, outside):
    chose(context, "accepted")
    page = context.new_page()
    page.goto(site_url + "/newsletter/")
    page.wait_for_load_state("networkidle")
    assert outside.analytics() != []


def test_the_cookies_page_shows_the_current_choice_beside_the_button(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/cookies/")
    current = page.locator("[data-consent-current]")
    assert "not chosen yet" in current.text_content()
    page.get_by_role("button", name="Reject analytics cookies").click()
    assert current.text_content() == "You have rejected analytics cookies."
    page.get_by_role("button", name="Change cookie settings").click()
    page.get_by_role("button", name="Accept analytics cookies").click()
    assert current.text_content() == "You have accepted analytics cookies."


def test_a_choice_is_remembered_with_when_it_was_made_and_the_words_it_answered(context, site_url, outside):
    page = context.new_page()
    page.goto(site_url + "/")
    page.get_by_role("button", name="Accept analytics cookies").click()
    record = json.loads(page.evaluate("localStorage.getItem('jtec_cookie_consent')"))
    assert (record["choice"], record["wording"]) == ("accepted", COOKIE_BANNER["id"])
    made = datetime.datetime.fromisoformat(record["at"].replace("Z", "+00:00"))
    assert abs(datetime.datetime.now(datetime.UTC) - made) < datetime.timedelta(minutes=1)


def test_a_gtag_config_turns_off_google_signals_and_ad_personalisation(context, site_url, outside):
    chose(context, "accepted")
    page = context.new_page()
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    config = page.evaluate("Array.from(window.dataLayer).find(e => e[0] === 'config')[2]")
    assert config == {"allow_google_signals": False, "allow_ad_personalization_signals": False}


@pytest.mark.parametrize(
    "days_ago,wording",
    [(ASK_AGAIN_AFTER_MONTHS * 31 + 1, COOKIE_BANNER["id"]), (1, "analytics-banner-words-before")],
    ids=["older than twelve months", "other banner words"],
)
def test_a_stale_acceptance_is_asked_again_and_loads_nothing_until_answered(
    context, site_url, outside, days_ago, wording
):
    chose(context, "accepted", days_ago=days_ago, wording=wording)
    page = context.new_page()
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("region", name="Cookies on this website").is_visible()
    assert outside.analytics() == []
    page.get_by_role("button", name="Accept analytics cookies").click()
    page.wait_for_load_state("networkidle")
    assert len(outside.analytics()) == 1


@pytest.mark.parametrize("choice", ["accepted", "rejected"])
def test_a_choice_under_the_current_words_within_twelve_months_is_not_asked_again(
    context, site_url, outside, choice
):
    chose(context, choice, days_ago=ASK_AGAIN_AFTER_MONTHS * 28)
    page = context.new_page()
    page.goto(site_url + "/")
    page.wait_for_load_state("networkidle")
    assert not page.locator("#cookie-banner").is_visible()
    assert bool(outside.analytics()) == (choice == "accepted")


@pytest.mark.parametrize("url", ["/privacy/feed.xml", "/news/feed.xml"])
def test_an_atom_feed_opens_in_the_browser_as_a_readable_page(context, site_url, outside, url):
    errors = []
    page = context.new_page()
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(site_url + url)
    page.wait_for_load_state("networkidle")
    style = page.evaluate(
        "() => { const feed = document.documentElement; const style = getComputedStyle(feed);"
        " return [style.display, getComputedStyle(feed, '::before').content,"
        " getComputedStyle(document.querySelector('feed > id')).display]; }"
    )
    assert style[0] == "block" and "This is a news feed" in style[1] and style[2] == "none"
    assert errors == [] and outside.urls == []
