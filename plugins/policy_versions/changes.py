"""What changed between two rendered versions of a policy, block by block and word by word, exactly.

A version is read as a sequence of leaf blocks (a paragraph, a heading, a list item, a table row, a
preformatted block), each with the containers it sits in (a list, a table, a quotation) and its words,
every word carrying the inline markup around it (a link and its address, emphasis). Blocks that are
the same in both versions are aligned first (difflib); in what is left between them, blocks of the same
kind are paired by how many words they share, in order, and only paired blocks are compared word by
word. A block with no partner is shown wholly removed or wholly added. So, by construction:

1. the page without its removed words is the new version's text, and without its added words the old
   version's (`check` proves it for every changes page the build writes, and fails the build if not);
2. every block keeps its kind on the side it belongs to (a list item stays a list item);
3. a block shown without marks is in both versions.

Removed words come before the words that replace them; runs of unchanged paragraphs are folded, with
headings kept in view; every change has an anchor and a link to the next one.
"""

import collections
import copy
import difflib
import functools
import html
import re
from dataclasses import dataclass, field

from lxml import etree
from lxml import html as lxml_html

ADDED_LABEL = '<span class="visually-hidden">added: </span>'
REMOVED_LABEL = '<span class="visually-hidden">removed: </span>'
# Unchanged blocks kept visible on each side of a change, and the shortest run worth folding.
CONTEXT_BLOCKS = 1
MIN_COLLAPSED_BLOCKS = 3
# Blocks of one kind are paired when at least this share of their words match (difflib's ratio).
PAIRING_RATIO = 0.5

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
LEAVES = HEADINGS | {"p", "pre", "li", "dt", "dd"}
CONTAINERS = {"ul", "ol", "dl", "blockquote", "table"}
CELLS = {"td", "th"}
# Inline elements whose markup each word keeps (with the attributes that matter to a reader).
INLINE = {"a", "strong", "em", "b", "i", "code", "abbr", "sup", "sub", "small", "span", "mark", "q", "cite"}
KEPT_ATTRIBUTES = ("href", "title")
# A word with the spaces after it, or spaces at the start: words are compared without their spaces.
WORDS = re.compile(r"\S+\s*|\s+")


SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Block:
    """A leaf block: its tag, the containers around it, and its cells (one unless a table row), each the
    runs of text in it with the inline markup around each run."""

    tag: str
    containers: tuple
    cells: tuple  # ((cell tag or "", ((text, inline context), ...)), ...)

    @functools.cached_property
    def cell_words(self):
        """Each cell's words (and the spaces between them), each with its inline markup."""
        return tuple(
            tuple((piece, context) for text, context in chunks for piece in WORDS.findall(text))
            for _, chunks in self.cells
        )

    @property
    def words(self):
        return tuple(word for words in self.cell_words for word in words)

    @functools.cached_property
    def word_counts(self):
        """How many words the block has (spaces aside), and how often each occurs: what pairing compares."""
        words = [text.strip() for text, _ in self.words if text.strip()]
        return len(words), collections.Counter(words)

    @functools.cached_property
    def kind(self):
        return (self.tag, self.containers, tuple(tag for tag, _ in self.cells))


def _chunks(element, context=(), keep_spaces=False):
    """The runs of text of an element's content, each with the inline markup around it (a block inside
    a block, such as a list in a list item, is read as its text set apart by spaces)."""
    chunks = []

    def add(text, inside):
        if text:
            chunks.append((text if keep_spaces else SPACES.sub(" ", text), inside))

    add(element.text, context)
    for child in element:
        if isinstance(child.tag, str):
            tag = child.tag.lower()
            if tag == "br":
                add(" ", context)
            elif tag in INLINE:
                attributes = tuple((name, child.get(name)) for name in KEPT_ATTRIBUTES if child.get(name))
                chunks += _chunks(child, (*context, (tag, attributes)), keep_spaces)
            else:
                add(" ", context)
                chunks += _chunks(child, context, keep_spaces)
                add(" ", context)
        add(child.tail, context)
    return tuple(chunks)


def _leaf(tag, containers, element):
    return Block(tag, containers, (("", _chunks(element, keep_spaces=tag == "pre")),))


def _loose(text, containers):
    return Block("p", containers, (("", ((SPACES.sub(" ", text), ()),)),))


