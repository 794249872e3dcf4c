"""Fixtures: the real Pelican build of the site, a real server over it, headless Chromium."""

import logging

import pytest

from local.app import LocalSite
from local.site_builder import build_site
from tests.support import CHROMIUM, CHROMIUM_ARGS, running_server

TEST_MEASUREMENT_ID = "G-TEST12345"


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
    yield context
    context.close()
