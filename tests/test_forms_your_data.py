"""Forget me and see my data: verified erasure and access requests, against moto."""

import base64
import datetime
import json
import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html

from jtec_forms import clock, config, erasure, erasure_batches, retention, routes, store
from jtec_forms.actions import your_data as your_data_actions
from jtec_forms.subjects import mailbox_key, subject_key
from jtec_forms.validation import schema
from tests.forms_support import (
    SUBMITTED_PERSONAL_DATA,
    data_items,
    invoke,
    items,
    outbox,
    person,
    resource_table,
)


def token_from(base_url, email, path):
    mail = outbox(base_url, to=email)[-1]
    link = next(link for link in mail["links"] if path in link)
    return parse_qs(urlsplit(link).query)["token"][0]


def held_by(email):
    subject = subject_key(config.secret(), email)
    return [item for item in items() if item["pk"] == subject]


def someone_with_everything(base_url):
    """A person with two enquiries, a confirmed subscription and its used link; returns their details."""
    details = person(opt_in=True)
    invoke("/api/enquiry", details)
    token = token_from(base_url, details["email"], "/newsletter/confirm/")
    assert invoke("/api/subscribe/confirm", {"token": token})[0] == 200
    invoke("/api/enquiry", {**details, "message": details["message"] + " and the scanner", "opt_in": False})
    return details


def ask_to_erase(base_url, email):
    status, _, body = invoke("/api/erasure", {"email": email})
    assert status == 202
    return token_from(base_url, email, "/your-data/delete/")


def test_erasure_deletes_everything_of_the_person_and_nothing_of_anyone_else(forms):
    details = someone_with_everything(forms)
    other = someone_with_everything(forms)
    others_before = held_by(other["email"])
    token = ask_to_erase(forms, details["email"])
    status, _, body = invoke("/your-data/delete/receipt", {"token": token})
    assert status == 200
    assert held_by(details["email"]) == []
    assert [item for item in items() if item["pk"] == mailbox_key(config.secret(), details["email"])] == []
    assert held_by(other["email"]) == others_before
    receipt = body["receipt"]
    assert receipt["status"] == "completed"
    assert receipt["deleted"] == {
        "enquiry": 2,
        "erasure_request": 1,
        "rate_limit": 1,
        "submission": 2,
        "subscription": 1,
    }


def test_a_pending_sign_up_is_erased_too(forms):
    details = person()
    invoke(
        "/api/subscribe",
        {**{k: details[k] for k in ("name", "email")}, "policy_version": "2018-05-25"},
    )
    token = ask_to_erase(forms, details["email"])
    _, _, body = invoke("/your-data/delete/receipt", {"token": token})
    assert body["receipt"]["deleted"]["pending_subscription"] == 1
    assert held_by(details["email"]) == []


def test_the_receipt_holds_no_personal_data_and_is_mailed_with_its_reference(forms):
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    _, _, body = invoke("/your-data/delete/receipt", {"token": token})
    reference = body["receipt"]["reference"]
    stored = store.get(retention.ERASURE_RECEIPT_PARTITION, reference, clock.now())
    for value in (details["name"], details["email"], details["phone"], details["message"]):
        assert value not in json.dumps(stored, default=str)
    last_mail = outbox(forms, to=details["email"])[-1]
    assert reference in last_mail["subject"] and reference in last_mail["text"]


def test_asking_is_answered_alike_whether_or_not_anything_is_held(forms):
    details = someone_with_everything(forms)
    held = invoke("/api/erasure", {"email": details["email"]}, source_ip="198.51.100.70")
    unknown = invoke("/api/erasure", {"email": "nobody.here@example.com"}, source_ip="198.51.100.71")
    assert held[0] == unknown[0] == 202
    assert held[2] == unknown[2] == your_data_actions.CHECK_YOUR_EMAIL_FOR_REQUEST
    assert set(held[1]) == set(unknown[1])
    [nothing] = outbox(forms, to="nobody.here@example.com")
    assert nothing["links"] == [] and "We hold none" in nothing["text"]
    assert [item for item in held_by("nobody.here@example.com") if item["kind"] != "rate_limit"] == []


