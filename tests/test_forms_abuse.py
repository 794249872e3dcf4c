"""The forms against an attacker and a flaky network: no typed text in our mails, no enquiry lost or
blocked, limits that hold, honest answers when the store stalls, and a local server that frames, caches
and names nothing it should not."""

import importlib
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from lxml import html

from jtec_forms import clock, config, once, rate_limits, retention, routes, store, web
from jtec_forms.actions import enquiry as enquiry_actions
from local.api import LambdaContext
from project.template import read_template
from tests.forms_support import data_items, enquiries, invoke, items, outbox, person
from tests.support import StallingProxy
from tests.test_forms_subscription import newsletter_form

PHISHING_NAME = "there,\n\nYour account is locked. Restore it now: https://evil.example/login\n\n--"
STAFF = "staff@jtec.invalid"


def sign_up(email, source_ip="203.0.113.20", name="Ann Tester"):
    body = {"name": name, "email": email, "policy_version": "2018-05-25"}
    return invoke("/api/subscribe", body, source_ip=source_ip)


def post(base_url, path, body, method="POST", headers=None):
    """An HTTP request to the local server; returns (status, headers, body text)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base_url + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.headers, answer.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.headers, refused.read().decode()


def raw_request(base_url, request_bytes):
    """Send bytes as they are to the local server and return its status line."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as connection:
        connection.sendall(request_bytes)
        return connection.recv(4096).split(b"\r\n", 1)[0].decode()


def staff_mails_about(base_url, reference):
    return [mail for mail in outbox(base_url, to=STAFF) if reference in mail["subject"]]


# 1. Our mails carry nothing a person typed.


def test_a_name_with_line_breaks_is_refused_and_no_mail_is_sent(forms):
    status, _, body = sign_up("victim.one@example.com", name=PHISHING_NAME)
    assert status == 400
    assert body["errors"] == [
        {
            "field": "name",
            "message": "Full name must be on one line, without line breaks or control characters",
        }
    ]
    assert outbox(forms, to="victim.one@example.com") == []
    assert data_items() == []


def test_the_confirmation_mail_holds_none_of_the_text_a_person_typed(forms):
    name = "Ann see https://evil.example/login now"
    status, _, _ = sign_up("victim.two@example.com", name=name)
    assert status == 202
    [mail] = outbox(forms, to="victim.two@example.com")
    assert "evil.example" not in mail["text"]
    assert all(urlsplit(link).netloc == urlsplit(forms).netloc for link in mail["links"])


# 2. Concurrent requests to both functions through the local server.


