"""The edit-test loop: `make check` (ruff, then the fast tier of tests on both cores) timed as a developer
runs it, the median of three runs (target: under 30 s on this 2-core machine). Then one more run of the
same tests in one process (`-n 0`) with bench/check_breakdown.py loaded, which says where the tests' time
goes: the AWS calls against the embedded AWS (by the part of the project that made them, and by
operation), the Pelican builds, and everything else."""

import collections
import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from bench.report import Figure, met, print_table
from project import PROJECT_DIR

RUNS = 3
TARGET_SECONDS = 30
BREAKDOWN_ARGUMENTS = "-n 0 -p bench.check_breakdown"


def _make_check(pytest_arguments="", environment=None):
    """Run `make check` (with extra pytest arguments); its wall time in seconds and the number of tests passed."""
    start = time.perf_counter()
    run = subprocess.run(
        ["make", "-s", "check", f"PYTEST_ARGS={pytest_arguments}"],
        cwd=PROJECT_DIR,
        env={**os.environ, **(environment or {})},
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"make check failed:\n{(run.stdout + run.stderr)[-3000:]}")
    passed = re.search(r"(\d+) passed", run.stdout)
    return elapsed, int(passed.group(1)) if passed else 0


def _breakdown():
    """One run in one process with the breakdown plugin; what it wrote."""
    with tempfile.TemporaryDirectory(prefix="check-breakdown-") as folder:
        written = Path(folder, "breakdown.json")
        _make_check(BREAKDOWN_ARGUMENTS, {"CHECK_BREAKDOWN": str(written)})
        return json.loads(written.read_text(encoding="utf-8"))


def _by_time(calls, key):
    """The calls' count and seconds summed for each value of `key` (a function of a call), most seconds first."""
    totals = collections.defaultdict(lambda: [0, 0.0])
    for call in calls:
        _, _, count, seconds = call
        totals[key(call)][0] += count
        totals[key(call)][1] += seconds
    return sorted(totals.items(), key=lambda entry: -entry[1][1])


def _share_rows(found):
    tests_seconds = sum(duration for _, _, duration in found["tests"])
    rows = []
    accounted = 0.0
    for part, (count, seconds) in _by_time(found["calls"], lambda call: call[0]):
        rows.append([f"AWS calls made by {part}/", count, f"{seconds:.1f}", f"{seconds / tests_seconds:.0%}"])
        accounted += seconds
    builds = sum(found["builds"])
    rows.append(["Pelican builds", len(found["builds"]), f"{builds:.1f}", f"{builds / tests_seconds:.0%}"])
    rest = tests_seconds - accounted - builds
    rows.append(["everything else", "", f"{rest:.1f}", f"{rest / tests_seconds:.0%}"])
    rows.append(
        [
            "the tests, in one process",
            len({node for node, _, _ in found["tests"]}),
            f"{tests_seconds:.1f}",
            "",
        ]
    )
    return rows


def _operation_rows(found, shown=8):
    ranked = _by_time(found["calls"], lambda call: call[1])[:shown]
    return [
        [operation, count, f"{seconds:.1f}", f"{seconds / count * 1000:.1f}"]
        for operation, (count, seconds) in ranked
    ]


def main():
    runs = [_make_check() for _ in range(RUNS)]
    seconds = [elapsed for elapsed, _ in runs]
    tests = runs[0][1]
    print_table(
        "make check, as a developer runs it",
        ["run", "seconds", "tests passed"],
        [[number, f"{elapsed:.1f}", passed] for number, (elapsed, passed) in enumerate(runs, 1)],
    )
    found = _breakdown()
    print_table(
        "Where the tests' time goes (one process)", ["part", "count", "seconds", "share"], _share_rows(found)
    )
    print_table(
        "AWS operations by time", ["operation", "calls", "seconds", "ms a call"], _operation_rows(found)
    )
    median = statistics.median(seconds)
    return [
        Figure(
            f"`make check` (ruff and {tests} tests on {os.cpu_count()} cores), median of {RUNS} runs",
            f"{median:.1f} s",
            target=f"< {TARGET_SECONDS} s",
            met=met(median < TARGET_SECONDS),
        )
    ]


if __name__ == "__main__":
    main()