def test_a_second_confirmation_shows_the_same_receipt_and_changes_nothing(forms):
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    first = invoke("/your-data/delete/receipt", {"token": token})[2]
    before = data_items()
    mails_before = len(outbox(forms))
    second = invoke("/your-data/delete/receipt", {"token": token})[2]
    assert second == first
    assert data_items() == before
    assert len(outbox(forms)) == mails_before


@pytest.mark.parametrize("position", [20])
def test_a_tampered_link_changes_nothing(forms, position):
    details = someone_with_everything(forms)
    token = list(ask_to_erase(forms, details["email"]))
    token[position] = "A" if token[position] != "A" else "B"
    before = data_items()
    status, _, body = invoke("/your-data/delete/receipt", {"token": "".join(token)})
    assert status == 400
    assert data_items() == before


def test_an_expired_link_changes_nothing(forms):
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    clock.advance(retention.DATA_REQUEST_LINK_LIFETIME.days + 0.01)
    before = data_items()
    status, _, body = invoke("/your-data/delete/receipt", {"token": token})
    assert status == 400
    assert body["errors"][0]["message"] == "This link has expired. Start again to get a new one."
    assert data_items() == before


def test_an_access_link_cannot_erase(forms):
    details = someone_with_everything(forms)
    invoke("/api/access", {"email": details["email"]})
    token = token_from(forms, details["email"], "/your-data/see/confirm/")
    before = data_items()
    assert invoke("/your-data/delete/receipt", {"token": token})[0] == 400
    assert data_items() == before


def test_an_erasure_stopped_half_way_is_finished_by_the_same_link_with_right_counts(forms, monkeypatch):
    details = someone_with_everything(forms)
    subject = subject_key(config.secret(), details["email"])
    records = erasure.BATCH + 50
    for number in range(records):
        store.put(
            {"pk": subject, "sk": f"{retention.SUBMISSION.sort_key}extra{number}", "kind": "submission"}
        )
    token = ask_to_erase(forms, details["email"])
    calls = []
    real_delete = erasure_batches.delete_counted

    def stops_after_the_first_batch(*arguments):
        if calls:
            raise store.StoreUnavailable("the function timed out", saved=None)
        calls.append(arguments)
        real_delete(*arguments)

    monkeypatch.setattr(erasure_batches, "delete_counted", stops_after_the_first_batch)
    assert invoke("/your-data/delete/receipt", {"token": token})[0] == 503
    assert 0 < len(held_by(details["email"])) < records
    monkeypatch.undo()
    status, _, body = invoke("/your-data/delete/receipt", {"token": token})
    assert status == 200
    assert held_by(details["email"]) == []
    assert body["receipt"]["deleted"]["submission"] == records + 2
    assert body["receipt"]["deleted"]["enquiry"] == 2


def test_finding_a_person_reads_only_their_items_however_big_the_table(forms):
    details = someone_with_everything(forms)
    subject = subject_key(config.secret(), details["email"])
    own = len(held_by(details["email"]))
    with resource_table().batch_writer() as batch:
        for number in range(2_000):  # bench/erasure.py measures it with 100,000
            batch.put_item(
                Item={"pk": f"SUBJECT#other{number % 500}", "sk": f"USED_LINK#{number}", "kind": "used_link"}
            )
    keys, items_read = store.subject_keys(subject)
    assert len(keys) == own
    assert items_read == own


def test_the_form_post_gets_the_receipt_as_a_page(forms):
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    status, headers, page = invoke(
        "/your-data/delete/receipt", {"token": token}, content_type="application/x-www-form-urlencoded"
    )
    assert status == 200
    assert headers["content-type"].startswith("text/html")
    document = html.fromstring(page)
    assert document.findtext(".//h1") == "We have deleted your data"
    assert document.find(".//strong").text.startswith("ERA-")
    assert held_by(details["email"]) == []


