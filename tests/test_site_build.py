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
        cell.text_content()
        for cell in cookies_page.iterfind(".//table[@class='cookies stack']/tbody/tr/th[1]")
    ]
    script = cookies_page.find(".//script[@data-cookies]")
    assert listed == script.get("data-cookies").split()
    assert listed[0] == "_ga"


def test_every_html_page_of_the_build_has_its_own_description_for_search_results(built_site):
    from tests.support import html_files

    seen = {}
    for path in html_files(built_site):
        [meta] = html.parse(str(path)).getroot().xpath("//head/meta[@name='description']")
        description = meta.get("content").strip()
        assert 40 <= len(description) <= 160, (path, description)
        seen.setdefault(description, []).append(path.relative_to(built_site).as_posix())
    versions = [paths for paths in seen.values() if len(paths) > 1]
    # Only a policy page and its permanent address may share one (they are the same text).
    assert all(
        len(paths) == 2 and any(path.startswith("privacy/versions/") for path in paths) for paths in versions
    ), versions


def test_the_build_fails_naming_a_page_that_has_no_description(tmp_path):
    import shutil

    from project import PROJECT_DIR
    from project.site import BuildFailed, build_site

    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    services = content / "pages" / "services.md"
    services.write_text(
        "\n".join(line for line in services.read_text().split("\n") if not line.startswith("Description:"))
    )
    with pytest.raises(BuildFailed) as failure:
        build_site(tmp_path / "output", content_dir=content)
    assert "Page error: pages/services.md: has no Description: add a line 'Description: ...'" in str(
        failure.value
    )


@pytest.mark.parametrize("url", ["/", "/services/"])
def test_home_and_services_offer_a_way_to_get_in_touch_before_anything_else(built_site, url):
    from jtec_forms.site_facts import COMPANY

    hero = page_tree(built_site, url).find_class("hero")[0]
    links = {a.text_content(): a.get("href") for a in hero.iterfind(".//a")}
    assert links == {"Get in touch": "/contact/", f"Call {COMPANY['telephone']}": COMPANY["telephone_uri"]}


def test_the_build_drops_indentation_but_keeps_what_pre_and_textarea_hold():
    from plugins.compact_html import compact

    page = "<div>\n    <p>Text</p>\n  <pre>\n  kept\n    as is</pre>\n   <textarea name=m>\n  typed</textarea>\n  </div>"
    assert (
        compact(page)
        == "<div>\n<p>Text</p>\n<pre>\n  kept\n    as is</pre>\n<textarea name=m>\n  typed</textarea>\n</div>"
    )


def test_the_build_drops_a_line_break_after_a_block_but_never_between_words_or_links():
    from plugins.compact_html import compact

    page = "<ul>\n<li><a href=/a>A</a>\n<a href=/b>B</a></li>\n<li>C</li>\n</ul>\n<p>One\ntwo</p>\n<span>x</span>"
    assert (
        compact(page)
        == "<ul>\n<li><a href=/a>A</a>\n<a href=/b>B</a></li><li>C</li></ul><p>One\ntwo</p><span>x</span>"
    )


def _site_files(folder):
    """Every file of a build and its bytes, but the feeds' build time."""
    import re

    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            files[str(path.relative_to(folder))] = re.sub(
                rb"<updated>[^<]*</updated>", b"", path.read_bytes()
            )
    return files


def test_a_build_forked_from_the_warm_process_writes_the_same_site_as_a_new_process(tmp_path, monkeypatch):
    from project import site

    warm = site.build_site(tmp_path / "warm")
    monkeypatch.setattr(site, "_keep_warm", False)
    cold = site.build_site(tmp_path / "cold")
    assert _site_files(tmp_path / "warm") == _site_files(tmp_path / "cold")
    assert warm.stderr == cold.stderr
    assert warm.stdout.split(" in ")[0] == cold.stdout.split(" in ")[0]  # but the seconds it took


def test_an_edited_plugin_is_in_the_next_warm_build(tmp_path):
    from project import PROJECT_DIR
    from project.site import build_site

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    plugin = plugins / "marker.py"
    settings_file = tmp_path / "settings.py"
    settings_file.write_text(
        f"from pelicanconf import *\nPLUGIN_PATHS = [{str(PROJECT_DIR / 'plugins')!r}, {str(plugins)!r}]\n"
        "PLUGINS = PLUGINS + ['marker']\n"
    )
    for edition in ("first", "second"):
        plugin.write_text(
            "from pathlib import Path\nfrom pelican import signals\n\n"
            "def mark(pelican):\n"
            f"    Path(pelican.output_path, 'marker.txt').write_text({edition!r})\n\n"
            "def register():\n"
            "    signals.finalized.connect(mark)\n"
        )
        build_site(tmp_path / "output", settings_file=settings_file)
        assert (tmp_path / "output" / "marker.txt").read_text() == edition


