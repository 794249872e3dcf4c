"""The site builds with the real Pelican and every page of the foundation exists."""

import pytest
from lxml import html

from tests.support import SITE_PAGES


def page_tree(built_site, url):
    return html.parse(str(built_site / url.lstrip("/") / "index.html")).getroot()


@pytest.mark.parametrize("url,heading", SITE_PAGES.items())
def test_every_page_exists_with_its_heading(built_site, url, heading):
    tree = page_tree(built_site, url)
    assert tree.findtext(".//h1").strip() == heading


@pytest.mark.parametrize("url", SITE_PAGES)
def test_every_page_has_header_footer_and_landmarks(built_site, url):
    tree = page_tree(built_site, url)
    footer = tree.find(".//footer").text_content()
    assert "1st Floor, 21-23 Carnmoney Road, Newtownabbey, Co Antrim, BT36 6HL" in footer
    assert "028 9099 2544" in footer
    assert "Cookie settings" in footer
    footer_links = {a.get("href") for a in tree.iterfind(".//footer//a")}
    assert {"/privacy/", "/cookies/", "/your-data/"} <= footer_links
    assert tree.find(".//header").text_content().strip().startswith("JTec IT Solutions")
    assert tree.find(".//main[@id='main']") is not None
    assert tree.find(".//a[@class='skip-link']").get("href") == "#main"


def test_home_page_says_who_jtec_are(built_site):
    text = page_tree(built_site, "/").text_content()
    assert "IT support, service and maintenance" in text


def test_your_data_page_states_the_rights_in_the_seed_policy(built_site):
    text = " ".join(page_tree(built_site, "/your-data/").text_content().split())
    assert "proof of your identity" in text
    assert "we will correct it" in text
    assert "deleted from our systems" in text


def test_privacy_page_carries_the_seed_policy_text(built_site):
    text = " ".join(page_tree(built_site, "/privacy/").text_content().split())
    assert "automatically delete your personal details after 12 months" in text
    assert "My Right to Be Forgotten" in text


def test_unknown_page_has_a_not_found_page(built_site):
    tree = html.parse(str(built_site / "404.html")).getroot()
    assert tree.findtext(".//h1") == "Page not found"


def test_banner_is_hidden_until_javascript_shows_it(built_site):
    banner = page_tree(built_site, "/").get_element_by_id("cookie-banner")
    assert banner.get("hidden") is not None


def test_the_cookies_page_lists_exactly_the_cookies_the_consent_script_deletes(built_site):
    cookies_page = page_tree(built_site, "/cookies/")
    listed = [
        cell.text_content() for cell in cookies_page.iterfind(".//table[@class='cookies']/tbody/tr/td[1]")
    ]
    script = cookies_page.find(".//script[@data-cookies]")
    assert listed == script.get("data-cookies").split()
    assert listed[0] == "_ga"