def test_access_lists_everything_held_with_purpose_and_deletion_date(forms):
    details = someone_with_everything(forms)
    invoke("/api/access", {"email": details["email"]})
    token = token_from(forms, details["email"], "/your-data/see/confirm/")
    status, headers, report = invoke("/your-data/see/report", {"token": token})
    assert status == 200
    kinds = sorted(entry["kind"] for entry in report["items"])
    assert kinds == ["enquiry", "enquiry", "submission", "submission", "subscription"]
    [subscription] = [entry for entry in report["items"] if entry["kind"] == "subscription"]
    assert subscription["deleted_by"] == "Until you unsubscribe"
    assert subscription["contents"]["email"] == details["email"]
    enquiry = next(entry for entry in report["items"] if entry["kind"] == "enquiry")
    assert enquiry["contents"]["message"].startswith(details["message"])
    assert enquiry["purpose"] == retention.ENQUIRY.purpose
    assert enquiry["deleted_by"].startswith(str(clock.now().year + 1))
    assert all("pk" not in entry["contents"] and "sk" not in entry["contents"] for entry in report["items"])


def test_access_downloads_as_a_json_file(forms):
    details = someone_with_everything(forms)
    invoke("/api/access", {"email": details["email"]})
    token = token_from(forms, details["email"], "/your-data/see/confirm/")
    status, headers, body = invoke(
        "/your-data/see/report",
        {"token": token, "format": "json"},
        content_type="application/x-www-form-urlencoded",
    )
    assert status == 200
    assert headers["content-disposition"] == 'attachment; filename="jtec-your-data.json"'
    assert len(body["items"]) == 5


def test_access_as_a_page_offers_the_download(forms):
    details = someone_with_everything(forms)
    invoke("/api/access", {"email": details["email"]})
    token = token_from(forms, details["email"], "/your-data/see/confirm/")
    status, _, page = invoke(
        "/your-data/see/report", {"token": token}, content_type="application/x-www-form-urlencoded"
    )
    assert status == 200
    document = html.fromstring(page)
    assert details["email"] in document.text_content()
    download = document.find(".//a[@download]")
    assert download.get("download") == "jtec-your-data.json"
    media_type, _, encoded = download.get("href").partition(",")
    assert media_type == "data:application/json;base64"
    report = json.loads(base64.b64decode(encoded))
    assert details["email"] in [entry["contents"].get("email") for entry in report["items"]]


def test_nothing_a_person_typed_reaches_the_logs_of_a_data_request(forms, record_all_logs):
    start = len(record_all_logs.lines)
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    invoke("/your-data/delete/receipt", {"token": token})
    logged = "\n".join(record_all_logs.lines[start:])
    assert "items_read" in logged
    assert not [value for value in SUBMITTED_PERSONAL_DATA if value in logged]


def test_a_look_alike_domain_sees_and_erases_nothing_of_the_other_mailbox(forms):
    token = uuid.uuid4().hex[:8]
    victim = person(email=f"victim{token}@strasse.de")
    assert invoke("/api/enquiry", victim)[0] == 201
    twin = f"victim{token}@xn--strae-oqa.de"  # straße.de: its own domain, its own owner
    invoke("/api/enquiry", person(email=twin))
    victims_items = held_by(victim["email"])

    invoke("/api/access", {"email": twin})
    report = invoke("/your-data/see/report", {"token": token_from(forms, twin, "/your-data/see/confirm/")})[2]
    assert victim["email"] not in json.dumps(report) and victim["name"] not in json.dumps(report)
    receipt = invoke("/your-data/delete/receipt", {"token": ask_to_erase(forms, twin)})[2]["receipt"]
    assert receipt["deleted"]["enquiry"] == 1
    assert held_by(victim["email"]) == victims_items
    assert outbox(forms, to=victim["email"]) == []


@pytest.mark.parametrize("path", ["/api/access", "/api/erasure"])
def test_an_international_domain_gets_its_link_at_the_ascii_form(forms, path):
    token = uuid.uuid4().hex[:8]
    typed = f"ann{token}@müller.de"
    assert invoke("/api/enquiry", person(email=typed))[0] == 201
    status, _, _ = invoke(path, {"email": f"ANN{token}@MÜLLER.DE"})
    assert status == 202
    [mail] = outbox(forms, to=f"ANN{token}@xn--mller-kva.de")
    assert any("/your-data/" in link for link in mail["links"])


