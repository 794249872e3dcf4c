"""Word-level changes between two rendered versions, keeping the document's blocks and structure.

difflib aligns the top-level blocks (headings, paragraphs, lists) so unchanged ones are copied
as they are; lxml's htmldiff marks the words inside each changed run with <ins> and <del>.
"""

import difflib
import re
from dataclasses import dataclass

from lxml import html as lxml_html
from lxml.html.diff import htmldiff

ADDED_LABEL = '<span class="visually-hidden">added: </span>'
REMOVED_LABEL = '<span class="visually-hidden">removed: </span>'
# Unchanged blocks kept visible on each side of a change, and the shortest run worth collapsing.
CONTEXT_BLOCKS = 1
MIN_COLLAPSED_BLOCKS = 3


@dataclass
class Changes:
    html: str
    changed_blocks: int


def split_blocks(fragment_html):
    """The top-level elements of an HTML fragment, each serialised on its own."""
    if not fragment_html.strip():
        return []
    blocks = []
    for element in lxml_html.fragments_fromstring(fragment_html):
        if isinstance(element, str):
            if element.strip():
                blocks.append(f"<p>{element.strip()}</p>")
            continue
        blocks.append(lxml_html.tostring(element, encoding="unicode", with_tail=False))
    return blocks


def _label(diffed_html):
    return diffed_html.replace("<ins>", "<ins>" + ADDED_LABEL).replace("<del>", "<del>" + REMOVED_LABEL)


def _collapsed(blocks):
    noun = "paragraph" if len(blocks) == 1 else "paragraphs"
    return (
        f'<details class="unchanged"><summary>Show {len(blocks)} unchanged {noun}</summary>'
        + "".join(blocks)
        + "</details>"
    )


_HEADING = re.compile(r"<h[1-6][\s>]")


def _collapse_between_headings(blocks):
    """Collapse each run of unchanged paragraphs long enough to be worth it; headings stay in view,
    so every change shows under its own heading."""
    kept, run = [], []
    for block in [*blocks, None]:
        if block is not None and not _HEADING.match(block):
            run.append(block)
            continue
        kept += [_collapsed(run)] if len(run) >= MIN_COLLAPSED_BLOCKS else run
        run = []
        if block is not None:
            kept.append(block)
    return kept


def _unchanged_run(blocks, at_start, at_end):
    """Unchanged blocks with a little context kept around changes and the paragraphs between collapsed."""
    keep_before = 0 if at_start else CONTEXT_BLOCKS
    keep_after = 0 if at_end else CONTEXT_BLOCKS
    if len(blocks) - keep_before - keep_after < MIN_COLLAPSED_BLOCKS:
        return list(blocks)
    hidden = blocks[keep_before : len(blocks) - keep_after]
    return blocks[:keep_before] + _collapse_between_headings(hidden) + blocks[len(blocks) - keep_after :]


# htmldiff writes what was added before what it replaced; readers expect the old words first.
_ADDED_THEN_REMOVED = re.compile(
    r"(<ins>(?:(?!</ins>).)*</ins>)(\s*)(<del>(?:(?!</del>).)*</del>)", re.DOTALL
)


def _removed_first(diffed_html):
    return _ADDED_THEN_REMOVED.sub(r"\3\2\1", diffed_html)


_CHANGE_MARK = re.compile(r"<(ins|del)>")
_EMPTY_MARK = re.compile(r"<(ins|del)>\s*</\1>")


def compare(old_html, new_html):
    """The changes from `old_html` to `new_html` as one HTML fragment, and how many blocks changed."""
    old_blocks, new_blocks = split_blocks(old_html), split_blocks(new_html)
    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    opcodes = matcher.get_opcodes()
    parts, changed_blocks = [], 0
    for index, (tag, old_start, old_end, new_start, new_end) in enumerate(opcodes):
        if tag == "equal":
            parts += _unchanged_run(
                new_blocks[new_start:new_end], at_start=index == 0, at_end=index == len(opcodes) - 1
            )
            continue
        diffed = htmldiff("".join(old_blocks[old_start:old_end]), "".join(new_blocks[new_start:new_end]))
        diffed_blocks = split_blocks(_removed_first(_EMPTY_MARK.sub("", diffed)))
        changed_blocks += sum(1 for block in diffed_blocks if _CHANGE_MARK.search(block))
        parts += [_label(block) for block in diffed_blocks]
    return Changes(html="\n".join(parts), changed_blocks=changed_blocks)
