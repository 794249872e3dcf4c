"""Turns HTTP requests to `/api/*` into API Gateway HTTP API (payload v2) events for the Lambda handlers,
as API Gateway does in AWS, and their answers back into HTTP responses."""

import base64
import datetime
import threading
import uuid

from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Response

from jtec_forms.routes import BY_PATH, DEFAULT_ROUTE_FUNCTION
from local.app import json_error, json_response

# Served by the local server only, for people and the fuzz tests: in AWS the document is not deployed.
OPENAPI_PATH = "/api/openapi.json"
API_GATEWAY_MAX_BODY = 10 * 1024 * 1024
NO_STORE = {"Cache-Control": "no-store"}

# In AWS each function instance handles one event at a time. Here all functions share one process, and
# each function's router keeps the event it is answering (jtec_forms/router.py), so one lock runs one
# invocation at a time across all functions; the TTL sweeper takes it too, so it never races the
# API on an item. (Concurrency between instances is DynamoDB's job: conditions and claims in store.py.)
INVOCATION_LOCK = threading.Lock()


class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    def __init__(self, function_name):
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 256
        self.invoked_function_arn = f"arn:aws:lambda:eu-west-2:000000000000:function:{function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self):
        return 10_000


def cloudfront_headers(request):
    """The request's headers as CloudFront passes them to the API: what a client sent in CloudFront's
    own headers is replaced by CloudFront's values, the origin secret (`X-Origin-Verify`) and the
    viewer's address and port (`CloudFront-Viewer-Address`)."""
    import os

    from jtec_forms.web import ORIGIN_HEADER, VIEWER_ADDRESS_HEADER

    headers = {name.lower(): value for name, value in request.headers.items()}
    address = request.remote_addr or "127.0.0.1"
    port = request.environ.get("REMOTE_PORT") or "0"
    headers[ORIGIN_HEADER] = os.environ.get("ORIGIN_SECRET", "")
    headers[VIEWER_ADDRESS_HEADER] = f"[{address}]:{port}" if ":" in address else f"{address}:{port}"
    return headers


def http_api_event(request):
    """The payload-v2 event API Gateway would send for this request, as CloudFront forwarded it."""
    body = request.get_data(cache=False)
    text_types = ("application/json", "application/x-www-form-urlencoded", "text/")
    is_text = any((request.content_type or "").startswith(kind) for kind in text_types)
    try:
        body_value, encoded = (body.decode("utf-8"), False) if is_text else (None, True)
    except UnicodeDecodeError:
        body_value, encoded = None, True
    if encoded:
        body_value = base64.b64encode(body).decode("ascii")
    now = datetime.datetime.now(datetime.UTC)
    query = request.args.to_dict(flat=False)
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": request.path,
        "rawQueryString": request.query_string.decode("latin-1"),
        "headers": cloudfront_headers(request),
        "queryStringParameters": {name: ",".join(values) for name, values in query.items()} or None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": request.host,
            "domainPrefix": "local",
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "sourceIp": request.remote_addr or "127.0.0.1",
                "userAgent": request.headers.get("User-Agent", ""),
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": "$default",
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": body_value,
        "isBase64Encoded": encoded,
    }


def to_response(result):
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    response = Response(data, status=result.get("statusCode", 200))
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = value
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, value)
    for cookie in result.get("cookies") or []:
        response.headers.add("Set-Cookie", cookie)
    return response


class ApiGateway:
    """Mounted on `/api/` and the routes' page addresses by the local server."""

    def __call__(self, request):
        import importlib

        if request.path == OPENAPI_PATH:
            from project.openapi import document

            return json_response(document(), headers=NO_STORE)
        route = BY_PATH.get(request.path)
        # Another method or path goes where API Gateway's $default route sends it (routes.py).
        function = route.function if route is not None else DEFAULT_ROUTE_FUNCTION
        if (request.content_length or 0) > API_GATEWAY_MAX_BODY:
            return json_error(413, "Request too large", headers=NO_STORE)
        try:
            event = http_api_event(request)
        except (OSError, ValueError, BadRequest):  # a malformed chunked body, or one cut off
            return json_error(400, "The request body is malformed", headers=NO_STORE)
        module = importlib.import_module(f"jtec_forms.handlers.{function}")
        with INVOCATION_LOCK:
            result = module.lambda_handler(event, LambdaContext(function))
        return to_response(result)