def test_the_receipt_is_completed_when_the_last_item_went_not_when_the_run_began(forms, monkeypatch):
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    real_delete = erasure_batches.delete_counted

    def slow_delete(*arguments):
        clock.advance(1 / 24)  # each batch takes an hour
        real_delete(*arguments)

    monkeypatch.setattr(erasure_batches, "delete_counted", slow_delete)
    receipt = invoke("/your-data/delete/receipt", {"token": token})[2]["receipt"]
    confirmed = datetime.datetime.fromisoformat(receipt["confirmed_at"])
    assert datetime.datetime.fromisoformat(receipt["completed_at"]) >= confirmed + datetime.timedelta(hours=2)


def test_confirming_again_erases_what_arrived_after_the_receipt(forms):
    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    first = invoke("/your-data/delete/receipt", {"token": token})[2]["receipt"]
    subject = subject_key(config.secret(), details["email"])
    late = {"pk": subject, "sk": retention.ENQUIRY.sort_key + "late", "kind": "enquiry"}
    store.put(late)  # an enquiry whose write landed after the erasure looked for the last time
    second = invoke("/your-data/delete/receipt", {"token": token})[2]["receipt"]
    assert held_by(details["email"]) == []
    assert second["deleted"]["enquiry"] == first["deleted"]["enquiry"] + 1
    assert second["completed_at"] >= first["completed_at"]


def test_a_used_confirmation_link_stays_used_after_an_erasure(forms):
    details = person(opt_in=True)
    invoke("/api/enquiry", details)
    used = token_from(forms, details["email"], "/newsletter/confirm/")
    assert invoke("/api/subscribe/confirm", {"token": used})[0] == 200
    invoke("/your-data/delete/receipt", {"token": ask_to_erase(forms, details["email"])})
    # Someone else signs the address up again; the old, used link must not confirm that sign-up.
    invoke(
        "/api/subscribe",
        {"name": "Someone Else", "email": details["email"], "policy_version": "2018-05-25"},
    )
    status, _, body = invoke("/api/subscribe/confirm", {"token": used})
    assert status == 400
    [pending] = [
        item for item in held_by(details["email"]) if item["sk"] == retention.ACTIVE_SUBSCRIPTION.sort_key
    ]
    assert pending["status"] == "pending"


def ask_to_see(base_url, email):
    assert invoke("/api/access", {"email": email})[0] == 202
    return token_from(base_url, email, "/your-data/see/confirm/")


def test_an_access_link_shows_the_report_once_and_a_second_use_offers_a_new_link(forms):
    details = someone_with_everything(forms)
    token = ask_to_see(forms, details["email"])
    assert invoke("/your-data/see/report", {"token": token})[0] == 200
    before = data_items()
    status, _, body = invoke("/your-data/see/report", {"token": token})
    assert status == 400
    [error] = body["errors"]
    assert error["field"] == "token"
    assert "already been used" in error["message"] and "/your-data/see/" in error["message"]
    assert details["email"] not in json.dumps(body)
    assert data_items() == before


def test_an_access_report_shows_only_what_was_held_when_the_link_was_issued(forms):
    details = someone_with_everything(forms)
    token = ask_to_see(forms, details["email"])
    clock.advance(1 / 86400 * 2)
    later = {**details, "message": details["message"] + " and one more thing", "opt_in": False}
    assert invoke("/api/enquiry", later)[0] == 201
    report = invoke("/your-data/see/report", {"token": token})[2]
    messages = [entry["contents"]["message"] for entry in report["items"] if entry["kind"] == "enquiry"]
    assert len(messages) == 2 and later["message"] not in messages


def fill_with_open_enquiries(details, count, message):
    from jtec_forms import enquiries

    subject = subject_key(config.secret(), details["email"])
    for number in range(count):
        created = clock.now() - datetime.timedelta(minutes=number + 1)
        submission = {**details, "message": message}
        store.put(
            enquiries.enquiry_item(
                submission, subject, f"ENQ-FULL{number:04d}", created, {"policy_version": "2018-05-25"}
            )
        )


