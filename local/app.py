"""The local server's WSGI application: the built site, `/api/*` routed to handlers, security headers."""

import functools
import json
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join
from werkzeug.utils import redirect, send_from_directory
from werkzeug.wrappers import Request, Response

from local.security_headers import SECURITY_HEADERS
from project import PROJECT_DIR

TEMPLATES = Path(__file__).parent / "templates"


@functools.cache
def _templates():
    import jinja2

    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)


def render(template, **context):
    """One of the local server's own pages (local/templates/), escaped by Jinja."""
    return _templates().get_template(template).render(**context)


def json_response(body, status=200, headers=None):
    return Response(json.dumps(body, indent=2), status=status, headers=headers, mimetype="application/json")


def json_error(status, message, field=None, headers=None):
    """The API's error shape, for answers the local server gives itself."""
    return json_response({"errors": [{"field": field, "message": message}]}, status, headers)


class LocalSite:
    """Serves `output_dir`; requests under a mounted prefix go to that prefix's WSGI-style handler.

    `mounts` maps a path prefix (such as "/api/"), or one exact path (not ending in "/"), to a callable
    taking a werkzeug Request and returning a Response; the forms' API and the dev-only routes join here.
    """

    def __init__(self, output_dir, *, builder=None, mounts=None):
        self.output_dir = Path(output_dir)
        self.builder = builder
        self.mounts = dict(mounts or {})

    def __call__(self, environ, start_response):
        request = Request(environ)
        response = self.dispatch(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response(environ, start_response)

    def dispatch(self, request):
        for prefix, handler in self.mounts.items():
            if not prefix.endswith("/") and request.path != prefix:
                continue
            if request.path.startswith(prefix) or request.path == prefix.rstrip("/"):
                return handler(request)
        if request.path.startswith("/api/"):
            return json_error(404, "Not found")
        if self.builder is not None:
            if request.path == BUILD_ERROR_STYLE:  # the site's own styles, read from the theme, not the build
                return send_from_directory(
                    PROJECT_DIR / "theme" / "static" / "css", "site.css", request.environ
                )
            error = self.builder.rebuild_if_changed()
            if error:
                return build_error_page(error)
        return self.static_file(request)

    def static_file(self, request):
        if request.method not in ("GET", "HEAD"):
            return Response("Method not allowed", status=405, headers={"Allow": "GET, HEAD"})
        relative = request.path.lstrip("/")
        full_path = safe_join(str(self.output_dir), relative) if relative else str(self.output_dir)
        try:
            if full_path and Path(full_path).is_dir():
                if relative and not relative.endswith("/"):
                    return redirect("/" + relative + "/", code=301)  # one slash first: never another host
                relative = relative + "index.html"
            response = send_from_directory(self.output_dir, relative, request.environ)
        except (NotFound, OSError):  # OSError: no file system holds such a name (a segment over 255 bytes)
            return self.not_found_page(request)
        response.headers["Cache-Control"] = "no-cache"
        return response

    def not_found_page(self, request):
        page = self.output_dir / "404.html"
        body = page.read_bytes() if page.exists() else b"<h1>Page not found</h1>"
        return Response(body, status=404, mimetype="text/html")


# While the site does not build, its output may be half written: the error page takes the theme's styles
# from the source.
BUILD_ERROR_STYLE = "/_build-error/site.css"


def build_error_page(error):
    page = render("build_error.html", lines=error.splitlines(), style=BUILD_ERROR_STYLE)
    return Response(page, status=500, mimetype="text/html")
