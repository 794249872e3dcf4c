"""A pytest plugin for bench/inner_loop.py: where one run's test time goes. Loaded with
`-p bench.check_breakdown` and CHECK_BREAKDOWN=<file>, it writes to that file, as JSON, the time of
every test (setup, call and teardown), every AWS call (the operation, its seconds, and the part of the
project that made it: functions, staff, infra, tests or local) and every Pelican build.

It wraps botocore's `_make_api_call` and `project.site.build_site` as it is loaded, before any test
module imports them, so no test changes for it."""

import json
import os
import sys
import threading
import time
from pathlib import Path

import botocore.client

import project.site
from project import PROJECT_DIR

_PARTS = ("functions", "staff", "infra", "tests", "bench")  # a call none of these led to is local/'s
_tests = []
_calls = {}  # (part, operation) -> [count, seconds]
_builds = []
_lock = threading.Lock()
_inside = threading.local()


def _part_that_called():
    """The part of the project (functions, staff...) of the innermost of our frames that led to this call."""
    frame = sys._getframe(2)
    root = str(PROJECT_DIR) + os.sep
    while frame is not None:
        path = frame.f_code.co_filename
        part = path[len(root) :].split(os.sep)[0] if path.startswith(root) else None
        if part in _PARTS:
            return part
        frame = frame.f_back
    return "local"


_make_api_call = botocore.client.BaseClient._make_api_call


def _timed_api_call(client, operation, parameters):
    if getattr(_inside, "call", False):  # a call made while answering another is counted in it
        return _make_api_call(client, operation, parameters)
    part = _part_that_called()
    _inside.call = True
    start = time.perf_counter()
    try:
        return _make_api_call(client, operation, parameters)
    finally:
        elapsed = time.perf_counter() - start
        _inside.call = False
        with _lock:
            counted = _calls.setdefault((part, operation), [0, 0.0])
            counted[0] += 1
            counted[1] += elapsed


_build_site = project.site.build_site


def _timed_build_site(output_dir, **arguments):
    start = time.perf_counter()
    try:
        return _build_site(output_dir, **arguments)
    finally:
        with _lock:
            _builds.append(time.perf_counter() - start)


if os.environ.get("CHECK_BREAKDOWN"):
    botocore.client.BaseClient._make_api_call = _timed_api_call
    project.site.build_site = _timed_build_site


def pytest_runtest_logreport(report):
    _tests.append((report.nodeid, report.when, report.duration))


def pytest_sessionfinish(session):
    if not os.environ.get("CHECK_BREAKDOWN"):
        return
    Path(os.environ["CHECK_BREAKDOWN"]).write_text(
        json.dumps(
            {
                "tests": _tests,
                "calls": [[part, operation, *counted] for (part, operation), counted in _calls.items()],
                "builds": _builds,
            }
        ),
        encoding="utf-8",
    )
