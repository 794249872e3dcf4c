"""News: each newsletter issue is a Markdown file under content/news/, published at a permanent address,
listed newest first at /news/ and in its Atom feed, reachable from every page; the repository ships no
issue JTec did not write, and an editor's mistake in an issue's header stops the build naming it."""

import shutil

import pytest
from lxml import etree, html

from project import PROJECT_DIR
from project.site import BuildFailed, build_site
from tests.support import html_files, running_server

pytestmark = pytest.mark.build

ATOM = "{http://www.w3.org/2005/Atom}"
WINTER = """Title: Winter opening hours
Date: 2026-12-01
Description: Our opening hours over Christmas and the New Year.

We close at **noon** on 24 December. See [our services](/services/).
"""
SPRING = """Title: A new backup service
Date: 2027-03-02
Description: Nightly backups for small offices, kept in the UK.

Every night, encrypted, in London.
"""
DRAFT = """Title: Not yet
Date: 2027-04-01
Description: Still being written.
Status: draft

Half a thought.
"""


def content_with(tmp_path, issues):
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    for name, text in issues.items():
        (content / "news" / name).write_text(text, encoding="utf-8")
    return content


ISSUES = {"winter-hours.md": WINTER, "backups.md": SPRING, "not-yet.md": DRAFT}


@pytest.fixture(scope="module")
def news_site(tmp_path_factory):
    """The site as `make serve` builds it, with two issues and a draft."""
    tmp_path = tmp_path_factory.mktemp("news")
    build_site(tmp_path / "output", content_dir=content_with(tmp_path, ISSUES))
    return tmp_path / "output"


@pytest.fixture(scope="module")
def published_news(tmp_path_factory):
    """The same, as `make publish` builds it for https://www.example.co.uk."""
    tmp_path = tmp_path_factory.mktemp("published-news")
    build_site(
        tmp_path / "output",
        content_dir=content_with(tmp_path, ISSUES),
        settings_file=PROJECT_DIR / "publishconf.py",
        env={"SITEURL": "https://www.example.co.uk"},
    )
    return tmp_path / "output"


def page(output, url):
    return html.parse(str(output / url.strip("/") / "index.html")).getroot()


def words(element):
    return " ".join(element.text_content().split())


def test_the_repository_ships_no_news_issue_and_the_news_page_says_so(built_site):
    assert [path.name for path in (PROJECT_DIR / "content" / "news").iterdir()] == [".gitkeep"]
    main = page(built_site, "/news/").find(".//main")
    assert "No news yet: we have not sent a newsletter." in words(main)
    assert main.findall(".//ol") == []


def test_every_issue_is_listed_newest_first_with_its_date_and_description(news_site):
    main = page(news_site, "/news/").find(".//main")
    listed = [(words(item.find(".//h2")), item.find(".//a").get("href")) for item in main.findall(".//li")]
    assert listed == [
        ("A new backup service", "/news/backups/"),
        ("Winter opening hours", "/news/winter-hours/"),
    ]
    assert "1 December 2026" in words(main) and "Our opening hours over Christmas and the New Year." in words(
        main
    )


def test_an_issue_has_a_permanent_address_named_after_its_file_with_its_text_and_description(news_site):
    issue = page(news_site, "/news/winter-hours/")
    assert words(issue.find(".//h1")) == "Winter opening hours"
    assert "We close at noon on 24 December." in words(issue.find(".//main"))
    assert issue.xpath("//meta[@name='description']/@content") == [
        "Our opening hours over Christmas and the New Year."
    ]
    assert issue.xpath("//time/@datetime") == ["2026-12-01"]


def test_a_draft_issue_is_previewed_locally_and_never_published(news_site, published_news):
    assert words(page(news_site, "/news/drafts/not-yet/").find(".//h1")) == "Not yet"
    assert "Not yet" not in (news_site / "news" / "index.html").read_text()
    assert not (published_news / "news" / "not-yet").exists()
    assert not list(published_news.glob("news/drafts/**/*.html"))


def test_the_atom_feed_has_every_published_issue_with_its_permanent_address(published_news):
    feed = etree.parse(str(published_news / "news" / "feed.xml")).getroot()
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.iter(f"{ATOM}entry")]
    assert links == [
        "https://www.example.co.uk/news/backups/",
        "https://www.example.co.uk/news/winter-hours/",
    ]
    assert page(published_news, "/news/").xpath("//link[@rel='alternate']/@href") == [
        "https://www.example.co.uk/news/feed.xml"
    ]


def test_news_is_reachable_from_every_page(published_news):
    for path in html_files(published_news):
        document = html.parse(str(path)).getroot()
        assert "https://www.example.co.uk/news/" in document.xpath("//header//a/@href"), path


@pytest.mark.parametrize(
    "header,reason",
    [
        (
            "Title: Typo\nDate: 2026-13-01\nDescription: A date that is no day.",
            "has the Date '2026-13-01': write the day",
        ),
        ("Title: Typo\nDate: 1/12/2026\nDescription: A date in another form.", "has the Date '1/12/2026'"),
        ("Title: Typo\nDescription: No date at all.", "has no Date"),
        ("Title: Typo\nDate: 2026-12-01", "has no Description"),
        ("Date: 2026-12-01\nDescription: No title.", "has no Title"),
    ],
    ids=["no such day", "another form", "no date", "no description", "no title"],
)
def test_a_mistake_in_an_issues_header_stops_the_build_naming_the_file_and_the_fix(tmp_path, header, reason):
    content = content_with(tmp_path, {"typo.md": header + "\n\nBody.\n"})
    with pytest.raises(BuildFailed) as failure:
        build_site(tmp_path / "output", content_dir=content)
    assert f"News error: content/news/typo.md: {reason}" in str(failure.value)


@pytest.mark.browser
def test_the_news_page_and_an_issue_fit_a_phone_and_lead_to_each_other(browser, news_site):
    from local.app import LocalSite

    with running_server(LocalSite(news_site)) as base_url:
        context = browser.new_context(viewport={"width": 320, "height": 700})
        phone = context.new_page()
        phone.goto(base_url + "/news/")
        phone.get_by_role("link", name="Winter opening hours").click()
        phone.wait_for_url("**/news/winter-hours/")
        assert phone.get_by_role("heading", level=1).inner_text() == "Winter opening hours"
        assert phone.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        context.close()