def test_an_address_holding_the_most_open_enquiries_is_asked_to_telephone_and_nothing_is_kept(forms):
    from jtec_forms import enquiries

    details = person(opt_in=False)
    fill_with_open_enquiries(details, enquiries.MAX_OPEN_PER_ADDRESS, "An earlier question")
    before = data_items()
    status, _, body = invoke("/api/enquiry", details)
    assert status == 409
    assert "028 9099 2544" in body["errors"][0]["message"]
    assert data_items() == before
    assert outbox(forms) == []


def test_a_resent_enquiry_is_answered_even_when_the_address_is_full(forms):
    from jtec_forms import enquiries

    details = person(opt_in=False)
    fill_with_open_enquiries(details, enquiries.MAX_OPEN_PER_ADDRESS - 1, "An earlier question")
    first = invoke("/api/enquiry", details)
    assert first[0] == 201
    assert invoke("/api/enquiry", details)[:1] == (201,)
    assert invoke("/api/enquiry", details)[2]["reference"] == first[2]["reference"]


# Lambda refuses an answer over 6 MB (the whole JSON it returns, body escaped inside it).
LAMBDA_ANSWER_LIMIT = 6 * 1024 * 1024
# The costliest text a message can hold: astral characters (4 bytes in UTF-8, 12 as JSON escapes) and
# characters HTML and JSON escape, at the schema's longest.
WORST_MESSAGE = ('\U0001f5a8<&"' * 5000)[:5000]


@pytest.mark.parametrize("as_page", [True, False], ids=["page", "json"])
def test_the_fullest_access_report_fits_in_one_lambda_answer(forms, as_page):
    from jtec_forms import enquiries
    from tests.forms_support import event

    details = person(name="Ζωή " + "Ω" * 95, opt_in=False)
    fill_with_open_enquiries(details, enquiries.MAX_OPEN_PER_ADDRESS, WORST_MESSAGE)
    token = ask_to_see(forms, details["email"])
    content_type = "application/x-www-form-urlencoded" if as_page else "application/json"
    from jtec_forms.handlers import your_data
    from local.api import LambdaContext

    answer = your_data.lambda_handler(
        event("/your-data/see/report", {"token": token}, content_type=content_type),
        LambdaContext("your_data"),
    )
    assert answer["statusCode"] == 200
    shown = html.fromstring(answer["body"]).text_content() if as_page else answer["body"]
    messages = (
        shown if as_page else [entry["contents"].get("message") for entry in json.loads(shown)["items"]]
    )
    assert WORST_MESSAGE[:50] in messages or WORST_MESSAGE in messages
    assert len(json.dumps(answer).encode()) < LAMBDA_ANSWER_LIMIT


def test_the_access_report_says_who_receives_the_data_the_rights_the_ico_the_source_and_no_profiling(forms):
    """UK GDPR Art. 15(1)(c), (e), (f), (g), (h), from the registry the privacy policy is checked against."""
    from jtec_forms import privacy_facts

    details = someone_with_everything(forms)
    about = invoke("/your-data/see/report", {"token": ask_to_see(forms, details["email"])})[2]["about"]
    assert [line.split(",")[0] for line in about["recipients"]] == list(privacy_facts.RECIPIENTS_OF_HELD_DATA)
    assert f"({privacy_facts.DATA_REGION})" in about["recipients"][0]
    assert about["your_rights"] == [
        privacy_facts.HOW_TO_USE[right] for right in ("rectification", "erasure", "restriction", "objection")
    ]
    assert "ico.org.uk" in about["complaint"]
    assert about["source"] == privacy_facts.SOURCE
    assert about["automated_decisions"] == privacy_facts.AUTOMATED_DECISIONS


def test_the_rights_the_access_report_explains_are_ones_the_draft_policy_explains_with_the_same_path():
    from jtec_forms import privacy_facts
    from project import PROJECT_DIR

    draft = (PROJECT_DIR / "content" / "policies" / "privacy" / "2027-01-01.md").read_text(encoding="utf-8")
    for right, how in privacy_facts.HOW_TO_USE.items():
        assert privacy_facts.RIGHTS[right] in draft
        for quoted in re.findall(r"“([^”]+)”", how):
            assert quoted in draft, (right, quoted)
    assert "Information Commissioner's Office" in draft
    assert all(name in draft for name in privacy_facts.RECIPIENTS_OF_HELD_DATA)


