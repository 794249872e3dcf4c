"""`make serve`'s server as a real process: the site, the forms' API and `/_dev/` on one 127.0.0.1 port."""

import json
import urllib.error
import urllib.request

import pytest

from local.security_headers import SECURITY_HEADERS
from local.serve import spawn
from tests.forms_support import person

pytestmark = [pytest.mark.build, pytest.mark.aws, pytest.mark.process]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    process, base_url = spawn(tmp_path_factory.mktemp("serve-output"))
    yield base_url
    process.terminate()
    process.wait(timeout=10)


def post_enquiry(base_url):
    """An enquiry sent over HTTP as the contact page's script sends it: (status, headers, JSON answer)."""
    request = urllib.request.Request(
        base_url + "/api/enquiry",
        data=json.dumps(person()).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:
        return answer.status, dict(answer.headers), json.load(answer)


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
    status, headers, answer = post_enquiry(served)
    assert status == 201 and headers["X-Content-Type-Options"] == "nosniff"
    reference = answer["reference"]
    _, _, body = get(served + "/_dev/items", accept="application/json")
    assert [item["reference"] for item in json.loads(body) if item.get("kind") == "enquiry"] == [reference]


@pytest.fixture(scope="module")
def previewed(tmp_path_factory):
    """`make preview`'s server: the production build served as it is."""
    output = tmp_path_factory.mktemp("preview-output")
    process, base_url = spawn(output, "--preview")
    yield base_url, output
    process.terminate()
    process.wait(timeout=10)


def test_preview_serves_the_production_build_without_drafts_at_its_own_address(previewed):
    url, _ = previewed
    _, _, body = get(url + "/privacy/")
    assert f'<link rel="canonical" href="{url}/privacy/">' in body
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(url + "/privacy/versions/2027-01-01/")  # a draft: only local builds show it
    assert missing.value.code == 404


def test_preview_never_rebuilds_and_its_forms_work(previewed):
    url, output = previewed
    before = (output / "index.html").stat().st_mtime_ns
    get(url + "/")
    assert (output / "index.html").stat().st_mtime_ns == before
    status, _, answer = post_enquiry(url)
    assert status == 201 and answer["reference"].startswith("ENQ-")


def test_preview_has_no_dev_routes(previewed):
    url, _ = previewed
    for path in ("/_dev/outbox", "/_dev/items", "/_dev/"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(url + path, accept="application/json")
        assert missing.value.code == 404, path


def test_the_lines_make_serve_prints_run_jtec_as_pasted_in_any_folder(tmp_path):
    import subprocess
    import sys
    import threading

    from project import PROJECT_DIR

    process = subprocess.Popen(
        [sys.executable, "-m", "local.serve", "--port", "0", "--output", str(tmp_path / "output")],
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        exports = []
        for line in process.stdout:
            if line.strip().startswith("export "):
                exports.append(line.strip())
            if len(exports) == 4:
                break
        threading.Thread(target=process.stdout.read, daemon=True).start()
        pasted = "\n".join([*exports, "jtec enquiries list --json"])
        # A new terminal: its own folder, a PATH without the project's virtualenv, no AWS settings.
        terminal = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)}
        done = subprocess.run(
            ["bash", "-c", pasted], cwd=tmp_path, env=terminal, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout) == []
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("json_logs", [False, True], ids=["one line a request", "json logs"])
def test_the_terminal_shows_one_line_a_request_and_the_functions_json_logs_only_when_asked(
    tmp_path, json_logs
):
    import subprocess
    import sys

    from project import PROJECT_DIR

    command = [sys.executable, "-m", "local.serve", "--port", "0", "--output", str(tmp_path / "output")]
    process = subprocess.Popen(
        command + (["--json-logs"] if json_logs else []),
        cwd=PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    from local.serve import SERVING

    for line in process.stdout:
        if SERVING.match(line):
            base_url = SERVING.match(line).group(1)
            break
    assert post_enquiry(base_url)[0] == 201
    process.terminate()
    rest = process.communicate(timeout=10)[0].splitlines()
    assert [line for line in rest if line.endswith(" POST /api/enquiry 201") and len(line) < 40]
    logged = [line for line in rest if line.startswith("{") and "enquiry accepted" in line]
    assert bool(logged) == json_logs
