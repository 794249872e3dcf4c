"""The enquiry handler against moto's DynamoDB and SES over HTTP (the local stack)."""

import datetime
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from jtec_forms import clock, retention, store, web
from jtec_forms.subjects import subject_key
from tests.forms_support import data_items, enquiries, invoke, items, outbox, person
from tests.support import examples


def test_enquiry_is_stored_with_its_details_and_answered_with_a_reference(forms):
    details = person(opt_in=False)
    status, _, body = invoke("/api/enquiry", details)
    assert status == 201
    assert body["reference"].startswith("ENQ-")
    [item] = enquiries()
    assert item["reference"] == body["reference"]
    assert {key: item[key] for key in ("name", "email", "phone", "message", "topic", "policy_version")} == {
        key: details[key] for key in ("name", "email", "phone", "message", "topic", "policy_version")
    }
    assert item["status"] == "open"


def test_every_item_of_a_person_lives_under_their_subject_key(forms):
    from jtec_forms import config

    details = person(email="Mixed.Case@Example.COM")
    invoke("/api/enquiry", details)
    [item] = enquiries()
    assert item["pk"] == subject_key(config.secret(), "mixed.case@example.com")
    assert "mixed.case" not in item["pk"].lower()


def test_enquiry_expires_exactly_twelve_months_after_submission(forms):
    clock.advance(0)
    before = clock.now()
    invoke("/api/enquiry", person())
    [item] = enquiries()
    created = datetime.datetime.fromisoformat(item["created_at"])
    assert before - datetime.timedelta(seconds=1) <= created <= clock.now()
    assert int(item["expires_at"]) == int(retention.add_months(created, 12).timestamp())


def test_an_expired_enquiry_is_invisible_before_it_is_deleted(forms):
    details = person()
    invoke("/api/enquiry", details)
    [item] = enquiries()
    subject = item["pk"]
    clock.advance((retention.add_months(clock.now(), 12) - clock.now()).days - 1)
    assert [i["sk"] for i in store.subject_items(subject, clock.now())] == [item["sk"]]
    clock.advance(2)
    assert store.subject_items(subject, clock.now()) == []
    assert len(enquiries()) == 1  # still in the table until the TTL sweep, but never read


def test_bad_input_gets_400_naming_the_field_and_stores_nothing(forms):
    """Every field's rules are tested in process (test_rules.py); this is the wiring, end to end."""
    status, _, body = invoke("/api/enquiry", person(phone="call me"))
    assert status == 400
    assert body == {
        "errors": [
            {"field": "phone", "message": "Enter a telephone number, like 028 9099 2544 or +44 28 9099 2544"}
        ]
    }
    assert items() == []


def test_unknown_fields_are_refused(forms):
    status, _, body = invoke("/api/enquiry", {**person(), "is_admin": True})
    assert status == 400
    assert body["errors"] == [{"field": "is_admin", "message": "This form has no such field: remove it"}]
    assert items() == []


def test_a_body_that_is_not_an_object_is_refused(forms):
    status, _, body = invoke("/api/enquiry", raw="[1, 2]")
    assert status == 400
    assert body["errors"][0]["field"] is None


def test_invalid_json_is_refused_with_400(forms):
    status, _, body = invoke("/api/enquiry", raw="{name: 'Ann'")
    assert status == 400
    assert body["errors"] == [{"field": None, "message": "The request body is not valid JSON"}]


def test_deeply_nested_json_is_refused_with_400(forms):
    status, _, body = invoke("/api/enquiry", raw="[" * 5000 + "]" * 5000)
    assert status == 400
    assert body["errors"] == [{"field": None, "message": "The request body is not valid JSON"}]


def test_an_oversized_body_gets_413(forms):
    status, _, body = invoke("/api/enquiry", raw=json.dumps({"message": "x" * 20000}))
    assert status == 413
    assert items() == []


def test_another_content_type_gets_415(forms):
    status, _, body = invoke("/api/enquiry", raw="name=Ann", content_type="text/plain")
    assert status == 415
    assert body["errors"][0]["message"] == "Send the form as application/json or urlencoded"


def test_a_form_post_gets_a_page_naming_the_enquirys_reference(forms):
    details = person()
    status, headers, page = invoke("/api/enquiry", details, content_type="application/x-www-form-urlencoded")
    assert status == 201
    assert headers["content-type"].startswith("text/html")
    [stored] = enquiries()
    document = html.fromstring(page)
    assert document.findtext(".//main//h1") == "Enquiry sent"
    assert document.find(".//*[@data-answer='reference']").text_content() == stored["reference"]
    assert "automatically 12 months after you" in document.text_content()
    assert {a.get("href") for a in document.iterfind(".//main//a")} >= {"/", "/services/"}


def as_a_browser_reads(textarea):
    """A textarea's value as a browser reads it: HTML drops one line break just after the start tag (lxml
    keeps it)."""
    return (textarea.text or "").removeprefix("\n")


