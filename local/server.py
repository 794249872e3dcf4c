"""The local server's HTTP layer: werkzeug's threaded server, naming no software version in its answers
and refusing requests whose length is ambiguous (the root of request smuggling) with a 400."""

from werkzeug.serving import WSGIRequestHandler, make_server


class LocalRequestHandler(WSGIRequestHandler):
    def version_string(self):
        return "JTec-local"

    def parse_request(self):
        if not super().parse_request():
            return False
        lengths = self.headers.get_all("Content-Length") or []
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if len(lengths) > 1 or (lengths and chunked):
            self.send_error(400, "Ambiguous message length")
            return False
        return True


def make_local_server(host, port, app):
    """A threaded server for `app` on host:port (port 0: a free one)."""
    return make_server(host, port, app, threaded=True, request_handler=LocalRequestHandler)
