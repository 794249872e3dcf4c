"""A policy's sections: every second-level heading gets an id, so the page can list its sections and
link to each (the policy's own overview names them but cannot link them)."""

import re
from dataclasses import dataclass

from lxml import html as lxml_html


@dataclass
class Sectioned:
    html: str
    sections: list  # (id, heading text) in the order of the text


def _slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


def with_section_ids(fragment_html):
    """The fragment with an id on each <h2> that has none (unique, from its words), and its sections."""
    wrapper = lxml_html.fragment_fromstring(fragment_html, create_parent="div")
    taken = {element.get("id") for element in wrapper.iter() if element.get("id")}
    sections = []
    for heading in wrapper.iter("h2"):
        title = " ".join(heading.text_content().split()).rstrip(":.")
        if not heading.get("id"):
            candidate = base = _slug(title)
            number = 2
            while candidate in taken:
                candidate, number = f"{base}-{number}", number + 1
            heading.set("id", candidate)
            taken.add(candidate)
        sections.append((heading.get("id"), title))
    inner = (wrapper.text or "") + "".join(lxml_html.tostring(child, encoding="unicode") for child in wrapper)
    return Sectioned(html=inner, sections=sections)
