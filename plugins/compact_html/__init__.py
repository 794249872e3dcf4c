"""Pelican plugin: drop the indentation the templates leave at the start of each line of the HTML the
build writes (none of it shows on the page), keeping <pre> and <textarea> exactly as they are. Pages
stay readable as source; the policy pages stay under their 30 KB budget (bench/page_weight.py)."""

import re
from pathlib import Path

# Kept whole: blocks whose whitespace is their content.
_VERBATIM = re.compile(r"(<(pre|textarea)\b.*?</\2>)", re.DOTALL | re.IGNORECASE)
_INDENT = re.compile(r"\n[ \t]+")


def compact(page):
    parts = _VERBATIM.split(page)
    # split() with two groups yields: text, whole block, tag name, text, ...
    return "".join(
        _INDENT.sub("\n", part) if index % 3 == 0 else part if index % 3 == 1 else ""
        for index, part in enumerate(parts)
    )


def compact_output(pelican):
    for path in Path(pelican.output_path).rglob("*.html"):
        page = path.read_text(encoding="utf-8")
        path.write_text(compact(page), encoding="utf-8")


def register():
    from pelican import signals

    signals.finalized.connect(compact_output)