def test_the_access_report_page_has_a_section_about_the_data(forms):
    details = someone_with_everything(forms)
    token = ask_to_see(forms, details["email"])
    page = invoke(
        "/your-data/see/report", {"token": token}, content_type="application/x-www-form-urlencoded"
    )[2]
    text = " ".join(html.fromstring(page).text_content().split())
    for heading in ("About this data", "Who receives it", "Your rights", "Complaints", "Where it came from"):
        assert heading in text
    assert "We make no decisions about you by automated means" in text


@pytest.mark.parametrize(
    "route", [route for route in routes.ROUTES if route.new_link_page], ids=lambda route: route.path
)
def test_a_broken_link_posted_without_javascript_says_so_and_offers_a_new_one(forms, route):
    status, _, page = invoke(
        route.path, {"token": "not-a-link-we-sent"}, content_type="application/x-www-form-urlencoded"
    )
    assert status == 400
    document = html.fromstring(page)
    assert "Check you copied the whole link from the email" in document.text_content()
    assert document.find(f".//main//a[@href='{route.new_link_page}']").text == "Ask for a new link"
    assert "back button" not in page


WORDS_DATE = (
    r"\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) 20\d\d"
)


def test_the_access_report_page_reads_as_a_letter(forms):
    import re

    details = someone_with_everything(forms)
    invoke("/api/access", {"email": details["email"]})
    token = token_from(forms, details["email"], "/your-data/see/confirm/")
    form = "application/x-www-form-urlencoded"
    document = html.fromstring(invoke("/your-data/see/report", {"token": token}, content_type=form)[2])
    main = " ".join(document.find(".//main").text_content().split())
    for stored_name in (
        "created_at",
        "policy_version",
        "staff_notified",
        "confirmation_mailed",
        "opt_in",
        "True",
    ):
        assert stored_name not in main, stored_name
    shown = {(dt.text_content(), dt.getnext().text_content()) for dt in document.iter("dt")}
    assert {("Topic", "IT support"), ("Name", details["name"]), ("Email address", details["email"])} <= shown
    assert re.search(rf"You sent it on {WORDS_DATE}, \d\d:\d\d\.", main)
    assert re.search(rf"We delete it automatically on {WORDS_DATE}, \d\d:\d\d at the latest\.", main)
    assert re.search(
        rf"You agreed to “Keep me up to date with news and promotions by email” on {WORDS_DATE}", main
    )
    assert "We keep it until you unsubscribe." in main
    assert not re.search(r"\d{4}-\d\d-\d\dT", main)


def test_the_access_report_says_which_button_gave_a_newsletter_consent_and_beside_which_words(forms):
    details = person()
    invoke(
        "/api/subscribe", {"name": details["name"], "email": details["email"], "policy_version": "2018-05-25"}
    )
    invoke("/api/subscribe/confirm", {"token": token_from(forms, details["email"], "/newsletter/confirm/")})
    invoke("/api/access", {"email": details["email"]})
    token = token_from(forms, details["email"], "/your-data/see/confirm/")
    page = invoke(
        "/your-data/see/report", {"token": token}, content_type="application/x-www-form-urlencoded"
    )[2]
    main = " ".join(html.fromstring(page).find(".//main").text_content().split())
    asked = schema("subscribe")["x-consent"]["text"]
    assert f"You pressed “Subscribe” beside the words “{asked}” on " in main


def test_the_erasure_receipt_page_says_when_in_words(forms):
    import re

    details = someone_with_everything(forms)
    token = ask_to_erase(forms, details["email"])
    page = invoke(
        "/your-data/delete/receipt", {"token": token}, content_type="application/x-www-form-urlencoded"
    )[2]
    main = " ".join(html.fromstring(page).find(".//main").text_content().split())
    assert re.search(
        rf"You asked us on {WORDS_DATE}, \d\d:\d\d and confirmed on {WORDS_DATE}, \d\d:\d\d; we finished",
        main,
    )
    assert not re.search(r"\d{4}-\d\d-\d\dT", main)
