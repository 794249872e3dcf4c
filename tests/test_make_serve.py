"""`make serve`'s server as a real process: the site, the forms' API and `/_dev/` on one 127.0.0.1 port."""

import json
import re
import subprocess
import sys
import urllib.request

import pytest

from local.security_headers import SECURITY_HEADERS
from local.site_builder import PROJECT_DIR
from tests.forms_support import person

pytestmark = [pytest.mark.build, pytest.mark.aws]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    output = tmp_path_factory.mktemp("serve-output")
    process = subprocess.Popen(
        [sys.executable, "-m", "local.serve", "--port", "0", "--output", str(output)],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        for line in process.stdout:
            found = re.search(r"Serving the JTec site on (http://127\.0\.0\.1:\d+)/", line)
            if found:
                yield found.group(1)
                break
        else:
            pytest.fail("the server never said where it listens")
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(url, accept="text/html"):
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": accept})) as answer:
        return answer.status, dict(answer.headers), answer.read().decode()


def test_serves_the_site_with_security_headers(served):
    status, headers, body = get(served + "/contact/")
    assert status == 200
    assert "Send enquiry" in body
    assert headers["Content-Security-Policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_dev_index_points_at_the_embedded_dynamodb(served):
    _, _, body = get(served + "/_dev/", accept="application/json")
    index = json.loads(body)
    assert index["dynamodb_endpoint"].startswith("http://127.0.0.1:")
    assert index["table"]


def test_an_enquiry_posted_over_http_is_stored_in_the_embedded_table(served):
    details = person()
    request = urllib.request.Request(
        served + "/api/enquiry",
        data=json.dumps(details).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 201
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        reference = json.load(answer)["reference"]
    _, _, body = get(served + "/_dev/items", accept="application/json")
    assert [item["reference"] for item in json.loads(body) if item.get("kind") == "enquiry"] == [reference]
