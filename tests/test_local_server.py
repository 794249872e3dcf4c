"""The local server behind `make serve`: pages, security headers, rebuild on edit, `/api/*` routing."""

import json
import shutil
import urllib.error
import urllib.request

import pytest
from lxml import html
from werkzeug.wrappers import Response

from local.app import LocalSite
from local.security_headers import SECURITY_HEADERS
from local.site_builder import WatchingBuilder
from project import PROJECT_DIR
from tests.support import running_server

pytestmark = pytest.mark.build


def fetch(url, method="GET", data=None):
    request = urllib.request.Request(url, method=method, data=data)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@pytest.fixture
def editable_site(tmp_path):
    """A copy of the content an editor can change, served by a server that rebuilds on change."""
    content = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", content)
    builder = WatchingBuilder(tmp_path / "output", content_dir=content)
    with running_server(LocalSite(tmp_path / "output", builder=builder)) as base_url:
        yield content, base_url


def test_every_response_carries_the_security_headers(site_url):
    for path in ["/", "/theme/css/site.css", "/no-such-page/", "/api/nothing"]:
        _, headers, _ = fetch(site_url + path)
        for name, value in SECURITY_HEADERS.items():
            assert headers[name] == value, (path, name)


def test_content_security_policy_allows_no_inline_script_or_style(site_url):
    _, headers, _ = fetch(site_url + "/")
    policy = headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy


def test_unknown_page_gets_404_with_the_sites_not_found_page(site_url):
    status, _, body = fetch(site_url + "/no-such-page/")
    assert status == 404
    assert "Page not found" in body


def test_directory_without_trailing_slash_redirects(site_url):
    request = urllib.request.Request(site_url + "/services")
    opener = urllib.request.build_opener(urllib.request.HTTPRedirectHandler())
    with opener.open(request) as response:
        assert response.url == site_url + "/services/"


def test_path_traversal_is_refused(site_url):
    status, _, body = fetch(site_url + "/../pyproject.toml")
    assert status == 404
    assert "jtec-site" not in body


def test_unknown_api_path_answers_json_404(site_url):
    status, headers, body = fetch(site_url + "/api/nothing", method="POST", data=b"{}")
    assert status == 404
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body)["errors"][0]["message"] == "Not found"


def test_api_paths_are_routed_to_a_mounted_handler(built_site):
    def echo(request):
        return Response(json.dumps({"path": request.path}), mimetype="application/json")

    with running_server(LocalSite(built_site, mounts={"/api/": echo})) as base_url:
        status, _, body = fetch(base_url + "/api/enquiry", method="POST", data=b"{}")
    assert status == 200
    assert json.loads(body) == {"path": "/api/enquiry"}


def test_editing_content_rebuilds_before_the_next_page_load(editable_site):
    content, base_url = editable_site
    _, _, before = fetch(base_url + "/services/")
    assert "Freshly edited paragraph" not in before
    page = content / "pages" / "services.md"
    page.write_text(page.read_text() + "\nFreshly edited paragraph.\n")
    status, _, after = fetch(base_url + "/services/")
    assert status == 200
    assert "Freshly edited paragraph" in after


def test_a_build_error_is_shown_to_the_editor_and_fixing_it_recovers(editable_site):
    content, base_url = editable_site
    broken = content / "pages" / "broken.md"
    broken.write_text("Title: Broken\nSlug: services\n\nDuplicate slug.\n")
    status, _, body = fetch(base_url + "/")
    assert status == 500
    assert "did not build" in body
    page = html.fromstring(body)
    style = page.find(".//link[@rel='stylesheet']").get("href")
    status, headers, css = fetch(base_url + style)
    assert status == 200 and headers["Content-Type"].startswith("text/css") and ".cookie-banner" in css
    assert page.find(".//pre") is None and "broken.md" in page.find(".//main").text_content()
    broken.unlink()
    status, _, _ = fetch(base_url + "/")
    assert status == 200


@pytest.mark.parametrize(
    "path", ["/" + "a" * 300, "/privacy/" + "é" * 200 + "/", "/" + "x" * 256 + "/index.html"]
)
def test_an_impossible_path_is_not_found(site_url, path):
    from urllib.parse import quote

    status, _, _ = fetch(site_url + quote(path))
    assert status == 404


def test_a_path_that_names_another_host_is_never_redirected_there(site_url):
    import http.client

    host, port = site_url.removeprefix("http://").split(":")
    for path in ("//privacy", "///privacy", "/\\privacy"):
        connection = http.client.HTTPConnection(host, int(port))
        connection.request("GET", path)
        answer = connection.getresponse()
        location = answer.getheader("Location")
        connection.close()
        assert location is None or (location.startswith("/") and not location.startswith(("//", "/\\"))), path
