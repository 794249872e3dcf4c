"""Calls from this process to the embedded AWS, answered in this process.

The embedded AWS is moto's server in a thread of this process (local/stack.py): `jtec` in a terminal and
other processes reach it over HTTP. Code in the same process (the local server's functions, the tests,
`jtec` called from Python) would pay for that HTTP too: a new connection and thread per request
(werkzeug closes every connection), then moto's Flask dispatch, about 8.5 ms for a GetItem. This hands
the same request, signed and serialised by botocore as before, to the same moto backends as moto's own
`mock_aws` does (3.4 ms): what is stored, and every answer, is the server's.

A botocore handler on "before-send" in every session made after this module is imported: requests to
an endpoint registered by `serve(endpoint)` are answered here; any other request, or one whose service
moto's server cannot tell from the request, goes on over HTTP as before.
"""

import functools
from urllib.parse import urlsplit

import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse

_ENDPOINTS = set()


def serve(endpoint):
    """Answer this process's requests to `endpoint` in this process."""
    _ENDPOINTS.add(endpoint.rstrip("/"))


def forget(endpoint):
    _ENDPOINTS.discard(endpoint.rstrip("/"))


@functools.cache
def _dispatcher():
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


def _aws_url(request):
    """The AWS address moto's server would take this request for, or None when it cannot tell."""
    parts = urlsplit(request.url)
    headers = {
        name: value.decode() if isinstance(value, bytes) else value for name, value in request.headers.items()
    }
    environ = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    environ.update(PATH_INFO=parts.path, HTTP_HOST=parts.netloc)
    host = _dispatcher().infer_service_region_host(environ, parts.path)
    if host == "dynamodb":  # moto names its backend; the service's own address carries the region
        region = headers.get("Authorization", "").split(",")[0].split("/")[2:3]
        host = f"dynamodb.{region[0]}.amazonaws.com" if region else None
    if not host or "." not in host:
        return None
    return f"https://{host}{parts.path}" + (f"?{parts.query}" if parts.query else "")


def _answer_here(request, **_):
    address = urlsplit(request.url)
    if f"{address.scheme}://{address.netloc}" not in _ENDPOINTS:
        return None
    url = _aws_url(request)
    if url is None:
        return None
    from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse

    body = request.body.read() if hasattr(request.body, "read") else request.body
    if hasattr(request.body, "seek"):
        request.body.seek(0)  # a retry sends the same body again
    copy = AWSPreparedRequest(request.method, url, request.headers, body, stream_output=request.stream_output)
    answered = BotocoreStubber().process_request(copy)
    if answered is None:
        return None
    status, headers, content = answered
    return AWSResponse(url, status, headers, MockRawResponse(content))


if ("before-send", _answer_here) not in botocore.handlers.BUILTIN_HANDLERS:
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _answer_here))
