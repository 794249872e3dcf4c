"""The changes page shows exactly what changed: proved over generated pairs of versions (paragraphs added,
removed, split, merged and moved; list items and table rows added and removed; headings renamed and
moved; links changed; whole documents rewritten) and on the real policy's versions."""

import html
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from plugins.policy_versions import changes as changes_module
from plugins.policy_versions.changes import ChangesWrong, check, compare, side_blocks
from tests.support import examples

POLICIES = Path(__file__).resolve().parent.parent / "content" / "policies"

# A small vocabulary, so generated versions share words as real revisions do, and a few that do not.
WORD = st.sampled_from(
    [
        "we",
        "keep",
        "your",
        "data",
        "for",
        "twelve",
        "months",
        "then",
        "delete",
        "it",
        "personal",
        "details",
        "enquiry",
        "newsletter",
        "right",
        "erase",
        "access",
        "consent",
        "cookies",
        "analytics",
        "Google",
        "&",
        "<script>",
        "£5",
        "café",
        "Ωmega",
    ]
)
TEXT = st.lists(WORD, min_size=1, max_size=12).map(" ".join)
HREF = st.sampled_from(["/privacy/", "/cookies/", "https://ico.org.uk/", "mailto:info@jtec.example"])


@st.composite
def inline(draw):
    """A run of text, perhaps with a link or emphasis in it."""
    before, inside, after = draw(TEXT), draw(TEXT), draw(TEXT)
    markup = draw(st.sampled_from(["plain", "link", "strong", "em"]))
    escaped = [html.escape(part) for part in (before, inside, after)]
    if markup == "link":
        return f'{escaped[0]} <a href="{draw(HREF)}">{escaped[1]}</a> {escaped[2]}'
    if markup in ("strong", "em"):
        return f"{escaped[0]} <{markup}>{escaped[1]}</{markup}> {escaped[2]}"
    return " ".join(escaped)


@st.composite
def block(draw):
    kind = draw(st.sampled_from(["h2", "h3", "p", "p", "p", "ul", "ol", "table"]))
    if kind in ("h2", "h3", "p"):
        return (kind, draw(inline()))
    if kind in ("ul", "ol"):
        return (kind, draw(st.lists(inline(), min_size=1, max_size=4)))
    rows = draw(st.lists(st.tuples(TEXT, TEXT), min_size=1, max_size=4))
    return ("table", [tuple(html.escape(cell) for cell in row) for row in rows])


def render(blocks):
    parts = []
    for kind, content in blocks:
        if kind in ("h2", "h3", "p"):
            parts.append(f"<{kind}>{content}</{kind}>")
        elif kind in ("ul", "ol"):
            parts.append(f"<{kind}>" + "".join(f"<li>{item}</li>" for item in content) + f"</{kind}>")
        else:
            header = "<thead><tr><th>What</th><th>How long</th></tr></thead>"
            rows = "".join(f"<tr><td>{a}</td><td>{b}</td></tr>" for a, b in content)
            parts.append(f"<table>{header}<tbody>{rows}</tbody></table>")
    return "\n".join(parts)


@st.composite
def revision(draw, blocks):
    """The next version: a few of the edits policy editors make, or a whole rewrite."""
    blocks = list(blocks)
    for _ in range(draw(st.integers(1, 4))):
        edit = draw(
            st.sampled_from(
                ["add", "remove", "split", "merge", "move", "rename", "relink", "items", "rows", "rewrite"]
            )
        )
        if edit == "rewrite":
            return draw(st.lists(block(), min_size=1, max_size=12))
        if not blocks:
            blocks.append(draw(block()))
            continue
        at = draw(st.integers(0, len(blocks) - 1))
        kind, content = blocks[at]
        if edit == "add":
            blocks.insert(at, draw(block()))
        elif edit == "remove":
            del blocks[at]
        elif edit == "split" and kind == "p":
            words = content.split(" ")
            cut = len(words) // 2 or 1
            blocks[at : at + 1] = [("p", " ".join(words[:cut]) or "x"), ("p", " ".join(words[cut:]) or "y")]
        elif edit == "merge" and at + 1 < len(blocks) and kind == "p" and blocks[at + 1][0] == "p":
            blocks[at : at + 2] = [("p", content + " " + blocks[at + 1][1])]
        elif edit == "move":
            moved = blocks.pop(at)
            blocks.insert(draw(st.integers(0, len(blocks))), moved)
        elif edit == "rename" and kind in ("h2", "h3"):
            blocks[at] = (kind, draw(inline()))
        elif edit == "relink" and 'href="' in str(content):
            blocks[at] = (
                (kind, str(content).replace('href="', 'href="/moved', 1)) if kind == "p" else blocks[at]
            )
        elif edit == "items" and kind in ("ul", "ol"):
            items = list(content)
            if len(items) > 1 and draw(st.booleans()):
                del items[draw(st.integers(0, len(items) - 1))]
            else:
                items.insert(draw(st.integers(0, len(items))), draw(inline()))
            blocks[at] = (kind, items)
        elif edit == "rows" and kind == "table":
            rows = list(content)
            rows.insert(draw(st.integers(0, len(rows))), (draw(TEXT), draw(TEXT)))
            if len(rows) > 2:
                del rows[draw(st.integers(0, len(rows) - 1))]
            blocks[at] = (kind, rows)
    return blocks


