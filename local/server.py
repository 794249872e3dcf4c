"""The local server's HTTP layer: werkzeug's threaded server, naming no software version in its answers
and refusing requests whose length is ambiguous (the root of request smuggling) with a 400."""

import time
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

# How often a server run in a thread (`serve_forever(STOP_CHECK_SECONDS)`) looks for a stop: stopping it
# waits this long at most (socketserver's default, half a second, was how long each stop took).
STOP_CHECK_SECONDS = 0.05


class LocalRequestHandler(WSGIRequestHandler):
    def version_string(self):
        return "JTec-local"

    def log_request(self, code="-", size="-"):
        """Nothing, or (make serve's terminal) one short line: the time, the method, the path without its
        query (an emailed link's token is in it) and the status."""
        if self.server.request_lines:
            path = urlsplit(self.path).path
            print(
                f"{time.strftime('%H:%M:%S')} {self.command} {path} {getattr(code, 'value', code)}",
                flush=True,
            )

    def parse_request(self):
        if not super().parse_request():
            return False
        lengths = self.headers.get_all("Content-Length") or []
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if len(lengths) > 1 or (lengths and chunked):
            self.send_error(400, "Ambiguous message length")
            return False
        return True


def make_local_server(host, port, app, request_lines=False):
    """A threaded server for `app` on host:port (port 0: a free one); with `request_lines`, one line a
    request on the terminal."""
    server = make_server(host, port, app, threaded=True, request_handler=LocalRequestHandler)
    server.request_lines = request_lines
    return server