def _blocks(elements, containers=()):
    blocks = []
    for element in elements:
        if isinstance(element, str):
            if element.strip():
                blocks.append(_loose(element, containers))
            continue
        if not isinstance(element.tag, str):
            continue  # a comment
        tag = element.tag.lower()
        if tag in LEAVES:
            blocks.append(_leaf(tag, containers, element))
        elif tag == "tr":
            cells = tuple(
                (cell.tag.lower(), _chunks(cell))
                for cell in element
                if isinstance(cell.tag, str) and cell.tag.lower() in CELLS
            )
            blocks.append(Block("tr", containers, cells))
        elif tag in CONTAINERS:
            blocks += _blocks(element, (*containers, tag))
        elif tag in {"thead", "tbody", "tfoot", "div", "section", "article", "details", "summary", "figure"}:
            blocks += _blocks(element, containers)
        elif tag != "hr":  # inline content at the top level: a paragraph of its own
            wrapper = lxml_html.Element("p")
            wrapper.append(copy.deepcopy(element))
            wrapper[0].tail = None
            blocks.append(_leaf("p", containers, wrapper))
        if element.tail and element.tail.strip():
            blocks.append(_loose(element.tail, containers))
    return blocks


@functools.lru_cache(maxsize=8)
def read_blocks(fragment_html):
    """The leaf blocks of an HTML fragment, in reading order (kept for the last few documents: a build
    reads each version twice, as the new one and then as the old one)."""
    if not fragment_html.strip():
        return ()
    return tuple(_blocks(lxml_html.fragments_fromstring(fragment_html)))


# ---- Rendering ---------------------------------------------------------------------------------------

EQUAL, REMOVED, ADDED = "equal", "removed", "added"


def _open(context):
    tag, attributes = context
    shown = "".join(f' {name}="{html.escape(value)}"' for name, value in attributes)
    return f"<{tag}{shown}>"


def _render_run(words):
    """Words in their inline markup, as HTML."""
    return "".join(
        "".join(_open(item) for item in context)
        + html.escape("".join(text for text, _ in run), quote=False)
        + "".join(f"</{tag}>" for tag, _ in reversed(context))
        for context, run in _runs(words, key=lambda word: word[1])
    )


def _render_words(segments):
    """Segments (status, word) as HTML: runs of removed or added words in <del> or <ins>, each word in
    its own inline markup. The spaces after a change are not part of it: after added words they follow
    the <ins>; after removed words they follow the <del> unless added words take their place."""
    runs = _runs(segments, key=lambda segment: segment[0])
    out = []
    for index, (status, run) in enumerate(runs):
        words = [word for _, word in run]
        if status == EQUAL:
            out.append(_render_run(words))
            continue
        text, context = words[-1]
        spaces = text[len(text.rstrip()) :]
        words[-1] = (text.rstrip(), context)
        if not "".join(text for text, _ in words).strip():  # only spaces changed: no change to see
            out.append(spaces if status == ADDED else "")
            continue
        if status == REMOVED:
            followed_by_added = index + 1 < len(runs) and runs[index + 1][0] == ADDED
            out.append(
                f"<del>{REMOVED_LABEL}{_render_run(words)}</del>" + ("" if followed_by_added else spaces)
            )
        else:
            out.append(f"<ins>{ADDED_LABEL}{_render_run(words)}</ins>{spaces}")
    return "".join(out)


def _runs(items, key):
    """Consecutive items with the same key: [(key, [items])]."""
    runs = []
    for item in items:
        if runs and runs[-1][0] == key(item):
            runs[-1][1].append(item)
        else:
            runs.append((key(item), [item]))
    return runs


def _word_changes(old_words, new_words):
    """(status, word) for two word sequences: what is kept, and in each change what was removed, then
    what was added. Spaces alone between two changes join them, so "1 month" -> "2 months" reads as one
    struck phrase and one added one."""

    def compared(words):  # a word without the spaces after it: whitespace is no change
        return [(text.strip() or " ", context) for text, context in words]

    matcher = difflib.SequenceMatcher(None, compared(old_words), compared(new_words), autojunk=False)
    spans = []  # [tag, old start, old end, new start, new end]
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        only_space = tag == "equal" and all(not text.strip() for text, _ in new_words[j1:j2])
        if spans and spans[-1][0] != "equal" and only_space:
            tag = "replace"  # joined to the change before it; a following change joins it too
        if spans and tag != "equal" and spans[-1][0] != "equal":
            spans[-1] = ["replace", spans[-1][1], i2, spans[-1][3], j2]
        else:
            spans.append([tag, i1, i2, j1, j2])
    segments = []
    for tag, i1, i2, j1, j2 in spans:
        if tag == "equal":
            segments += [(EQUAL, word) for word in new_words[j1:j2]]
            continue
        segments += [(REMOVED, word) for word in old_words[i1:i2]]
        segments += [(ADDED, word) for word in new_words[j1:j2]]
    return segments


