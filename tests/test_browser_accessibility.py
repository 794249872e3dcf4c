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


def test_the_retention_tables_rows_are_named_by_their_row_headers(context, site_url):
    """The schedule's rows carry no scope="row" (bytes the privacy page cannot spare): the browser still
    takes each row's first cell as its header."""
    from jtec_forms import retention

    page = context.new_page()
    page.goto(site_url + "/privacy/")
    table = page.locator("table.retention")
    assert table.get_by_role("rowheader").all_inner_texts() == [entry.what for entry in retention.SCHEDULE]
    assert table.get_by_role("columnheader").all_inner_texts() == ["What", "Why we keep it", "How long"]