def _settings_with_template(tmp_path, template, *lines):
    """A settings file that also renders `marker.html` from `template`, with extra settings `lines`."""
    from project import PROJECT_DIR

    templates = tmp_path / "templates"
    templates.mkdir(exist_ok=True)
    (templates / "marker.html").write_text(template)
    settings_file = tmp_path / "settings.py"
    settings_file.write_text(
        "from pelicanconf import *\n"
        f"PLUGIN_PATHS = [{str(PROJECT_DIR / 'plugins')!r}]\n"
        f"THEME_TEMPLATES_OVERRIDES = [*THEME_TEMPLATES_OVERRIDES, {str(templates)!r}]\n"
        "DIRECT_TEMPLATES = [*DIRECT_TEMPLATES, 'marker']\n" + "".join(line + "\n" for line in lines)
    )
    return settings_file


def test_an_edited_template_is_in_the_next_warm_build(tmp_path):
    """Warm builds keep the templates they compile (Jinja's bytecode cache); an edit compiles it again."""
    from project.site import build_site

    for edition in ("first", "second"):
        settings_file = _settings_with_template(tmp_path, f"{edition} {{{{ 1 + 1 }}}}")
        build_site(tmp_path / edition, settings_file=settings_file)
        assert (tmp_path / edition / "marker.html").read_text().strip() == f"{edition} 2"


def test_a_template_is_compiled_again_for_other_jinja_settings(tmp_path):
    """The same source compiles to different code when the environment's options differ (here, whether a
    block tag eats the line break after it)."""
    from project.site import build_site

    template = "a\n{% if true %}\nb{% endif %}"
    for trim in (False, True):
        settings_file = _settings_with_template(
            tmp_path, template, f"JINJA_ENVIRONMENT = {{'trim_blocks': {trim}, 'lstrip_blocks': True}}"
        )
        build_site(tmp_path / str(trim), settings_file=settings_file)
        assert (tmp_path / str(trim) / "marker.html").read_text() == ("a\nb" if trim else "a\n\nb")


def test_a_warm_build_starts_with_the_libraries_earlier_builds_imported_but_never_the_projects_code(tmp_path):
    """The warm process imports, after each build, the library modules that build imported (here the
    Markdown extensions the settings name, imported as content is first read); a module of the project's
    own (here a plugin) is imported afresh by every build."""
    import json
    import os

    from project import PROJECT_DIR, site

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "probe.py").write_text(
        "import json, os, sys\nfrom pathlib import Path\nfrom pelican import signals\n\n"
        "IMPORTED_BY = os.getpid()\n\n"
        "def probe(pelican):\n"
        f"    with open({str(tmp_path / 'probes')!r}, 'a') as probes:\n"
        "        probes.write(json.dumps({\n"
        "            'library': 'markdown.extensions.extra' in sys.modules,\n"
        "            'plugin_imported_by_this_build': IMPORTED_BY == os.getpid()}) + '\\n')\n\n"
        "def register():\n"
        "    signals.initialized.connect(probe)\n"
    )
    settings_file = tmp_path / "settings.py"
    settings_file.write_text(
        f"from pelicanconf import *\nPLUGIN_PATHS = [{str(PROJECT_DIR / 'plugins')!r}, {str(plugins)!r}]\n"
        "PLUGINS = PLUGINS + ['probe']\n"
    )
    builder = site._WarmBuilder()  # a warm process of its own, which no build has run in yet
    try:
        for build in ("first", "second"):
            arguments = [str(PROJECT_DIR / "content"), "-o", str(tmp_path / build), "-s", str(settings_file)]
            assert builder.run(arguments, dict(os.environ)).returncode == 0
    finally:
        builder.process.stdin.close()
        builder.process.wait()
    seen = [json.loads(line) for line in (tmp_path / "probes").read_text().splitlines()]
    assert seen == [
        {"library": False, "plugin_imported_by_this_build": True},
        {"library": True, "plugin_imported_by_this_build": True},
    ]