@dataclass
class Unit:
    """One block of the changes page: unchanged, removed, added or changed, as HTML inside its tag."""

    status: str  # EQUAL, REMOVED, ADDED or "changed"
    block: Block
    cells_html: list = field(default_factory=list)
    anchor: str = ""
    next_link: str = ""

    def html(self):
        attributes = f' id="{self.anchor}"' if self.anchor else ""
        if self.status in (REMOVED, ADDED):
            attributes += f' class="{self.status}"'
        link = f' <a class="next-change" href="#{self.next_link}">Next change</a>' if self.next_link else ""
        if self.block.tag == "tr":
            cells = "".join(
                f"<{tag}>{content}</{tag}>"
                for (tag, _), content in zip(self.block.cells, self.cells_html, strict=True)
            )
            if link:
                cells = (
                    cells[: -len(f"</{self.block.cells[-1][0]}>")] + link + f"</{self.block.cells[-1][0]}>"
                )
            return f"<tr{attributes}>{cells}</tr>"
        return f"<{self.block.tag}{attributes}>{self.cells_html[0]}{link}</{self.block.tag}>"


def _render_chunks(chunks):
    """Runs of text in their inline markup, as HTML."""
    return "".join(
        "".join(_open(item) for item in context)
        + html.escape(text, quote=False)
        + "".join(f"</{tag}>" for tag, _ in reversed(context))
        for text, context in chunks
    )


def _whole(status, chunks):
    """A cell wholly removed or added."""
    inner = _render_chunks(chunks)
    if not "".join(text for text, _ in chunks).strip():
        return inner if status == ADDED else ""
    label = REMOVED_LABEL if status == REMOVED else ADDED_LABEL
    tag = "del" if status == REMOVED else "ins"
    return f"<{tag}>{label}{inner}</{tag}>"


@functools.lru_cache(maxsize=4096)
def _unchanged_cells(block):
    """An unchanged block's cells as HTML (a build meets most blocks in every version: made once)."""
    return tuple(_render_chunks(chunks) for _, chunks in block.cells)


def _unit(status, old=None, new=None):
    block = new if new is not None else old
    if status == EQUAL:
        cells = list(_unchanged_cells(block))
    elif status in (REMOVED, ADDED):
        cells = [_whole(status, chunks) for _, chunks in block.cells]
    else:
        cells = [
            _render_words(_word_changes(old_words, new_words))
            for old_words, new_words in zip(old.cell_words, new.cell_words, strict=True)
        ]
    return Unit(status, block, cells)


def _similarity(old, new):
    if old.kind != new.kind:
        return 0.0
    if old.tag == "tr" and old.cells and old.cells[0] == new.cells[0]:
        return 1.0  # a table row keeps its first cell (what the row is about) when its values change
    # The share of words the two have in common, in any order (difflib's quick_ratio, from counts each
    # block keeps): enough to tell a revised paragraph from another one, and linear in their length.
    (old_length, old_counts), (new_length, new_counts) = old.word_counts, new.word_counts
    length = old_length + new_length
    if not length:
        return 1.0
    if 2.0 * min(old_length, new_length) / length < PAIRING_RATIO:
        return 0.0  # even sharing every word of the shorter one, they would not pair
    return 2.0 * (old_counts & new_counts).total() / length


