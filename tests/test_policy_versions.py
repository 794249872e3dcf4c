"""Versioned policies built with the real Pelican from fixture policies in a temp content dir."""

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from lxml import html

from project import PROJECT_DIR
from project.site import BuildFailed, build_site
from tests.policy_fixtures import (
    DRAFT_PRIVACY_ID,
    PRIVACY_VERSIONS,
    PUBLISHED_PRIVACY_IDS,
    build,
    write_fixture_policies,
    write_policy,
)

pytestmark = pytest.mark.build

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    content_dir = tmp_path_factory.mktemp("content")
    write_fixture_policies(content_dir)
    return content_dir


@pytest.fixture(scope="module")
def site(content, tmp_path_factory):
    return build(content, tmp_path_factory.mktemp("site"))


@pytest.fixture(scope="module")
def production_site(content, tmp_path_factory):
    return build(content, tmp_path_factory.mktemp("production"), drafts=False)


def page(site, url):
    return html.parse(str(site / url.strip("/") / "index.html")).getroot()


def text(element):
    return " ".join(element.text_content().split())


def marked_words(element, tag):
    """The words inside every <ins> or <del>, without the visually hidden labels."""
    words = []
    for marked in element.iterfind(f".//{tag}"):
        for label in marked.find_class("visually-hidden"):
            label.drop_tree()
        words += marked.text_content().split()
    return words


def test_every_url_of_every_policy_exists(site):
    for version_id in PUBLISHED_PRIVACY_IDS + [DRAFT_PRIVACY_ID]:
        assert (site / "privacy/versions" / version_id / "index.html").is_file()
    for version_id in PUBLISHED_PRIVACY_IDS[1:] + [DRAFT_PRIVACY_ID]:
        assert (site / "privacy/changes" / version_id / "index.html").is_file()
    for path in ["privacy/index.html", "privacy/versions/index.html", "privacy/feed.xml"]:
        assert (site / path).is_file()
    assert (site / "privacy/versions.json").is_file()
    assert (site / "cookies/index.html").is_file()
    assert (site / "cookies/versions/2019-03-01/index.html").is_file()


def test_first_version_has_no_changes_page(site):
    assert not (site / "privacy/changes/2020-01-01").exists()


@pytest.mark.parametrize(
    "policy_date,in_force",
    [
        ("2020-01-01", "2020-01-01"),
        ("2021-05-31", "2020-01-01"),
        ("2021-06-01", "2021-06-01"),
        ("2024-05-01", "2022-03-15"),
        ("2029-12-31", "2022-03-15"),
        ("2030-01-01", "2030-01-01"),
    ],
)
def test_the_version_in_force_on_the_build_date_is_current(content, tmp_path, policy_date, in_force):
    site = build(content, tmp_path, policy_date=policy_date, drafts=False)
    current = page(site, "/privacy/")
    assert current.find(".//link[@rel='canonical']").get("href") == "/privacy/"
    source = PRIVACY_VERSIONS[in_force].format(filler="")
    assert text(current.find(".//article")).count(source.split("## Enquiries")[1].split(".")[0].strip()) == 1
    history = page(site, "/privacy/versions/")
    in_force_row = [text(row) for row in history.iterfind(".//tbody/tr") if "(in force)" in text(row)]
    assert len(in_force_row) == 1 and in_force_row[0].startswith(in_force)


def test_current_page_announces_the_upcoming_version(site):
    notice = text(page(site, "/privacy/"))
    assert (
        "This policy changes on each of these dates: 1 January 2030: read the new version / see what"
        in notice
    )
    first_notice = page(site, "/privacy/").find_class("policy-upcoming")[0]
    links = {a.text_content(): a.get("href") for a in first_notice.findall(".//a")[:2]}
    assert links == {
        "read the new version": "/privacy/versions/2030-01-01/",
        "see what changes": "/privacy/changes/2030-01-01/",
    }


def test_one_upcoming_version_is_announced_in_one_line(production_site):
    [notice] = page(production_site, "/privacy/").find_class("policy-upcoming")
    assert text(notice) == "This policy changes on 1 January 2030: read the new version / see what changes"


