"""Every internal link and asset of the built site resolves; nothing loads from another origin."""

from urllib.parse import urljoin, urlsplit

import pytest
from lxml import html

from tests.support import html_files, url_of

SITE_ORIGIN = "http://site.test"
LOADED_ATTRIBUTES = {"script": "src", "img": "src", "source": "src", "iframe": "src"}


def internal_target_exists(output_dir, path):
    target = output_dir / path.lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    return target.is_file()


def references(output_dir):
    for page in html_files(output_dir):
        page_url = SITE_ORIGIN + url_of(output_dir, page)
        tree = html.parse(str(page)).getroot()
        for element in tree.iter():
            for attribute in ("href", "src"):
                value = element.get(attribute)
                if value is not None:
                    yield page, element, urljoin(page_url, value)


def test_every_internal_link_and_asset_resolves(built_site):
    broken = []
    for page, element, url in references(built_site):
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != SITE_ORIGIN:
            continue
        if not internal_target_exists(built_site, parts.path):
            broken.append(f"{page.relative_to(built_site)}: {element.tag} -> {parts.path}")
    assert broken == []


def test_every_fragment_link_points_at_an_element(built_site):
    missing = []
    for page in html_files(built_site):
        tree = html.parse(str(page)).getroot()
        ids = {element.get("id") for element in tree.iter() if element.get("id")}
        for link in tree.iterfind(".//a[@href]"):
            href = link.get("href")
            if href.startswith("#") and href[1:] not in ids:
                missing.append(f"{page.relative_to(built_site)}: {href}")
    assert missing == []


def test_no_stylesheet_script_font_or_image_from_another_origin(built_site):
    foreign = []
    for page, element, url in references(built_site):
        loads_resource = (element.tag == "link" and element.get("rel") != "canonical") or (
            LOADED_ATTRIBUTES.get(element.tag) == "src"
        )
        if loads_resource and not url.startswith(SITE_ORIGIN + "/"):
            foreign.append(f"{page.relative_to(built_site)}: {element.tag} {url}")
    assert foreign == []


@pytest.mark.parametrize("kind", ["inline script", "style attribute", "style element", "on* handler"])
def test_no_inline_script_or_style_anywhere(built_site, kind):
    found = []
    for page in html_files(built_site):
        tree = html.parse(str(page)).getroot()
        for element in tree.iter():
            if not isinstance(element.tag, str):
                continue
            hit = {
                "inline script": element.tag == "script"
                and (element.get("src") is None or (element.text or "").strip()),
                "style attribute": element.get("style") is not None,
                "style element": element.tag == "style",
                "on* handler": any(name.startswith("on") for name in element.attrib),
            }[kind]
            if hit:
                found.append(f"{page.relative_to(built_site)}: <{element.tag}>")
    assert found == []
