"""`make bench`: run every benchmark (each prints its detail as it goes), then print one report and write
it to docs/performance.md with the machine and the date."""

import datetime
import os
import platform
from pathlib import Path

from bench import (
    artefact,
    calls,
    cold_start,
    erasure,
    handlers,
    inner_loop,
    lighthouse,
    load,
    newsletter,
    page_weight,
    policy_build,
    timing,
)
from bench.report import REPORT_HEADERS, print_table

REPORT = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def markdown_table(rows, headers=REPORT_HEADERS):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def main():
    figures = []
    print("\n# bench.calls ...", flush=True)
    call_rows = calls.main()  # against the embedded AWS, before the handlers benchmark stubs it out
    # The handlers benchmark stubs DynamoDB and SES out of this process: it runs last.
    for benchmark in (
        artefact,
        page_weight,
        lighthouse,
        policy_build,
        inner_loop,
        timing,
        erasure,
        load,
        newsletter,
        cold_start,
        handlers,
    ):
        print(f"\n# {benchmark.__name__} ...", flush=True)
        figures += benchmark.main()
    rows = [figure.row() for figure in figures]
    print_table("The report (docs/performance.md)", REPORT_HEADERS, rows)
    machine = f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    REPORT.write_text(
        "# Performance\n\n"
        "Written by `make bench` (do not edit by hand). Each comparison is measured in the same run; figures\n"
        "are medians after a warm-up, or the best of several runs, as each benchmark under `bench/` says.\n\n"
        f"Machine: {machine}. Date: {datetime.date.today().isoformat()}.\n\n" + markdown_table(rows) + "\n\n"
        "## AWS calls per request\n\n"
        + (calls.__doc__ or "").replace("\n", " ").strip()
        + "\n\n"
        + markdown_table(call_rows, calls.HEADERS)
        + "\n",
        encoding="utf-8",
    )
    print(f"\nWritten to {REPORT}")


main()
