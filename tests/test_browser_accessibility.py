"""axe-core finds no accessibility violations on any page, with the cookie banner open or closed."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.support import POLICY_PAGES, SITE_PAGES

axe = Axe()


def violations(page):
    results = axe.run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("url", [*SITE_PAGES, *POLICY_PAGES])
def test_page_has_no_axe_violations_with_the_banner_open(context, site_url, url):
    page = context.new_page()
    page.goto(site_url + url)
    assert page.locator("#cookie-banner").is_visible()
    assert violations(page) == []


@pytest.mark.parametrize("url", [*SITE_PAGES, *POLICY_PAGES])
def test_page_has_no_axe_violations_after_a_choice(context, site_url, url):
    page = context.new_page()
    page.goto(site_url + url)
    page.get_by_role("button", name="Reject analytics cookies").click()
    assert violations(page) == []


def test_changes_page_has_no_axe_violations_with_unchanged_text_expanded(context, site_url):
    page = context.new_page()
    page.goto(site_url + "/privacy/changes/2027-01-01/")
    page.get_by_role("button", name="Reject analytics cookies").click()
    for summary in page.locator("details summary").all():
        summary.click()
    assert violations(page) == []