def test_no_upcoming_notice_once_the_last_version_is_in_force(content, tmp_path):
    site = build(content, tmp_path, policy_date="2030-06-01", drafts=False)
    assert "This policy changes on" not in text(page(site, "/privacy/"))


def test_version_pages_state_their_dates(site):
    assert "Effective from 1 January 2020 (until 31 May 2021)." in text(
        page(site, "/privacy/versions/2020-01-01/")
    )
    assert "Effective from 15 March 2022 (until 31 December 2029)." in text(
        page(site, "/privacy/versions/2022-03-15/")
    )
    assert "Upcoming: takes effect on 1 January 2030." in text(page(site, "/privacy/versions/2030-01-01/"))


def test_superseded_versions_say_so_at_the_top(site):
    article = page(site, "/privacy/versions/2021-06-01/").find(".//article")
    assert text(article).startswith("This version has been replaced. It applied until 14 March 2022.")
    assert "This version has been replaced" not in text(page(site, "/privacy/versions/2022-03-15/"))


def test_version_pages_link_to_neighbours_current_and_changes(site):
    version = page(site, "/privacy/versions/2021-06-01/")
    hrefs = {a.get("href") for a in version.iterfind(".//nav[@aria-label='Other versions']//a")}
    assert hrefs == {
        "/privacy/versions/2020-01-01/",
        "/privacy/versions/2022-03-15/",
        "/privacy/",
        "/privacy/changes/2021-06-01/",
        "/privacy/versions/",
        "/privacy/feed.xml",
    }
    assert version.find(".//link[@rel='canonical']").get("href") == "/privacy/versions/2021-06-01/"


def test_changes_page_marks_exactly_the_words_that_changed(site):
    diff = page(site, "/privacy/changes/2021-06-01/").find_class("diff")[0]
    assert marked_words(diff, "ins") == ["six", "analytics"]
    assert marked_words(diff, "del") == ["12"]
    enquiries = [p for p in diff.iterfind(".//p") if "enquiries" in p.text_content()][0]
    for unchanged in ["We", "keep", "enquiries", "for", "months.", "use", "cookies", "count", "visitors."]:
        assert unchanged in enquiries.text.split() or any(
            unchanged in (child.tail or "").split() for child in enquiries
        )


def test_changes_are_labelled_for_reading_without_colour(site):
    diff = page(site, "/privacy/changes/2021-06-01/").find_class("diff")[0]
    for tag, label in [("ins", "added:"), ("del", "removed:")]:
        for marked in diff.iterfind(f".//{tag}"):
            hidden = marked.find_class("visually-hidden")
            assert [text(span) for span in hidden] == [label]


def test_changes_page_counts_changed_paragraphs_and_links_both_texts(site):
    changes = page(site, "/privacy/changes/2022-03-15/")
    assert "1 paragraph changed from the version of 1 June 2021." in text(changes)
    hrefs = [a.get("href") for a in changes.iterfind(".//a")]
    assert "/privacy/versions/2021-06-01/" in hrefs
    assert "/privacy/versions/2022-03-15/" in hrefs


def test_changes_page_keeps_structure_and_collapses_unchanged_runs_with_their_headings_in_view(site):
    diff = page(site, "/privacy/changes/2021-06-01/").find_class("diff")[0]
    assert [text(h) for h in diff.iterfind(".//h2")] == ["Enquiries", "Contact"]
    assert text(diff.find("p")).startswith("We keep enquiries for")
    assert text(diff.findall("p")[1]) == "Unchanged paragraph number 1 about how we look after data."
    collapsed = diff.findall(".//details")
    assert [text(run.find("summary")) for run in collapsed] == ["Show 5 unchanged paragraphs"]
    assert collapsed[0].findall("h2") == [] and [text(h) for h in diff.findall("h2")] == [
        "Enquiries",
        "Contact",
    ]


def test_removed_words_come_before_the_words_that_replace_them(site):
    changed = [
        p
        for p in page(site, "/privacy/changes/2021-06-01/").find_class("diff")[0].iterfind("p")
        if p.find("del") is not None
    ]
    marks = [child.tag for child in changed[0] if child.tag in ("ins", "del")]
    assert marks[:2] == ["del", "ins"]


