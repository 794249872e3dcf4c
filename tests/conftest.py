"""Fixtures: the real Pelican build of the site, a real server over it, headless Chromium."""

import logging
import os
import sys

import botocore.loaders
import botocore.session
import pytest
from hypothesis import settings

from local import aws_in_process  # noqa: F401 (before any botocore session: each then answers the embedded AWS here)
from local.app import LocalSite
from local.heap import keep_full_collections_short
from project.site import build_site, keep_pelican_warm
from tests.support import CHROMIUM, CHROMIUM_ARGS, TEST_MEASUREMENT_ID, examples, running_server

# Properties without their own count try hypothesis's default of 100 examples, scaled in `make check`.
settings.register_profile("jtec", max_examples=examples(100))
settings.load_profile("jtec")

# The tests build the site dozens of times: each build forks from a process with Pelican imported.
keep_pelican_warm()
# A test process holds every module the project imports (Pelican's, botocore's models, moto, hypothesis),
# so each full garbage collection walked all of it again: 4 to 5 s of a worker's `make check`. Frozen
# after each, as in the local server (local/heap.py), a collection walks what the tests made since: 1.5 s.
keep_full_collections_short()


def _one_data_loader_for_every_session():
    """Every botocore session the tests make (a hundred: each `make publish`, `jtec` and handler run makes
    its own, as each runs in its own process outside the tests) reads AWS's service models through one
    loader, so each model file is parsed once per test process, not once per session (4 s of test_deploy)."""
    shared = botocore.loaders.create_loader()

    def register(session):
        session._components.lazy_register_component("data_loader", lambda: shared)

    botocore.session.Session._register_data_loader = register


_one_data_loader_for_every_session()

# A test's tier follows from the fixtures it uses (pyproject.toml declares the markers), so no test that
# needs a browser, moto or a Pelican build can miss its mark; modules that build or serve by themselves
# say so with `pytestmark`.
TIER_FIXTURES = {"browser": "browser", "forms_site": "aws", "built_site": "build"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, tier in TIER_FIXTURES.items():
            if fixture in item.fixturenames:
                item.add_marker(tier)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """A `make check` worker, once pytest is done with it (its results are with the main process), ends
    without tearing down its interpreter: freeing a worker's heap object by object took 1.5 to 3 s, which
    the main process waited out."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def pytest_collection_finish(session):
    """Stop before the first test, with one line, when browser tests are selected and there is no browser."""
    if not os.access(CHROMIUM, os.X_OK) and any(item.get_closest_marker("browser") for item in session.items):
        pytest.exit(
            f"No Chromium at {CHROMIUM}: run 'sudo apt-get install chromium chromium-driver' "
            "(or 'make check' for the tests without a browser)",
            returncode=1,
        )


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The site as `make serve` builds it, with an analytics id so consent can be tested."""
    output = tmp_path_factory.mktemp("site")
    build_site(output, settings={"GA_MEASUREMENT_ID": TEST_MEASUREMENT_ID})
    return output


@pytest.fixture(scope="session")
def site_url(built_site):
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    with running_server(LocalSite(built_site)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.set_default_timeout(15_000)
    yield context
    context.close()


class _LogRecorder(logging.Handler):
    """Keeps every log record emitted anywhere during the run, with its extra fields."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(f"{record.getMessage()} {record.__dict__!r}")


LOG_RECORDER = _LogRecorder()


@pytest.fixture(scope="session", autouse=True)
def record_all_logs():
    """Attach the recorder to the root logger and to the forms' own (Powertools does not propagate, and
    sets up its logger's handlers when created, so it is created first). When the session ends, the
    whole run's logs must hold no name, email, phone or message a test submitted: a leak fails the run
    (as an error of this fixture, which also works in each `make check` worker)."""
    from jtec_forms.logs import logger as forms_logger
    from tests.forms_support import SUBMITTED_PERSONAL_DATA

    loggers = [logging.getLogger(), logging.getLogger(forms_logger.name)]
    for logger in loggers:
        logger.addHandler(LOG_RECORDER)
    yield LOG_RECORDER
    for logger in loggers:
        logger.removeHandler(LOG_RECORDER)
    logged = "\n".join(LOG_RECORDER.lines)
    leaked = [value for value in SUBMITTED_PERSONAL_DATA if value in logged]
    if leaked:
        pytest.fail(
            f"PERSONAL DATA IN LOGS: {len(leaked)} values a test submitted were logged", pytrace=False
        )


LOCAL_AWS = []


@pytest.fixture(scope="session")
def forms_site(built_site):
    """The whole local stack, as `make serve` runs it: site, API handlers, moto, sweeper, `/_dev/`."""
    from local.serve import start_local_stack

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    site = LocalSite(built_site)
    with running_server(site) as base_url:  # no request comes before the stack is mounted on the site
        stack = start_local_stack(site, base_url, sweep_interval=3600)
        LOCAL_AWS[:] = [stack.aws]
        yield base_url
        stack.stop()


@pytest.fixture
def forms(forms_site):
    """A fresh embedded AWS (moto reset: an empty table made from the template again, an empty outbox)
    and the forms' clock at the start of the next rate-limit window, for each forms test; yields the
    site's base URL."""

    from jtec_forms import clock, rate_limits

    clock.reset()
    # Start at the beginning of a rate-limit window, so no test sees its counts reset half-way.
    into_window = clock.now().timestamp() % rate_limits.WINDOW_SECONDS
    clock.advance((rate_limits.WINDOW_SECONDS - into_window + 1) / 86400)
    LOCAL_AWS[0].empty()
    yield forms_site
    clock.reset()