def test_a_form_post_with_errors_gets_the_form_again_with_what_was_typed_and_each_error_beside_its_field(
    forms,
):
    details = person(email="not-an-address")
    status, headers, page = invoke("/api/enquiry", details, content_type="application/x-www-form-urlencoded")
    assert status == 400
    assert headers["content-type"].startswith("text/html")
    assert page.startswith("<!DOCTYPE html>")
    document = html.fromstring(page)
    assert document.findtext(".//title") == "Error: Contact us | JTec IT Solutions"
    assert document.findtext(".//main//h1") == "Contact us"
    summary = document.find(".//div[@class='error-summary']")
    assert summary.find("div[@role='alert']/h2").text == "There is a problem"
    assert [(link.get("href"), link.text) for link in summary.iterfind(".//a")] == [
        ("#email", "Enter an email address in the correct format, like name@example.com")
    ]
    form = document.find(".//main//form")
    assert form.get("action") == "/api/enquiry"
    assert form.find(".//input[@id='name']").get("value") == details["name"]
    assert form.find(".//input[@id='email']").get("value") == "not-an-address"
    assert as_a_browser_reads(form.find(".//textarea[@id='message']")) == details["message"]
    assert form.find(f".//input[@id='topic-{details['topic']}']").get("checked") is not None
    email_group = form.find(".//div[@data-field='email']")
    assert "form-group--error" in email_group.get("class").split()
    error = email_group.find(".//p[@id='email-error']")
    assert error.get("hidden") is None
    assert " ".join(error.text_content().split()) == (
        "Error: Enter an email address in the correct format, like name@example.com"
    )
    email = form.find(".//input[@id='email']")
    assert (email.get("aria-describedby"), email.get("aria-invalid")) == ("email-hint email-error", "true")
    assert form.find(".//p[@id='name-error']").get("hidden") is not None
    assert document.find(".//header//a[@class='site-name']") is not None
    assert document.find(".//footer//a[@href='/privacy/']") is not None
    assert items() == []


def test_the_form_given_back_keeps_typed_text_exactly_and_never_the_honeypot(forms):
    details = person(name="Ελένη <b>Παπαδοπούλου</b>", email="")
    typed = {**details, "message": "Line one\n  <script>alert(1)</script> & more", "website": "robot words"}
    page = invoke("/api/enquiry", typed, content_type="application/x-www-form-urlencoded")[2]
    document = html.fromstring(page)
    assert document.find(".//input[@id='name']").get("value") == details["name"]
    assert as_a_browser_reads(document.find(".//textarea[@id='message']")) == typed["message"]
    assert document.find(".//input[@id='website']").get("value") is None
    assert "<script>alert(1)" not in page and "<b>" not in page


def test_a_double_clicked_submit_stores_one_enquiry(forms):
    details = person()
    first = invoke("/api/enquiry", details)
    second = invoke("/api/enquiry", details)
    assert first[0] == second[0] == 201
    assert first[2]["reference"] == second[2]["reference"]
    assert len(enquiries()) == 1


def test_a_filled_honeypot_is_answered_as_accepted_and_nothing_is_stored(forms):
    status, _, body = invoke("/api/enquiry", person(website="http://spam.example"))
    assert status == 201
    assert body["reference"].startswith("ENQ-")
    assert items() == []


def test_staff_are_notified_with_reference_and_topic_only(forms):
    details = person(topic="maintenance")
    _, _, body = invoke("/api/enquiry", details)
    [mail] = outbox(forms, to="staff@jtec.invalid")[-1:]
    assert body["reference"] in mail["subject"]
    assert "Maintenance" in mail["text"]
    for personal in (details["name"], details["email"], details["phone"], details["message"]):
        assert personal not in json.dumps(mail)


def test_opting_in_starts_a_pending_double_opt_in_subscription(forms):
    details = person(opt_in=True)
    invoke("/api/enquiry", details)
    [subscription] = [item for item in items() if item["sk"] == "SUBSCRIPTION"]
    assert subscription["status"] == "pending"
    assert subscription["consent"]["wording_id"] == "enquiry-opt-in-2026-11"
    assert subscription["consent"]["source"] == "enquiry"
    [mail] = outbox(forms, to=details["email"])
    assert "/newsletter/confirm/?token=" in mail["text"]


def test_a_store_failure_gets_503_saying_nothing_was_saved(forms, monkeypatch):
    from jtec_forms import config

    monkeypatch.setattr(config, "table_name", lambda: "no-such-table")
    store.table.cache_clear()
    try:
        status, headers, body = invoke("/api/enquiry", person())
    finally:
        monkeypatch.undo()
        store.table.cache_clear()
    assert status == 503
    assert headers["retry-after"] == "30"
    assert body["errors"][0]["message"] == web.NOTHING_SAVED
    assert data_items() == []


