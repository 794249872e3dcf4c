"""The audit's evidence: each promise of docs/design.md section 11 ("From a promise to its code and its
test") with the tests that prove it and how they did in a run (`make audit` runs them with pytest's JUnit
report). A promise is proven when every test file it names ran at least one test and none failed.
`tests/conftest.py` stands for the whole run (its guards, such as the one that fails the run when a log
line holds personal data, act on every test): it counts every test of the run."""

import re
import xml.etree.ElementTree as ElementTree
from collections import Counter, defaultdict
from pathlib import Path

SECTION = "## 11. From a promise to its code and its test"
_TEST_FILE = re.compile(r"`(tests/[\w/]+\.py)`")


def promises(design_text):
    """(promise, [test files]) for each row of section 11's table."""
    section = design_text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("promise or rule", "") or set(cells[0]) <= {"-"}:
            continue
        rows.append((cells[0].replace("`", ""), _TEST_FILE.findall(cells[2])))
    return rows


def test_files(design_text):
    """Every test file section 11 names, once each (what `make audit` runs)."""
    return sorted({path for _, paths in promises(design_text) for path in paths})


WHOLE_RUN = "tests/conftest.py"


def outcomes(junit_path):
    """Per test file (and for WHOLE_RUN, the run): how many tests passed, failed (or errored), were
    skipped."""
    counts = defaultdict(Counter)
    for case in ElementTree.parse(junit_path).getroot().iter("testcase"):
        path = case.get("classname", "").split(".")
        # pytest names a module's tests tests.test_x (or tests.test_x.Class): the file is the first two.
        test_file = "/".join(path[:2]) + ".py"
        if case.find("failure") is not None or case.find("error") is not None:
            outcome = "failed"
        elif case.find("skipped") is not None:
            outcome = "skipped"
        else:
            outcome = "passed"
        counts[test_file][outcome] += 1
        counts[WHOLE_RUN][outcome] += 1
    return counts


def evidence(design_path, junit_path, commit, ran_at):
    """The evidence section: the run (commit, when) and each promise with its tests' result."""
    counts = outcomes(junit_path)
    found = []
    for promise, paths in promises(Path(design_path).read_text(encoding="utf-8")):
        files = [
            {"file": path, **{key: counts[path][key] for key in ("passed", "failed", "skipped")}}
            for path in paths
        ]
        if any(entry["failed"] for entry in files):
            result = "failed"
        elif not paths or any(entry["passed"] == 0 for entry in files):
            result = "unproven"
        else:
            result = "proven"
        found.append({"promise": promise, "tests": files, "result": result})
    return {"commit": commit, "ran_at": ran_at, "promises": found}


if __name__ == "__main__":  # `make audit`: the test files to run, from docs/design.md
    print(
        " ".join(
            test_files(
                (Path(__file__).resolve().parents[2] / "docs" / "design.md").read_text(encoding="utf-8")
            )
        )
    )