@st.composite
def version_pair(draw):
    old = draw(st.lists(block(), min_size=1, max_size=12))
    return render(old), render(draw(revision(old)))


def unmarked_blocks(changes_html):
    """(tag, text) of the blocks the page shows with no removed or added word."""
    root = lxml_html.fragment_fromstring(changes_html, create_parent="div")
    shown = []
    for element in root.iter("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th"):
        if not element.xpath(".//ins|.//del"):
            text = "".join("".join(element.itertext()).replace("Next change", "").split())
            if text:
                shown.append((element.tag, text))
    return shown


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(version_pair())
def test_the_changes_page_shows_both_versions_exactly(pair):
    old, new = pair
    changes = compare(old, new)
    check(old, new, changes.html)  # rules 1 and 2: each side, block by block, of the same kind
    in_both = set(side_blocks(old)) & set(side_blocks(new))
    for shown in unmarked_blocks(changes.html):  # rule 3: a block without marks is in both versions
        assert shown in in_both


@settings(max_examples=examples(100), deadline=None)
@given(version_pair())
def test_the_summary_counts_only_what_changed(pair):
    old, new = pair
    changes = compare(old, new)
    if old == new:
        assert (changes.changed_blocks, changes.section_summary, changes.changes) == (0, "", 0)
    else:
        assert changes.changed_blocks >= changes.changes >= (1 if side_blocks(old) != side_blocks(new) else 0)


def rendered(path):
    """A policy version's Markdown body as Pelican renders it (the settings' Markdown extensions)."""
    body = path.read_text(encoding="utf-8").split("\n\n", 1)[1]
    return markdown.Markdown(extensions=["extra", "toc"]).convert(body)


def version_pairs():
    for folder in sorted(POLICIES.iterdir()):
        versions = sorted(folder.glob("*.md"))
        yield from zip(versions, versions[1:], strict=False)


@pytest.mark.parametrize("older,newer", list(version_pairs()), ids=lambda path: path.stem)
def test_every_real_revision_shows_exactly_what_changed(older, newer):
    old, new = rendered(older), rendered(newer)
    changes = compare(old, new)
    check(old, new, changes.html)
    assert changes.changed_blocks > 0


def test_the_2027_draft_shows_the_old_paragraphs_it_drops_as_removed_and_keeps_the_address():
    old = rendered(POLICIES / "privacy" / "2018-05-25.md")
    new = rendered(POLICIES / "privacy" / "2027-01-01.md")
    page = lxml_html.fragment_fromstring(compare(old, new).html, create_parent="div")
    removed = " ".join(" ".join(element.itertext()) for element in page.iter("del"))
    for dropped in ("We can supply certain types", "My Right to Be Forgotten", "As a fail-safe"):
        assert dropped in removed
    assert "Carnmoney Road" in " ".join(page.itertext())


def test_a_changes_page_that_breaks_the_rule_fails_the_build_naming_the_version(monkeypatch):
    from plugins.policy_versions.generator import PolicyGenerator
    from plugins.policy_versions.versions import PolicyError

    class Version:
        source_path = POLICIES / "privacy" / "2027-01-01.md"
        html = "<p>New words.</p>"

        class previous:
            html = "<p>Old words.</p>"

    def what_htmldiff_did(old, new):  # the old page: old text shown as if it were unchanged
        return changes_module.Changes(html=old + new, changed_blocks=0)

    monkeypatch.setattr("plugins.policy_versions.generator.compare", what_htmldiff_did)
    generator = PolicyGenerator.__new__(PolicyGenerator)
    with pytest.raises(
        PolicyError, match="2027-01-01.md: its changes page would not show exactly what changed"
    ):
        generator.changes_of(Version)


def test_check_names_the_first_block_that_differs():
    with pytest.raises(ChangesWrong, match="new side differs at block 1"):
        check("<p>Old.</p>", "<p>New.</p>", "<p>Old.</p>")
