"""API Gateway events for the benchmarks, built by the local adapter from a werkzeug request."""

from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from local.api import http_api_event


def api_event(route, body, source_ip="127.0.0.1"):
    environ = EnvironBuilder(
        path=route.path, method=route.method, json=body, environ_base={"REMOTE_ADDR": source_ip}
    ).get_environ()
    return http_api_event(Request(environ))