def _pairs(old_blocks, new_blocks):
    """The order-keeping pairing of blocks that share the most words (each pair at least
    PAIRING_RATIO alike): [(old index, new index)]."""
    rows, columns = len(old_blocks), len(new_blocks)
    if not rows or not columns:
        return []
    score = [[0.0] * (columns + 1) for _ in range(rows + 1)]
    alike = {}
    for i in range(rows - 1, -1, -1):
        for j in range(columns - 1, -1, -1):
            similarity = _similarity(old_blocks[i], new_blocks[j])
            alike[i, j] = similarity
            paired = score[i + 1][j + 1] + similarity if similarity >= PAIRING_RATIO else -1.0
            score[i][j] = max(paired, score[i + 1][j], score[i][j + 1])
    pairs, i, j = [], 0, 0
    while i < rows and j < columns:
        if alike[i, j] >= PAIRING_RATIO and score[i][j] == score[i + 1][j + 1] + alike[i, j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _region_units(old_blocks, new_blocks):
    """Units for a region with no block in common: pairs compared word by word; the rest removed (first)
    or added."""
    units, i, j = [], 0, 0
    for old_index, new_index in [*_pairs(old_blocks, new_blocks), (len(old_blocks), len(new_blocks))]:
        units += [_unit(REMOVED, old=block) for block in old_blocks[i:old_index]]
        units += [_unit(ADDED, new=block) for block in new_blocks[j:new_index]]
        if old_index < len(old_blocks):
            units.append(_unit("changed", old=old_blocks[old_index], new=new_blocks[new_index]))
        i, j = old_index + 1, new_index + 1
    return units


def _units(old_blocks, new_blocks):
    matcher = difflib.SequenceMatcher(None, old_blocks, new_blocks, autojunk=False)
    units = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            units += [_unit(EQUAL, new=block) for block in new_blocks[j1:j2]]
        else:
            units += _region_units(old_blocks[i1:i2], new_blocks[j1:j2])
    return units


def _open_containers(stack, wanted):
    """HTML that closes the containers of `stack` not in `wanted` and opens the new ones."""
    common = 0
    while common < min(len(stack), len(wanted)) and stack[common] == wanted[common]:
        common += 1
    closing = "".join(_close_container(tag) for tag in reversed(stack[common:]))
    opening = "".join(_open_container(tag) for tag in wanted[common:])
    return closing + opening


def _open_container(tag):
    return "<table><tbody>" if tag == "table" else f"<{tag}>"


def _close_container(tag):
    return "</tbody></table>" if tag == "table" else f"</{tag}>"


def _render(pieces):
    """Pieces ("show", units) and ("fold", units) as HTML: units in their containers (consecutive
    units in one list share it), a fold in a <details> of its own."""
    parts, stack = [], ()
    for what, units in pieces:
        if what == "fold":
            parts.append(_open_containers(stack, ()))
            stack = ()
            noun = "paragraph" if len(units) == 1 else "paragraphs"
            parts.append(
                f'<details class="unchanged"><summary>Show {len(units)} unchanged {noun}</summary>'
                + _render([("show", units)])
                + "</details>\n"
            )
            continue
        for unit in units:
            parts.append(_open_containers(stack, unit.block.containers))
            stack = unit.block.containers
            parts.append(unit.html() + "\n")
    parts.append(_open_containers(stack, ()))
    return "".join(parts).strip()


def _fold_run(run, at_start, at_end):
    """A run of unchanged units as pieces: CONTEXT_BLOCKS kept around changes, headings kept in view,
    and the paragraphs between them folded when there are at least MIN_COLLAPSED_BLOCKS."""
    keep_before = 0 if at_start else CONTEXT_BLOCKS
    keep_after = 0 if at_end else CONTEXT_BLOCKS
    if len(run) - keep_before - keep_after < MIN_COLLAPSED_BLOCKS:
        return [("show", run)]
    pieces, between = [("show", run[:keep_before])], []
    for unit in [*run[keep_before : len(run) - keep_after], None]:
        if unit is not None and unit.block.tag not in HEADINGS:
            between.append(unit)
            continue
        pieces.append(("fold" if len(between) >= MIN_COLLAPSED_BLOCKS else "show", between))
        between = []
        if unit is not None:
            pieces.append(("show", [unit]))
    pieces.append(("show", run[len(run) - keep_after :]))
    return [(what, units) for what, units in pieces if units]


def _with_folds(units):
    """The page's HTML, unchanged runs folded."""
    pieces, start = [], 0
    for is_equal, run in _runs(units, key=lambda unit: unit.status == EQUAL):
        if is_equal:
            pieces += _fold_run(run, at_start=start == 0, at_end=start + len(run) == len(units))
        else:
            pieces.append(("show", run))
        start += len(run)
    return _render(pieces)


# ---- The page ------------------------------------------------------------------------------------------


@dataclass
class Changes:
    html: str
    changed_blocks: int
    sections_added: int = 0
    sections_removed: int = 0
    sections_changed: int = 0
    changes: int = 0

    @property
    def section_summary(self):
        """What a reader counts first: "2 sections added, 1 section changed" (empty if none)."""
        counts = [
            (self.sections_added, "added"),
            (self.sections_removed, "removed"),
            (self.sections_changed, "changed"),
        ]
        return ", ".join(
            f"{count} {'section' if count == 1 else 'sections'} {what}" for count, what in counts if count
        )


def _sections(units):
    """(added, removed, changed) sections: a section is a heading and the blocks under it."""
    added = removed = changed = 0
    heading, touched = None, False

    def close():
        nonlocal changed
        if (
            heading is not None
            and heading.status in (EQUAL, "changed")
            and (touched or heading.status == "changed")
        ):
            changed += 1

    for unit in units:
        if unit.block.tag in HEADINGS:
            close()
            heading, touched = unit, False
            added += unit.status == ADDED
            removed += unit.status == REMOVED
        elif unit.status != EQUAL:
            touched = True
    close()
    return added, removed, changed


def compare(old_html, new_html):
    """The changes from `old_html` to `new_html` as one HTML fragment, with what a reader counts."""
    units = _units(read_blocks(old_html), read_blocks(new_html))
    starts = [
        index
        for index, unit in enumerate(units)
        if unit.status != EQUAL and (index == 0 or units[index - 1].status == EQUAL)
    ]
    for number, start in enumerate(starts, start=1):
        units[start].anchor = f"change-{number}"
        if number < len(starts):
            end = start
            while end + 1 < len(units) and units[end + 1].status != EQUAL:
                end += 1
            units[end].next_link = f"change-{number + 1}"
    added, removed, changed = _sections(units)
    return Changes(
        html=_with_folds(units),
        changed_blocks=sum(1 for unit in units if unit.status != EQUAL),
        sections_added=added,
        sections_removed=removed,
        sections_changed=changed,
        changes=len(starts),
    )


# ---- The rule, checked -------------------------------------------------------------------------------

TEXT_BLOCKS = LEAVES | CELLS
NOT_TEXT_CLASSES = {"visually-hidden", "next-change"}  # labels for screen readers, next-change links


def _side(root, drop=None):
    """(tag, text without whitespace) of each outermost leaf block with text, leaving out `drop` ("del"
    or "ins") and what is not the documents' text: labels for screen readers, next-change links, the
    summaries of folded runs. The tree is changed: pass one parsed for the purpose."""
    if drop:
        etree.strip_elements(root, drop, with_tail=False)
    for element in list(root.iter("span", "a", "summary")):
        classes = (element.get("class") or "").split()
        folded = element.tag == "summary" and "unchanged" in (element.getparent().get("class") or "")
        if folded or NOT_TEXT_CLASSES.intersection(classes):
            element.drop_tree()
    found = []
    if root.text and root.text.strip():
        found.append(("p", "".join(root.text.split())))

    def walk(element):
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in TEXT_BLOCKS:
                text = "".join("".join(child.itertext()).split())
                if text:
                    found.append((tag, text))
            elif len(child):
                walk(child)
            if element is root and child.tail and child.tail.strip():
                found.append(("p", "".join(child.tail.split())))

    walk(root)
    return found


def _parsed(fragment_html):
    return lxml_html.fragment_fromstring(fragment_html or "", create_parent="div")


@functools.lru_cache(maxsize=8)
def side_blocks(fragment_html, drop=None):
    """(tag, text) of every outermost leaf block and table cell with text, in reading order, leaving out
    the elements `drop` names ("del" for the new side of a changes page, "ins" for the old) and what is
    not the documents' text; whitespace aside (it is taken out). Text loose at the top level counts as
    a paragraph. (Kept for the last few documents: a build reads each version twice.)"""
    return tuple(_side(_parsed(fragment_html), drop))


class ChangesWrong(Exception):
    """A changes page that does not show exactly the two versions."""


def check(old_html, new_html, changes_html):
    """Rule 1 and 2 of the changes page: without its removed words it is the new version, block by block
    (each of the same kind), and without its added words the old one. ChangesWrong says where not."""
    page = _parsed(changes_html)
    for side, drop, source in (("new", "del", new_html), ("old", "ins", old_html)):
        shown = tuple(_side(copy.deepcopy(page) if drop == "del" else page, drop))
        expected = side_blocks(source)
        if shown != expected:
            matcher = difflib.SequenceMatcher(None, expected, shown, autojunk=False)
            first = next(op for op in matcher.get_opcodes() if op[0] != "equal")
            _, i1, _, j1, _ = first
            wanted = expected[i1] if i1 < len(expected) else None
            got = shown[j1] if j1 < len(shown) else None
            raise ChangesWrong(
                f"the {side} side differs at block {i1 + 1}: expected {wanted!r}, shown {got!r}"
            )
