"""Timing, table printing and the one report shared by the benchmarks."""

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One row of the report: what was measured, ours, the baseline it is compared with (measured in the
    same run), their ratio, the target, and whether it is met ("" when there is no target)."""

    figure: str
    ours: str
    baseline: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""

    def row(self):
        return [self.figure, self.ours, self.baseline, self.ratio, self.target, self.met]


REPORT_HEADERS = ["figure", "ours", "baseline", "ratio", "target", "met"]


def met(ok):
    return "yes" if ok else "NO"


def best_of(repeat, function):
    """The fastest of `repeat` runs of `function`, in seconds (the least disturbed by the machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def print_table(title, headers, rows):
    cells = [[str(cell) for cell in row] for row in rows]
    widths = [max(len(str(header)), *(len(row[i]) for row in cells)) for i, header in enumerate(headers)]
    print(f"\n## {title}\n")
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |")