def test_the_policy_text_comes_first_under_one_bar_and_its_contents_link_every_section(site):
    article = page(site, "/privacy/").find(".//article")
    assert [element.tag for element in article][:3] == ["h1", "div", "nav"]
    bar = article.find_class("policy-bar")[0]
    assert {a.get("href") for a in bar.iterfind(".//a")} >= {"/privacy/versions/", "/privacy/feed.xml"}
    contents = article.find_class("contents")[0]
    targets = [a.get("href").removeprefix("#") for a in contents.iterfind(".//a")]
    headings = [h.get("id") for h in article.iterfind(".//h2") if h.get("id")]
    assert targets and targets == headings


def test_several_upcoming_versions_are_announced_in_one_notice_a_line_each(content, tmp_path):
    site = build(content, tmp_path, policy_date="2021-01-01", drafts=False)
    [notice] = page(site, "/privacy/").find_class("policy-upcoming")
    lines = [text(line) for line in notice.iterfind("p")]
    assert lines == [
        "This policy changes on each of these dates:",
        "1 June 2021: read the new version / see what changes",
        "15 March 2022: read the new version / see what changes",
        "1 January 2030: read the new version / see what changes",
    ]


def test_feed_has_one_entry_per_published_version_newest_first(site):
    feed = ElementTree.parse(site / "privacy/feed.xml").getroot()
    links = [entry.find(f"{ATOM}link").get("href") for entry in feed.iterfind(f"{ATOM}entry")]
    assert links == [f"/privacy/versions/{v}/" for v in reversed(PUBLISHED_PRIVACY_IDS)]
    summaries = [entry.findtext(f"{ATOM}summary") for entry in feed.iterfind(f"{ATOM}entry")]
    assert summaries[0] == "Takes effect on 1 January 2030. Removes the analytics cookies."


