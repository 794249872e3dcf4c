"""What `make lock` shows an editor before it writes the lock: for each version it would lock, how much it
changes against the version before it, and what looks like a mistake (the version before it in line is a
draft that was never published; a date more than a year ahead). No Pelican import: the text is read as the
build reads it (Markdown after the `Key: value` header) and compared as the changes page compares it."""

import datetime
from pathlib import Path

import markdown

from plugins.policy_versions import changes
from plugins.policy_versions.lock import header

FAR_AHEAD = datetime.timedelta(days=366)


def body_html(path):
    """A version's text as HTML: the Markdown after its header (tables as the site renders them)."""
    text = Path(path).read_text(encoding="utf-8")
    _, _, body = text.partition("\n\n")
    return markdown.markdown(body, extensions=["tables"])


def _is_draft(path):
    return header(path).get("status", "published").lower() == "draft"


def review(source, today):
    """Lines about one version `make lock` would lock: what it changes, and warnings (starting "Warning:")."""
    source = Path(source)
    earlier = sorted(path for path in source.parent.glob("*.md") if path.stem < source.stem)
    lines = []
    if earlier:
        before = earlier[-1]
        compared = changes.compare(body_html(before), body_html(source))
        paragraphs = "paragraph" if compared.changed_blocks == 1 else "paragraphs"
        summary = f" ({compared.section_summary})" if compared.section_summary else ""
        lines.append(
            f"{source.stem}: {compared.changed_blocks} {paragraphs} changed against {before.stem}{summary}"
        )
        if _is_draft(before):
            lines.append(
                f"Warning: the version before it in line, {before.name}, is a draft that was never published: "
                f"{source.stem} was probably copied from it. Copy the latest published version, or publish "
                f"{before.stem} first."
            )
    else:
        lines.append(f"{source.stem}: the first version of {source.parent.name}")
    effective = datetime.date.fromisoformat(source.stem)
    if effective - today > FAR_AHEAD:
        lines.append(
            f"Warning: {source.stem} takes effect more than a year from today: check the year in its "
            "Effective line."
        )
    return lines
