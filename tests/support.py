"""Helpers the tests share: a real server on a free loopback port, and the built site's pages."""

import contextlib
import os
import threading
from pathlib import Path

from local.server import STOP_CHECK_SECONDS, make_local_server

# The Google Analytics id the test builds carry, so consent can be tested.
TEST_MEASUREMENT_ID = "G-TEST12345"
# `make check` tries each property on a tenth of the generated examples (EXAMPLES_SCALE=0.1) to keep the
# edit-test loop short; `make test` (and CI) on all of them.
EXAMPLES_SCALE = float(os.environ.get("EXAMPLES_SCALE", "1"))


def examples(count):
    """How many generated examples a property tries: `count`, scaled down in `make check`."""
    return max(10, round(count * EXAMPLES_SCALE))


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
    "/news/": "News",
    "/newsletter/": "Newsletter",
    "/your-data/": "Your data",
    "/cookies/": "Cookies",
    "/privacy/": "Privacy and Security Policy",
}

# The real privacy policy's history, version and changes pages.
POLICY_PAGES = [
    "/privacy/versions/",
    "/privacy/versions/2018-05-25/",
    "/privacy/versions/2027-01-01/",
    "/privacy/changes/2027-01-01/",
]


@contextlib.contextmanager
def running_server(app):
    """Serve a WSGI app on 127.0.0.1 on a free port in a thread; yield its base URL."""
    server = make_local_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, args=(STOP_CHECK_SECONDS,), daemon=True)
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


class StallingProxy:
    """A TCP proxy in front of a server (moto) that can stop answering, as a stalled AWS endpoint does:
    while `stalled`, requests still reach the server but no answer comes back; with `stall_on`, only
    connections that send those bytes lose their answers from then on."""

    def __init__(self, target_host, target_port):
        import socket

        self.target = (target_host, target_port)
        self.stalled = False
        self.stall_on = None
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        import socket

        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            connection = {"stalled": self.stalled}
            threading.Thread(target=self._requests, args=(client, upstream, connection), daemon=True).start()
            threading.Thread(target=self._answers, args=(upstream, client, connection), daemon=True).start()

    def _requests(self, client, upstream, connection):
        try:
            while data := client.recv(65536):
                if self.stalled or (self.stall_on is not None and self.stall_on in data):
                    connection["stalled"] = True
                upstream.sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()

    def _answers(self, upstream, client, connection):
        try:
            while data := upstream.recv(65536):
                if not connection["stalled"]:
                    client.sendall(data)
        except OSError:
            pass
        finally:
            client.close()

    def close(self):
        self.closing = True
        self.listener.close()


# In a browser: what is wider than the screen, or cuts off its text (an empty list when nothing is).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    if (element.closest(".visually-hidden, [hidden], .form-honeypot, .skip-link:not(:focus)")) continue;
    const box = element.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;  // nothing to see, or visually hidden on purpose
    const name = element.tagName.toLowerCase() + (element.className ? "." + element.className : "");
    if (box.right > width + 0.5 || box.left < -0.5) found.push(name + " is " + Math.round(box.width) + "px wide");
    const style = getComputedStyle(element);
    const clips = ["hidden", "clip"].includes(style.overflowX) || ["hidden", "clip"].includes(style.overflowY);
    if (clips && (element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1)) {
      found.push(name + " cuts off its text");
    }
  }
  return found;
}"""