def test_manifest_lists_every_version_with_the_sha256_of_its_source(site, content):
    manifest = json.loads((site / "privacy/versions.json").read_text())
    assert [v["id"] for v in manifest["versions"]] == PUBLISHED_PRIVACY_IDS + [DRAFT_PRIVACY_ID]
    for entry in manifest["versions"]:
        source = content / "policies" / "privacy" / f"{entry['id']}.md"
        assert entry["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert entry["effective"] == entry["id"]
        assert entry["url"] == f"/privacy/versions/{entry['id']}/"
        assert (site / entry["url"].strip("/") / "index.html").is_file()


def test_drafts_appear_in_local_builds_marked_as_drafts(site):
    assert (
        text(page(site, f"/privacy/versions/{DRAFT_PRIVACY_ID}/")).count(
            "Draft. This version is not published"
        )
        == 1
    )


def test_drafts_are_absent_from_production_builds(production_site):
    assert not (production_site / "privacy/versions" / DRAFT_PRIVACY_ID).exists()
    assert not (production_site / "privacy/changes" / DRAFT_PRIVACY_ID).exists()
    assert DRAFT_PRIVACY_ID not in (production_site / "privacy/versions.json").read_text()
    assert DRAFT_PRIVACY_ID not in (production_site / "privacy/feed.xml").read_text()
    assert DRAFT_PRIVACY_ID not in text(page(production_site, "/privacy/versions/"))
    last = page(production_site, "/privacy/versions/2030-01-01/")
    assert "Next version" not in text(last)
    assert DRAFT_PRIVACY_ID not in html.tostring(last, encoding="unicode")


def test_bad_metadata_fails_the_build_with_path_and_reason(tmp_path):
    """Each reason is tested in process (test_policy_checks.py); this is the build's one-line message."""
    folder = write_policy(tmp_path / "content", "privacy", {"2020-01-01": PRIVACY_VERSIONS["2020-01-01"]})
    (folder / "2023-05-01.md").write_text("Title: P\nEffective: 2023-05-01\n\nText.\n")
    with pytest.raises(BuildFailed) as failure:
        build(tmp_path / "content", tmp_path / "output")
    message = str(failure.value)
    assert f"{folder / '2023-05-01.md'}: missing 'Summary'" in message
    assert len(message.splitlines()) == 1


def test_a_file_whose_name_is_not_its_effective_date_fails_the_build(tmp_path):
    folder = write_policy(tmp_path / "content", "privacy", {"2020-01-01": PRIVACY_VERSIONS["2020-01-01"]})
    (folder / "2020-01-01-copy.md").write_text(
        PRIVACY_VERSIONS["2021-06-01"].replace("2021-06-01", "2020-01-01")
    )
    with pytest.raises(BuildFailed) as failure:
        build(tmp_path / "content", tmp_path / "output")
    assert (
        "2020-01-01-copy.md: the file name must be its Effective date, and 2020-01-01.md is another version: "
        "name this file after the day it takes effect" in str(failure.value)
    )
    assert "rename it 2020-01-01.md" not in str(failure.value)


def test_a_copy_whose_effective_line_was_not_changed_is_pointed_at_its_effective_line(tmp_path):
    folder = write_policy(tmp_path / "content", "privacy", {"2020-01-01": PRIVACY_VERSIONS["2020-01-01"]})
    (folder / "2021-06-01.md").write_text(PRIVACY_VERSIONS["2021-06-01"].replace("2021-06-01", "2020-01-01"))
    with pytest.raises(BuildFailed) as failure:
        build(tmp_path / "content", tmp_path / "output")
    message = str(failure.value)
    assert (
        "2021-06-01.md: its 'Effective: 2020-01-01' line is not the date in its file name: if it takes effect "
        "on 1 June 2021, change its line to 'Effective: 2021-06-01'" in message
    )
    assert "rename" not in message


def test_an_impossible_policy_date_fails_the_build(content, tmp_path):
    with pytest.raises(BuildFailed) as failure:
        build(content, tmp_path, policy_date="2024-13-01")
    assert "POLICY_DATE: '2024-13-01' is not a date in the form YYYY-MM-DD" in str(failure.value)


# The seed text JTec supplied, kept in the repository; its digest proves the copy is unaltered.
SEED_POLICY = Path(__file__).parent / "data" / "seed-privacy-policy.txt"
SEED_POLICY_SHA256 = "f36c6804f85dea3f8ce0af4e309f9bbda0da08fd6e42468bee7ba6ff0da293ff"


def test_the_kept_seed_text_is_the_original():
    assert hashlib.sha256(SEED_POLICY.read_bytes()).hexdigest() == SEED_POLICY_SHA256


def test_the_real_privacy_policy_is_the_seed_text_word_for_word():
    seed_lines = SEED_POLICY.read_text(encoding="utf-8").splitlines()
    seed_words = " ".join(line.removeprefix("- ") for line in seed_lines[1:]).split()
    import markdown

    source = (PROJECT_DIR / "content/policies/privacy/2018-05-25.md").read_text(encoding="utf-8")
    header, body = source.split("\n\n", 1)
    assert "Title: " + seed_lines[0] in header
    rendered = html.fromstring(markdown.markdown(body))
    assert rendered.text_content().split() == seed_words


def test_a_back_dated_draft_is_flagged_by_the_build(tmp_path):
    folder = write_policy(tmp_path / "content", "privacy", {"2020-01-01": PRIVACY_VERSIONS["2020-01-01"]})
    draft = PRIVACY_VERSIONS["2021-06-01"].replace("Summary:", "Status: draft\nSummary:")
    (folder / "2021-06-01.md").write_text(draft)
    result = build_site(
        tmp_path / "output",
        content_dir=tmp_path / "content",
        settings={"POLICY_DATE": "2024-01-01", "POLICY_FACT_CHECKS": False, "POLICY_LOCK_FILE": None},
    )
    assert (
        "2021-06-01.md: a draft dated before 2024-01-01 can never be published (make lock refuses back-dating)"
        in result.stderr
    )
    on_time = build_site(
        tmp_path / "output",
        content_dir=tmp_path / "content",
        settings={"POLICY_DATE": "2021-01-01", "POLICY_FACT_CHECKS": False, "POLICY_LOCK_FILE": None},
    )
    assert "Policy warning" not in on_time.stderr
