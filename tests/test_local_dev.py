"""The dev-only routes of the local server (`/_dev/`): what they show, and what they refuse."""

import json
import urllib.error
import urllib.request

import pytest

from tests.forms_support import dev_post, resource_table


def test_dev_index_names_the_embedded_dynamodb(forms):
    with urllib.request.urlopen(forms + "/_dev/") as answer:
        index = json.load(answer)
    assert index["dynamodb_endpoint"].startswith("http://127.0.0.1:")
    assert index["table"] == "jtec-local"


def test_the_clock_moves_forward_by_whole_or_part_days(forms):
    status, answer = dev_post(forms, "/_dev/clock", {"advance_days": 1.5})
    assert status == 200
    assert "now" in answer


@pytest.mark.parametrize(
    "body",
    [
        b'{"advance_days": "soon"}',
        b'{"advance_days": NaN}',
        b'{"advance_days": Infinity}',
        b'{"advance_days": 1e9}',
        b'{"advance_days": 3000000}',
        b'{"advance_days": -1}',
        b'{"advance_days": true}',
        b"{}",
        b"not json",
    ],
)
def test_the_clock_refuses_what_is_not_a_sensible_number_of_days(forms, body):
    status, answer = dev_post(forms, "/_dev/clock", body)
    assert status == 400
    assert answer["errors"][0]["field"] == "advance_days"


def test_after_a_refused_move_the_clock_and_the_sweeper_still_work(forms):
    dev_post(forms, "/_dev/clock", b'{"advance_days": 1e400}')
    status, _ = dev_post(forms, "/_dev/clock", {"advance_days": 1})
    assert status == 200


def test_a_cross_site_form_post_to_the_clock_is_refused(forms):
    status, _ = dev_post(forms, "/_dev/clock", b'{"advance_days": 1}', content_type="text/plain")
    assert status == 415


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_the_dev_routes_answer_only_to_a_local_host_name(forms, host):
    status, answer = dev_post(forms, "/_dev/clock", {"advance_days": 1}, host=host)
    assert status == 403
    request = urllib.request.Request(forms + "/_dev/items", headers={"Host": host})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)
    assert refused.value.code == 403


def test_the_dev_routes_answer_to_localhost(forms):
    port = forms.rsplit(":", 1)[1]
    request = urllib.request.Request(forms + "/_dev/", headers={"Host": f"localhost:{port}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200


def test_the_background_sweep_scans_only_once_something_may_have_expired(forms, monkeypatch):
    from jtec_forms import clock
    from local import sweeper

    table = resource_table()
    soon = int(clock.now().timestamp()) + 2 * 3600
    table.put_item(Item={"pk": "TEST#sweep", "sk": "ITEM", "expires_at": soon})
    background = sweeper.Sweeper(table)
    assert background.sweep() == 0
    assert background.next_due == soon  # sooner than anything written from now on can expire
    scans = []
    real_scan = sweeper.expired_keys
    monkeypatch.setattr(sweeper, "expired_keys", lambda *args: scans.append(args) or real_scan(*args))
    clock.advance(1 / 24)
    assert background.sweep_if_due() == 0 and scans == []
    clock.advance(2 / 24)
    assert background.sweep_if_due() == 1 and len(scans) == 1
    assert "Item" not in table.get_item(Key={"pk": "TEST#sweep", "sk": "ITEM"})


def test_a_started_sweeper_sweeps_at_once_so_a_busy_first_minute_is_never_scanned(forms):
    from local import sweeper

    background = sweeper.Sweeper(resource_table(), interval=3600).start()
    try:
        assert background.thread.is_alive()
        for _ in range(1000):  # up to 10 s, for a busy machine
            if background.next_due is not None:
                break
            background.stopped.wait(0.01)
        assert background.next_due is not None  # the first sweep ran without waiting out the hour
    finally:
        background.stop()


def moto_request(endpoint, headers):
    """A DynamoDB ListTables call to the embedded moto, as boto3 or a web page would send it."""
    request = urllib.request.Request(
        endpoint + "/",
        data=b"{}",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/eu-west-2/dynamodb/aws4_request",
            **headers,
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.read().decode(), answer.headers
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode(), refused.headers


def test_the_embedded_aws_answers_tools_on_this_machine(forms):
    import os

    status, body, _ = moto_request(os.environ["AWS_ENDPOINT_URL"], {})
    assert status == 200 and "jtec-local" in body


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "http://evil.example"}, {"Origin": "null"}, {"Host": "evil.example"}],
    ids=["web-page", "sandboxed-page", "rebound-name"],
)
def test_the_embedded_aws_refuses_web_pages_and_other_hosts(forms, headers):
    import os

    status, body, answer_headers = moto_request(os.environ["AWS_ENDPOINT_URL"], headers)
    assert status == 403
    assert "jtec-local" not in body
    assert "Access-Control-Allow-Origin" not in answer_headers


def test_each_server_builds_into_a_folder_of_its_own_never_make_builds_output():
    from local.serve import default_output
    from project import PROJECT_DIR

    folders = {default_output(8000, False), default_output(8001, False), default_output(8000, True)}
    assert len(folders) == 3 and str(PROJECT_DIR / "output") not in folders
    assert default_output(0, False) != default_output(0, False)  # a free port: a fresh folder each time


def test_the_serve_banner_says_which_days_policies_it_shows(monkeypatch):
    from local.serve import policies_shown

    monkeypatch.delenv("POLICY_DATE", raising=False)
    assert policies_shown() == "with the policies in force today"
    monkeypatch.setenv("POLICY_DATE", "2027-03-01")
    assert policies_shown() == "with the policies as on 1 March 2027 (POLICY_DATE)"
    monkeypatch.setenv("POLICY_DATE", "2027-02-30")
    assert "not a date" in policies_shown()


def test_the_outbox_lists_mail_newest_first_in_its_page_and_its_json_alike(forms):
    import json
    import urllib.request

    from lxml import html

    from tests.forms_support import invoke, outbox, person

    for details in (person(), person()):
        invoke("/api/enquiry", details)
    request = urllib.request.Request(forms + "/_dev/outbox", headers={"Accept": "application/json"})
    with urllib.request.urlopen(request) as answer:
        listed = [mail["subject"] for mail in json.load(answer)]
    with urllib.request.urlopen(forms + "/_dev/outbox") as answer:
        shown = [heading.text_content() for heading in html.fromstring(answer.read()).iter("h2")]
    assert shown == listed and len(listed) == 2
    assert [mail["subject"] for mail in outbox(forms)] == list(
        reversed(listed)
    )  # the tests' helper: oldest first
