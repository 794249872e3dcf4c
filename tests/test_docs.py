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


# The facts the README and the design map state in words, held to the code that decides them.
README, DESIGN, FORMS = (
    PROJECT_DIR / "README.md",
    PROJECT_DIR / "docs" / "design.md",
    PROJECT_DIR / "docs" / "forms.md",
)
ROUTE_NAMED = re.compile(r"`(GET|POST|PUT|DELETE) (/[a-z][a-z/-]*)`")
JTEC_COMMAND = re.compile(r"^jtec ([a-z]+)(?: ([a-z]+))?", re.M)
PERIOD = re.compile(r"\b(\d+) (calendar )?(months?|days?)\b")


def test_every_route_the_documents_name_is_declared_and_every_route_is_documented():
    from jtec_forms.routes import ROUTES

    declared = {(route.method, route.path) for route in ROUTES}
    for document in (README, DESIGN):
        named = {(method, path) for method, path in ROUTE_NAMED.findall(document.read_text(encoding="utf-8"))}
        assert named == declared, document.name


def test_every_jtec_command_the_readme_shows_exists_and_every_command_is_shown():
    from jtec_staff.cli import main

    commands = {
        (group, name)
        for group, command in main.commands.items()
        for name in (getattr(command, "commands", None) or [""])  # a command of its own: ("digest", "")
    }
    text = README.read_text(encoding="utf-8")
    shown = set(JTEC_COMMAND.findall(text))
    shown |= {("erasures", "show")} if "jtec erasures list | show" in text else set()
    assert shown == commands


def test_every_period_the_documents_state_is_one_the_code_keeps():
    from jtec_forms import digest, retention, tokens
    from jtec_staff import queries

    kept = {entry.period for entry in retention.SCHEDULE}
    kept |= {
        f"{lifetime.days} days" if lifetime.days != 1 else "1 day"
        for lifetime in tokens.MAX_AGE.values()
        if lifetime
    }
    kept.add(f"{queries.EXPIRING_WITHIN_DAYS} days")
    kept |= {f"{digest.OLD_AFTER_DAYS} days", f"{digest.REQUESTS_WITHIN_DAYS} days"}  # the digest's settings
    for document in (README, DESIGN, FORMS):
        for number, calendar, unit in PERIOD.findall(document.read_text(encoding="utf-8")):
            stated = f"{number} {unit if unit.endswith('s') or number == '1' else unit + 's'}"
            if calendar:
                assert int(number) == retention.ENQUIRY.months, (document.name, stated)
            assert stated in kept, (document.name, stated)


def test_the_design_maps_table_names_files_by_full_paths_that_exist():
    text = DESIGN.read_text(encoding="utf-8")
    table = text[text.index("## 11. From a promise to its code and its test") :]
    files = [
        reference
        for line in table.splitlines()
        if line.startswith("|")
        for reference in CODE.findall(line)
        if re.search(r"\.(py|html|json|yaml|md|js|css)$|/$", reference) and not reference.startswith("/")
    ]
    assert files and [reference for reference in files if not (PROJECT_DIR / reference).exists()] == []
