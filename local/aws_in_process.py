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

Two costs of a call answered here are spared, as they would be by AWS for a call that never left a
machine (about a seventh of each call's time in the tests, where these calls are half of all the work):
- moto finds the handler for an address by matching it against every service's patterns, then every
  address of that service's backend; here that is done once per address (moto's handlers are its
  response classes' own, the same after a reset).
- SigV4's signature (four HMACs over a canonical form of the request) is not computed for a request
  answered here, which nothing checks: the request gets every header SigV4 writes, with the credential
  scope moto reads the region and account from, and a signature of zeros. A request to any other
  address, and every presigned URL, is signed as botocore signs it.
"""

import functools
import re
from urllib.parse import urlsplit

import botocore.auth
import botocore.handlers
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import NoCredentialsError

_ENDPOINTS = set()
UNCHECKED_SIGNATURE = "0" * 64


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


def _answered_here(url):
    address = urlsplit(url)
    return f"{address.scheme}://{address.netloc}" in _ENDPOINTS


@functools.lru_cache(maxsize=1024)
def _moto_handler(clean_url):
    """moto's handler for an AWS address without its query, found as moto's `BotocoreStubber` finds it
    (the first service whose pattern matches and whose backend has a matching address), or None."""
    import moto.backend_index as backend_index
    import moto.backends as backends
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.core.base_backend import BackendDict

    for service, pattern in backend_index.backend_url_patterns:
        if not pattern.match(clean_url):
            continue
        backend_dict = backends.get_backend(service)
        if isinstance(backend_dict, BackendDict):
            account = backend_dict[DEFAULT_ACCOUNT_ID]
            backend = account["us-east-1"] if "us-east-1" in account else account["aws"]
        else:
            backend = backend_dict["global"]
        for address, handler in backend.urls.items():
            if re.compile(address).match(clean_url):
                return handler
    return None


def _moto_answer(request):
    """(status, headers, body) from moto for an AWSPreparedRequest to an AWS address, or None."""
    from moto.core.botocore_stubber import BotocoreStubber
    from moto.core.exceptions import HTTPException
    from moto.core.request import normalize_request
    from moto.moto_api import recorder

    parts = urlsplit(request.url)
    handler = _moto_handler(f"{parts.scheme}://{parts.netloc}{parts.path}")
    if handler is None:
        return BotocoreStubber().process_request(request)
    normalized = normalize_request(request)
    recorder._record_request(normalized)
    try:
        return handler(normalized, normalized.raw_url, normalized.headers)
    except HTTPException as error:
        return error.code, error.get_headers(), error.get_body()


def _answer_here(request, **_):
    if not _answered_here(request.url):
        return None
    url = _aws_url(request)
    if url is None:
        return None
    from moto.core.botocore_stubber import MockRawResponse

    body = request.body.read() if hasattr(request.body, "read") else request.body
    if hasattr(request.body, "seek"):
        request.body.seek(0)  # a retry sends the same body again
    copy = AWSPreparedRequest(request.method, url, request.headers, body, stream_output=request.stream_output)
    answered = _moto_answer(copy)
    if answered is None:
        return None
    status, headers, content = answered
    return AWSResponse(url, status, headers, MockRawResponse(content))


_sign = botocore.auth.SigV4Auth.add_auth


def _add_auth(auth, request):
    """SigV4Auth.add_auth, but for a request answered here: SigV4's headers without its HMACs."""
    if isinstance(auth, botocore.auth.SigV4QueryAuth) or not _answered_here(request.url):
        return _sign(auth, request)
    if auth.credentials is None:
        raise NoCredentialsError()
    request.context["timestamp"] = botocore.auth.get_current_datetime().strftime(
        botocore.auth.SIGV4_TIMESTAMP
    )
    auth._modify_request_before_signing(request)
    auth._inject_signature_to_request(request, UNCHECKED_SIGNATURE)


if ("before-send", _answer_here) not in botocore.handlers.BUILTIN_HANDLERS:
    botocore.handlers.BUILTIN_HANDLERS.append(("before-send", _answer_here))
    botocore.auth.SigV4Auth.add_auth = _add_auth