def test_concurrent_requests_to_both_functions_each_get_their_own_answer(forms):
    people = [person() for _ in range(routes.ENQUIRY.client_limit)]
    sign_ups = [person() for _ in range(routes.SUBSCRIBE.client_limit)]
    answers = {}

    def send_enquiry(details):
        answers[details["email"]] = post(forms, "/api/enquiry", details)

    def send_sign_up(details):
        body = {
            "name": details["name"],
            "email": details["email"],
            "policy_version": "2018-05-25",
        }
        answers[details["email"]] = post(forms, "/api/subscribe", body)

    threads = [threading.Thread(target=send_enquiry, args=(details,)) for details in people]
    threads += [threading.Thread(target=send_sign_up, args=(details,)) for details in sign_ups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stored = {item["reference"]: item["email"] for item in enquiries()}
    for details in people:
        status, _, body = answers[details["email"]]
        assert status == 201
        assert stored[json.loads(body)["reference"]] == details["email"]
    assert len(stored) == len(people)
    assert [answers[details["email"]][0] for details in sign_ups] == [202] * len(sign_ups)


def test_parallel_confirmations_of_one_link_confirm_once(forms):
    email = "parallel@example.com"
    sign_up(email)
    [mail] = outbox(forms, to=email)
    token = next(link for link in mail["links"] if "/newsletter/confirm/" in link).split("token=")[1]
    answers = []

    def confirm():
        status, _, body = post(forms, "/api/subscribe/confirm", {"token": token})
        answers.append((status, json.loads(body).get("already", False)))

    threads = [threading.Thread(target=confirm) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One confirms; the others find the link used and say so, changing nothing.
    assert sorted(answers) == [(200, False), (200, True), (200, True), (200, True), (200, True)]
    assert len([item for item in data_items() if item["sk"].startswith(retention.USED_LINK.sort_key)]) == 1


# 3. A stranger cannot block someone's enquiry.


def test_an_enquiry_is_stored_when_its_newsletter_mail_is_over_the_limit(forms):
    victim = person(opt_in=True)
    statuses = [
        sign_up(victim["email"], source_ip="198.51.100.7")[0]
        for _ in range(rate_limits.MAILS_PER_MAILBOX + 1)
    ]
    assert statuses == [202] * rate_limits.MAILS_PER_MAILBOX + [429]
    mails_before = len(outbox(forms, to=victim["email"]))
    status, _, body = invoke("/api/enquiry", victim, source_ip="203.0.113.99")
    assert status == 201
    assert body["message"] == enquiry_actions.NEWSLETTER_LIMITED
    assert [item["reference"] for item in enquiries()] == [body["reference"]]
    assert len(outbox(forms, to=victim["email"])) == mails_before
    assert len(staff_mails_about(forms, body["reference"])) == 1


# 5. Limits on every form.


def test_enquiries_without_the_opt_in_box_are_limited_per_client(forms):
    statuses = [
        invoke("/api/enquiry", person(), source_ip="198.51.100.50")[0]
        for _ in range(routes.ENQUIRY.client_limit)
    ]
    assert statuses == [201] * routes.ENQUIRY.client_limit
    status, headers, body = invoke("/api/enquiry", person(), source_ip="198.51.100.50")
    assert status == 429
    assert 0 < int(headers["retry-after"]) <= rate_limits.WINDOW_SECONDS
    assert len(enquiries()) == routes.ENQUIRY.client_limit
    assert invoke("/api/enquiry", person(), source_ip="198.51.100.51")[0] == 201


def test_confirmation_links_are_limited_per_client(forms):
    statuses = [
        invoke("/api/subscribe/confirm", {"token": "not-a-token"}, source_ip="198.51.100.60")[0]
        for _ in range(routes.CONFIRM_SUBSCRIPTION.client_limit + 1)
    ]
    assert statuses == [400] * routes.CONFIRM_SUBSCRIPTION.client_limit + [429]


# 6. Honest answers when the store stalls, and a resend that is kept once.


@pytest.fixture
def stalling_store(forms, monkeypatch):
    """The functions' DynamoDB calls go through a proxy that can stop answering; SES stays direct."""
    with urllib.request.urlopen(forms + "/_dev/") as answer:
        endpoint = urlsplit(json.load(answer)["dynamodb_endpoint"])
    proxy = StallingProxy(endpoint.hostname, endpoint.port)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
    # The stall is waited out with a read timeout of a fifth of a second, not the deployed second (the
    # deployed budget is held to the function's timeout by the test after this fixture); `recover` ends
    # the stall and gives the calls after it the deployed timeout again, so a slow machine fails nothing.
    deployed = config.READ_TIMEOUT_SECONDS["dynamodb"]
    monkeypatch.setitem(config.READ_TIMEOUT_SECONDS, "dynamodb", 0.2)
    config.aws_client_config.cache_clear()
    store.table.cache_clear()

    def recover():
        proxy.stalled, proxy.stall_on = False, None
        config.READ_TIMEOUT_SECONDS["dynamodb"] = deployed
        config.aws_client_config.cache_clear()
        store.table.cache_clear()

    proxy.recover = recover
    yield proxy
    proxy.stalled, proxy.stall_on = False, None
    monkeypatch.undo()
    config.aws_client_config.cache_clear()
    store.table.cache_clear()
    proxy.close()


def test_every_aws_call_gives_up_in_time_to_answer_within_the_function_timeout():
    slowest = max(config.READ_TIMEOUT_SECONDS.values())
    worst = config.MAX_ATTEMPTS * (config.CONNECT_TIMEOUT_SECONDS + slowest)
    assert worst < function_timeout_seconds()  # a stalled service leaves time to answer 503


def function_timeout_seconds():
    return read_template()["Globals"]["Function"]["Timeout"]


def test_a_stalled_store_answers_503_within_the_function_timeout_and_a_resend_is_kept_once(
    forms, stalling_store
):
    details = person()
    stalling_store.stalled = True
    started = time.monotonic()
    status, headers, body = invoke("/api/enquiry", details)
    elapsed = time.monotonic() - started
    assert status == 503
    assert headers["retry-after"] == str(web.RETRY_AFTER_SECONDS)
    assert body["errors"][0]["message"] == web.MAYBE_SAVED  # a write was sent: its fate is unknown
    assert elapsed < function_timeout_seconds()
    stalling_store.recover()
    status, _, body = invoke("/api/enquiry", details)
    assert status == 201
    assert [item["reference"] for item in enquiries()] == [body["reference"]]
    assert len(staff_mails_about(forms, body["reference"])) == 1


def test_when_answers_are_lost_after_the_enquiry_is_written_a_resend_tells_staff_once(forms, stalling_store):
    details = person()
    stalling_store.stall_on = b"SET #done"  # the answer to "staff were told" never comes back
    status, _, body = invoke("/api/enquiry", details)
    [enquiry] = enquiries()
    assert status == 503
    assert body["errors"][0]["message"] == web.UNFINISHED.format(reference=enquiry["reference"])
    assert len(staff_mails_about(forms, enquiry["reference"])) == 1
    stalling_store.recover()
    clock.advance((once.STEP_LEASE_SECONDS + 1) / 86400)  # the lost attempt's lease runs out
    status, _, body = invoke("/api/enquiry", details)
    assert (status, body) == (201, {"reference": enquiry["reference"]})
    assert len(enquiries()) == 1
    assert len(staff_mails_about(forms, enquiry["reference"])) == 1
    status, _, body = invoke("/api/enquiry", details)
    assert (status, body) == (201, {"reference": enquiry["reference"]})
    assert len(staff_mails_about(forms, enquiry["reference"])) == 1


# 7. Input that can never be stored or delivered is a 400 that says why.


def test_an_address_that_mail_cannot_carry_is_refused(forms):
    status, _, body = invoke("/api/enquiry", person(email="ｒｔ.victim@example.com"))
    assert status == 400
    assert body["errors"] == [
        {
            "field": "email",
            "message": "Use an email address with only the letters a to z, numbers and symbols before the @",
        }
    ]
    assert data_items() == []


@pytest.mark.parametrize("field", ["name", "message", "phone"])
def test_a_lone_surrogate_in_any_text_field_is_refused(forms, field):
    details = person()
    raw = json.dumps(details).replace(
        json.dumps(details[field]), json.dumps(details[field])[:-1] + '\\ud800"'
    )
    status, _, body = invoke("/api/enquiry", raw=raw)
    assert status == 400
    assert [error["field"] for error in body["errors"]] == [field]
    assert data_items() == []


# 8. Headers, methods, true messages and framing.


def test_every_api_answer_forbids_caching(forms):
    answers = [
        invoke("/api/enquiry", person()),
        invoke("/api/enquiry", person(email="nope")),
        invoke("/api/enquiry", person(), content_type="application/x-www-form-urlencoded"),
        invoke("/api/enquiry", person(), content_type="text/plain"),
    ]
    assert [status for status, _, _ in answers] == [201, 400, 201, 415]
    assert {headers["cache-control"] for _, headers, _ in answers} == {"no-store"}
    for path in ("/api/enquiry", "/api/nowhere", "/api/openapi.json"):
        _, headers, _ = post(forms, path, None, method="GET")
        assert headers["Cache-Control"] == "no-store", path


def test_another_method_gets_405_naming_the_allowed_one(forms):
    status, headers, body = post(forms, "/api/enquiry", None, method="GET")
    assert status == 405
    assert headers["Allow"] == "POST"
    assert json.loads(body)["errors"][0]["message"] == "Use POST for this address"


@pytest.mark.parametrize("address", routes.PAGE_ADDRESSES)
def test_a_report_or_receipt_address_opened_again_says_it_was_shown_once_and_offers_a_new_link(
    forms, address
):
    status, headers, body = post(forms, address, None, method="GET")
    assert (status, headers["Allow"], headers["Cache-Control"]) == (405, "POST", "no-store")
    assert headers["Content-Type"].startswith("text/html")
    document = html.fromstring(body)
    assert document.findtext(".//main//h1") == routes.BY_PATH[address].page_title
    assert web.SHOWN_ONCE in document.find(".//div[@data-error-summary]").text_content()
    assert document.find(".//main//a[@href='" + routes.BY_PATH[address].new_link_page + "']").text == (
        "Ask for a new link"
    )
    assert document.find(".//main//form") is None


def test_only_the_exact_report_address_reaches_the_api(forms):
    status, headers, _ = post(forms, routes.CONFIRM_ACCESS.path + "/", None, method="GET")
    assert (status, headers["Content-Type"].split(";")[0]) == (404, "text/html")


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_any_other_address_under_the_api_gets_json_404_from_the_default_routes_function(forms, method):
    status, headers, body = post(forms, "/api/no-such-form", {} if method == "POST" else None, method=method)
    assert (status, headers["Content-Type"]) == (404, "application/json")
    assert json.loads(body)["errors"][0]["message"] == "Not found"


def test_a_used_confirmation_link_after_unsubscribing_does_not_claim_a_subscription(forms):
    email = "gone@example.com"
    sign_up(email)
    links = outbox(forms, to=email)[0]["links"]
    confirm, unsubscribe = (
        next(link for link in links if kind in link).split("token=")[1]
        for kind in ("/confirm/", "/unsubscribe/")
    )
    assert invoke("/api/subscribe/confirm", {"token": confirm})[0] == 200
    assert invoke("/api/unsubscribe", {"token": unsubscribe})[0] == 200
    status, _, body = invoke("/api/subscribe/confirm", {"token": confirm})
    assert status == 400
    message = body["errors"][0]["message"]
    assert "confirmed" not in message
    assert "not subscribed" in message


def test_the_local_server_names_no_software_version(forms):
    with urllib.request.urlopen(forms + "/") as answer:
        server = answer.headers.get("Server", "")
    assert "Werkzeug" not in server and "Python" not in server


def test_a_malformed_chunked_body_gets_400(forms):
    request = (
        b"POST /api/enquiry HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"
    )
    assert raw_request(forms, request).split(" ")[1] == "400"


def test_two_content_lengths_get_400(forms):
    request = (
        b"POST /api/enquiry HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Content-Length: 2\r\nContent-Length: 40\r\n\r\n{}"
    )
    assert raw_request(forms, request).split(" ")[1] == "400"
    assert items() == []


def test_the_stalled_store_test_really_reaches_moto_through_the_proxy(forms, stalling_store):
    assert os.environ["AWS_ENDPOINT_URL_DYNAMODB"] == stalling_store.url
    assert invoke("/api/enquiry", person())[0] == 201


# 8. The time of an answer tells nothing: a known and an unknown address make the same calls.


def dynamodb_calls(action):
    """The DynamoDB operations `action` makes, in order, as boto3 sends them."""
    calls = []

    def record(model, **_):
        calls.append(model.name)

    events = store.table().meta.client.meta.events
    events.register("before-call.dynamodb.*", record)
    try:
        action()
    finally:
        events.unregister("before-call.dynamodb.*", record)
    return calls


@pytest.mark.parametrize("path", ["/api/erasure", "/api/access", "/api/subscribe"])
def test_a_known_and_an_unknown_address_make_the_same_dynamodb_calls(forms, path):
    known = person(opt_in=True)
    invoke("/api/enquiry", known)
    body = {"email": known["email"]}
    unknown = {"email": person()["email"]}
    if path == "/api/subscribe":
        body = {
            "name": known["name"],
            "email": known["email"],
            "policy_version": "2018-05-25",
        }
        unknown = {**body, "email": unknown["email"]}
    calls_known = dynamodb_calls(lambda: invoke(path, body, source_ip="198.51.100.1"))
    calls_unknown = dynamodb_calls(lambda: invoke(path, unknown, source_ip="198.51.100.2"))
    assert calls_known == calls_unknown


# 9. The API answers only what comes through CloudFront, and limits each visitor, not each edge.


@pytest.mark.parametrize("sent", [None, "", "not-the-secret"], ids=["no-header", "empty", "wrong"])
def test_a_request_that_did_not_come_through_cloudfront_is_refused_before_anything_else(forms, sent):
    from tests.forms_support import event

    headers = {} if sent is None else {web.ORIGIN_HEADER: sent}
    before = items()
    for path, body in (("/api/enquiry", person()), ("/api/subscribe", {"email": "x@example.com"})):
        route = routes.BY_PATH[path]
        module = importlib.import_module(route.handler_module)
        answer = module.lambda_handler(
            event(path, body, headers=headers, through_cloudfront=False), LambdaContext(route.function)
        )
        assert answer["statusCode"] == 403
        assert json.loads(answer["body"])["errors"][0]["message"] == web.THROUGH_THE_SITE_ONLY
    assert items() == before  # not even a rate-limit count
    assert outbox(forms) == []


def test_visitors_behind_one_cloudfront_edge_each_have_their_own_budget(forms):
    limit = routes.SUBSCRIBE.client_limit
    first = [
        invoke("/api/subscribe", newsletter_form(), source_ip="198.51.100.7")[0] for _ in range(limit + 1)
    ]
    assert first[-1] == 429
    assert invoke("/api/subscribe", newsletter_form(), source_ip="198.51.100.8")[0] == 202


def test_the_local_server_sets_cloudfronts_headers_whatever_the_client_sends(forms):
    forged = {"X-Origin-Verify": "guess", "CloudFront-Viewer-Address": "203.0.113.99:1"}
    for number in range(routes.SUBSCRIBE.client_limit + 1):
        request = urllib.request.Request(
            forms + "/api/subscribe",
            data=json.dumps(newsletter_form()).encode(),
            headers={"Content-Type": "application/json", **forged},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request) as answer:
                status = answer.status
        except urllib.error.HTTPError as refused:
            status = refused.code
        assert status == (202 if number < routes.SUBSCRIBE.client_limit else 429)
