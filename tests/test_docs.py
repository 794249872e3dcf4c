"""The README and `docs/` stay true: every relative link resolves, and every path they name in code
font exists (paths of parts marked "not built yet" excepted)."""

import re

import pytest

from project import PROJECT_DIR

DOCUMENTS = [PROJECT_DIR / "README.md", *sorted((PROJECT_DIR / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")
CODE = re.compile(r"`([^`\s]+)`")
TOP_LEVEL = ("content/", "theme/", "plugins/", "functions/", "local/", "infra/", "tests/", "bench/", "docs/")
NOT_BUILT = "not built yet"


def prose_lines(document):
    """The document's lines outside fenced code blocks."""
    fenced = False
    for line in document.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            yield line


def named_path(document, reference):
    """The file a reference names: relative to the document, or to the repository for code paths."""
    return (document.parent / reference).resolve()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_relative_link_resolves(document):
    links = [link for line in prose_lines(document) for link in LINK.findall(line)]
    broken = [
        link
        for link in links
        if not re.match(r"[a-z]+:", link) and not named_path(document, link.split("#")[0]).exists()
    ]
    assert broken == []


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_path_named_in_code_font_exists(document):
    missing = []
    for line in prose_lines(document):
        if NOT_BUILT in line:
            continue
        for reference in CODE.findall(line):
            path = reference.rstrip(".,:;)")
            is_a_path = path.startswith(TOP_LEVEL) and not re.search(r"[<>*{]", path)
            if is_a_path and not (PROJECT_DIR / path).exists():
                missing.append(path)
    assert missing == []


def test_no_document_links_outside_the_repository():
    for document in DOCUMENTS:
        for line in prose_lines(document):
            for link in LINK.findall(line):
                if not re.match(r"[a-z]+:", link):
                    assert named_path(document, link.split("#")[0]).is_relative_to(PROJECT_DIR), link
