"""Helpers the tests share: a real server on a free loopback port, and the built site's pages."""

import contextlib
import threading
from pathlib import Path

from local.server import make_local_server

# The Google Analytics id the test builds carry, so consent can be tested.
TEST_MEASUREMENT_ID = "G-TEST12345"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every page of the site foundation and the heading a visitor sees on it.
SITE_PAGES = {
    "/": "IT Support, Service and Maintenance",
    "/services/": "Services",
    "/contact/": "Contact us",
    "/newsletter/": "Newsletter",
    "/your-data/": "Your data",
    "/cookies/": "Cookies",
    "/privacy/": "Privacy and Security Policy",
}

# The real privacy policy's history, version and changes pages.
POLICY_PAGES = ["/privacy/versions/", "/privacy/versions/2018-05-25/", "/privacy/changes/2027-01-01/"]


@contextlib.contextmanager
def running_server(app):
    """Serve a WSGI app on 127.0.0.1 on a free port in a thread; yield its base URL."""
    server = make_local_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def html_files(output_dir):
    return sorted(Path(output_dir).rglob("*.html"))


def url_of(output_dir, html_file):
    """The URL path a built HTML file is served at."""
    relative = Path(html_file).relative_to(output_dir).as_posix()
    if relative.endswith("index.html"):
        return "/" + relative[: -len("index.html")]
    return "/" + relative
