"""Pelican plugin: drop the indentation the templates leave at the start of each line of the HTML the
build writes, and the line break after the end of a block (a list item, a row, a paragraph, a
section: a space there never shows, as a line starts after a block), keeping <pre> and <textarea>
exactly as they are. Pages stay readable as source; the policy pages stay under their 30 KB budget
(bench/page_weight.py)."""

import re
from pathlib import Path

# Kept whole: blocks whose whitespace is their content.
_VERBATIM = re.compile(r"(<(pre|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t]+")
_AFTER_A_BLOCK = re.compile(
    r"(</(?:li|tr|td|th|p|h[1-6]|ul|ol|dl|dt|dd|section|div|thead|tbody|table|nav|header|footer|details|"
    r"summary|article|main|form|fieldset)>)\n(?=<)"
)


def _compact_text(part):
    return _AFTER_A_BLOCK.sub(r"\1", _INDENT.sub("\n", part))


def compact(page):
    parts = _VERBATIM.split(page)
    # split() with two groups yields: text, whole block, tag name, text, ...
    return "".join(
        _compact_text(part) if index % 3 == 0 else part if index % 3 == 1 else ""
        for index, part in enumerate(parts)
    )


def compact_output(pelican):
    for path in Path(pelican.output_path).rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        path.write_text(compact(page), encoding="utf-8")


def register():
    from pelican import signals

    signals.finalized.connect(compact_output)