def test_when_mail_is_down_the_enquiry_is_kept_and_sending_it_again_finishes_it(forms, monkeypatch):
    from jtec_forms import config
    from jtec_forms.actions.enquiry import NEWSLETTER_SENT

    details = person(opt_in=True)
    monkeypatch.setattr(config, "mail_from", lambda: "unverified@elsewhere.invalid")
    status, headers, body = invoke("/api/enquiry", details)
    monkeypatch.undo()
    assert status == 503
    assert headers["retry-after"] == "30"
    [enquiry] = enquiries()
    assert body["errors"][0]["message"] == web.UNFINISHED.format(reference=enquiry["reference"])
    assert [item for item in items() if item["sk"] == "SUBSCRIPTION"] == []  # its mail never went
    status, _, body = invoke("/api/enquiry", details)
    assert (status, body) == (201, {"reference": enquiry["reference"], "message": NEWSLETTER_SENT})
    assert len(enquiries()) == 1
    assert (
        len(
            [
                mail
                for mail in outbox(forms, to="staff@jtec.invalid")
                if enquiry["reference"] in mail["subject"]
            ]
        )
        == 1
    )
    assert len(outbox(forms, to=details["email"])) == 1


def test_logs_hold_no_personal_data_from_any_outcome(forms, record_all_logs, monkeypatch):
    from jtec_forms import config

    start = len(record_all_logs.lines)
    details = person(opt_in=True)
    outcomes = [
        invoke("/api/enquiry", details)[0],
        invoke("/api/enquiry", {**details, "phone": "not a phone"})[0],
        invoke("/api/enquiry", details, content_type="application/x-www-form-urlencoded")[0],
    ]
    monkeypatch.setattr(config, "mail_from", lambda: "unverified@elsewhere.invalid")
    outcomes.append(invoke("/api/enquiry", person(opt_in=True, message=details["message"] + " again"))[0])
    assert outcomes == [201, 400, 201, 503]
    logged = "\n".join(record_all_logs.lines[start:])
    assert "request refused" in logged  # the capture really sees the forms' logs
    for value in (details["name"], details["email"], details["phone"], details["message"]):
        assert value not in logged


def test_in_aws_the_secret_comes_from_ssm_parameter_store(forms, monkeypatch):
    import boto3

    from jtec_forms import config

    boto3.client("ssm").put_parameter(
        Name="/jtec/forms/app-secret", Value="from-ssm", Type="SecureString", Overwrite=True
    )
    monkeypatch.setenv("APP_SECRET_PARAMETER", "/jtec/forms/app-secret")
    config.secret.cache_clear()
    try:
        assert config.secret() == b"from-ssm"
    finally:
        monkeypatch.undo()
        config.secret.cache_clear()


def test_a_policy_version_that_was_never_published_is_refused(forms):
    status, _, body = invoke("/api/enquiry", person(policy_version="2027-01-01"))
    assert status == 400
    assert body["errors"] == [
        {"field": "policy_version", "message": "Reload the page and try again: the form is out of date"}
    ]
    assert data_items() == []


def test_the_enquiry_records_the_policy_in_force_by_the_servers_clock(forms):
    invoke("/api/enquiry", person())
    [enquiry] = enquiries()
    assert enquiry["policy_version"] == "2018-05-25"
    assert "shown_policy_version" not in enquiry


def test_the_answer_speaks_of_the_newsletter_only_to_someone_who_ticked_its_box(forms):
    from jtec_forms.actions.enquiry import NEWSLETTER_SENT

    status, _, ticked = invoke("/api/enquiry", person(opt_in=True))
    assert status == 201 and ticked["message"] == NEWSLETTER_SENT
    status, _, unticked = invoke("/api/enquiry", person(opt_in=False))
    assert status == 201 and "message" not in unticked
    form = "application/x-www-form-urlencoded"
    page = invoke("/api/enquiry", person(opt_in=False), content_type=form)[2]
    assert (
        "Enquiry sent" in page and "newsletter" not in page.lower().split("<main", 1)[1].split("</main>")[0]
    )
    page = invoke("/api/enquiry", {**person(), "opt_in": "true"}, content_type=form)[2]
    assert NEWSLETTER_SENT in page


# What a person can type on one line (no control characters; any script, markup and spaces), and in a
# message (the same, with line breaks, blank first lines included).
TYPED = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))
ONE_LINE = st.text(TYPED, min_size=1, max_size=60)
LINES = st.lists(st.text(TYPED, max_size=40), max_size=4)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=ONE_LINE, lines=LINES)
def test_the_form_given_back_holds_any_name_and_message_exactly_as_typed(forms, name, lines):
    message = "\n".join(lines)
    typed = {**person(), "name": name, "message": message, "email": "not an address"}
    page = invoke("/api/enquiry", typed, content_type="application/x-www-form-urlencoded")[2]
    document = html.fromstring(page)
    assert document.find(".//input[@id='name']").get("value") == name
    assert as_a_browser_reads(document.find(".//textarea[@id='message']")) == message
