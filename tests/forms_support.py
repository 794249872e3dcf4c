"""Helpers for the forms tests: Lambda invocations from a saved API Gateway event, unique people,
and the personal data they submitted (so log captures can be searched for it)."""

import copy
import functools
import json
import os
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlencode

from jtec_forms import retention
from jtec_forms.routes import BY_PATH
from local.api import LambdaContext

EVENT = json.loads((Path(__file__).parent / "events" / "http_api_post.json").read_text())
# Every name, email, phone and message a test submitted: none may ever appear in a log.
SUBMITTED_PERSONAL_DATA = set()


def person(**overrides):
    """A unique person's enquiry, registered as personal data."""
    token = uuid.uuid4().hex[:10]
    details = {
        "name": f"Ann Tester{token}",
        "email": f"ann.{token}@example.com",
        "phone": "028 9099 " + str(int(token[:6], 16) % 10000).zfill(4),
        "topic": "support",
        "message": f"My printer {token} prints nothing at all",
        "policy_version": "2018-05-25",
    }
    details.update(overrides)
    SUBMITTED_PERSONAL_DATA.update(
        value for key, value in details.items() if key in ("name", "email", "phone", "message") and value
    )
    return details


# The address of a CloudFront edge: the API's source IP for every visitor behind it.
EDGE_IP = "130.176.0.10"


def event(
    path,
    body=None,
    content_type="application/json",
    raw=None,
    source_ip="203.0.113.10",
    query=None,
    headers=None,
    through_cloudfront=True,
):
    """The saved API Gateway event with this request's path, body and headers, as it arrives through
    CloudFront (the origin secret, the visitor's address as `source_ip`, the edge as the source IP), or
    (`through_cloudfront=False`) as a caller of the API's own domain sends it."""
    built = copy.deepcopy(EVENT)
    if raw is None:
        raw = json.dumps(body) if content_type == "application/json" else urlencode(body or {})
    built["rawPath"] = built["requestContext"]["http"]["path"] = path
    built["body"] = raw
    built["headers"]["content-type"] = content_type
    built["headers"]["content-length"] = str(len(raw.encode()))
    built["headers"].update(headers or {})
    if through_cloudfront:
        from jtec_forms import config
        from jtec_forms.web import ORIGIN_HEADER, VIEWER_ADDRESS_HEADER

        built["headers"][ORIGIN_HEADER] = config.origin_secret().decode()
        built["headers"][VIEWER_ADDRESS_HEADER] = f"{source_ip}:50123"
        built["requestContext"]["http"]["sourceIp"] = EDGE_IP
    else:
        built["requestContext"]["http"]["sourceIp"] = source_ip
    built["requestContext"]["requestId"] = uuid.uuid4().hex
    if query:
        built["queryStringParameters"] = query
        built["rawQueryString"] = urlencode(query)
    return built


def invoke(path, body=None, **options):
    """Call the path's Lambda handler as API Gateway would; return (status, headers, parsed body)."""
    import importlib

    route = BY_PATH[path]
    context = LambdaContext(route.function)
    result = importlib.import_module(route.handler_module).lambda_handler(
        event(path, body, **options), context
    )
    headers = {name.lower(): value for name, value in (result.get("headers") or {}).items()}
    text = result.get("body") or ""
    parsed = json.loads(text) if headers.get("content-type", "").startswith("application/json") else text
    return result["statusCode"], headers, parsed


def resource_table():
    """The table through boto3's resource (scans, batch writes), for tests to set up and look: the
    functions use their own lighter table (jtec_forms/dynamodb.py)."""
    from jtec_forms import config

    return _dynamodb(os.environ.get("AWS_ENDPOINT_URL"), os.environ.get("AWS_DEFAULT_REGION")).Table(
        config.table_name()
    )


@functools.lru_cache(maxsize=4)
def _dynamodb(endpoint, region):
    """boto3's DynamoDB resource for one embedded AWS, made once (a new one costs ~20 ms)."""
    import boto3

    return boto3.resource("dynamodb", endpoint_url=endpoint, region_name=region)


def items():
    return resource_table().scan(ConsistentRead=True)["Items"]


def data_items():
    """Every item but the rate-limit counters (which count refused requests too)."""
    return [item for item in items() if not item["sk"].startswith(retention.RATE_LIMIT.sort_key)]


def enquiries():
    return [item for item in items() if item.get("kind") == "enquiry"]


def outbox(base_url, to=None):
    """The mails the local stack sent (to `to`), oldest first (`/_dev/outbox` lists them newest first)."""
    request = urllib.request.Request(base_url + "/_dev/outbox", headers={"Accept": "application/json"})
    with urllib.request.urlopen(request) as answer:
        mails = list(reversed(json.load(answer)))
    return [mail for mail in mails if to is None or mail["to"] == to]


def dev_post(base_url, path, body, content_type="application/json", host=None):
    """POST to a dev route of the local server; return (status, parsed JSON answer)."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": content_type, **({"Host": host} if host else {})}
    request = urllib.request.Request(base_url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as refused:
        return refused.code, json.load(refused)
