"""Data requests: the contact form's "Your personal data" topic, stored with the right asked for and its
legal due date, and `jtec requests` to work them to that date, against the real handler and the
embedded AWS. The deadline rule itself is in test_deadlines.py."""

import datetime
import json

import pytest

from jtec_forms import clock, config, deadlines, enquiries
from jtec_staff import queries
from tests.forms_support import enquiries as stored_enquiries
from tests.forms_support import invoke, outbox, person
from tests.test_staff_cli import jtec

RIGHT_MESSAGE = "Select what you would like us to do about your personal data"


def ask(right="correction", **overrides):
    details = person(topic="personal-data", right=right, **overrides)
    status, _, body = invoke("/api/enquiry", details)
    assert status == 201, body
    return details, body["reference"]


def stored(reference):
    [item] = [item for item in stored_enquiries() if item["reference"] == reference]
    return item


def received_today():
    return clock.now().astimezone(deadlines_zone()).date()


def deadlines_zone():
    import zoneinfo

    return zoneinfo.ZoneInfo(enquiries.LOCAL_TIME)


def on(monkeypatch, day):
    """The staff tools' clock at noon, Northern Ireland time, on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(12), tzinfo=deadlines_zone())
    monkeypatch.setattr(queries, "utc_now", lambda: moment.astimezone(datetime.UTC))


def test_a_personal_data_enquiry_must_say_what_is_asked_and_nothing_is_stored_without_it(forms):
    status, _, body = invoke("/api/enquiry", person(topic="personal-data"))
    assert status == 400
    assert {"field": "right", "message": RIGHT_MESSAGE} in body["errors"]
    assert stored_enquiries() == []


def test_a_data_request_is_stored_with_the_right_the_day_received_and_its_legal_due_date(forms):
    _, reference = ask("restriction")
    item = stored(reference)
    received = received_today()
    assert (item["right"], item["received"], item["due"]) == (
        "restriction",
        received.isoformat(),
        deadlines.due(received).isoformat(),
    )


def test_the_day_a_request_is_received_is_counted_in_northern_ireland():
    late_evening = datetime.datetime(2027, 7, 31, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 1 August in Belfast
    request = enquiries.data_request("objection", late_evening)
    assert (request["received"], request["due"]) == ("2027-08-01", "2027-09-01")


def test_staff_are_told_of_a_data_request_with_its_deadline_and_no_personal_details(forms):
    details, reference = ask("objection")
    due = datetime.date.fromisoformat(stored(reference)["due"])
    [mail] = [mail for mail in outbox(forms, to=config.staff_email()) if reference in mail["subject"]]
    assert mail["subject"] == (
        f"New data request {reference}: Stop using my details (an objection), due {due.day} {due:%B %Y}"
    )
    assert f"jtec requests show {reference}" in mail["text"]
    assert not any(details[field] in mail["subject"] + mail["text"] for field in ("name", "email", "message"))


def test_a_right_sent_with_another_topic_is_not_kept(forms):
    status, _, body = invoke("/api/enquiry", person(topic="support", right="complaint"))
    assert status == 201
    item = stored(body["reference"])
    assert not {"right", "received", "due"} & set(item)


def test_the_list_shows_open_requests_soonest_due_first_with_days_left_and_no_enquiries(forms, monkeypatch):
    _, first = ask("complaint")
    _, second = ask("other-data")
    invoke("/api/enquiry", person())
    assert jtec("requests", "extend", first, "--reason", "Records in three offices")[0] == 0
    due = datetime.date.fromisoformat(stored(second)["due"])
    on(monkeypatch, due - datetime.timedelta(days=20))
    status, out, _ = jtec("requests", "list", "--json")
    assert status == 0
    assert json.loads(out) == [
        {
            "reference": second,
            "right": "other-data",
            "received": received_today().isoformat(),
            "due": due.isoformat(),
            "days_left": 20,
        },
        {
            "reference": first,
            "right": "complaint",
            "received": received_today().isoformat(),
            "due": deadlines.extended_due(received_today()).isoformat(),
            "days_left": (deadlines.extended_due(received_today()) - due).days + 20,
        },
    ]


@pytest.mark.parametrize(
    ("days_before_due", "standing"),
    [(20, "20 days left"), (10, "DUE SOON: 10 days left"), (0, "DUE TODAY"), (-3, "OVERDUE by 3 days")],
)
def test_requests_due_within_ten_days_or_overdue_stand_out(forms, monkeypatch, days_before_due, standing):
    _, reference = ask()
    due = datetime.date.fromisoformat(stored(reference)["due"])
    on(monkeypatch, due - datetime.timedelta(days=days_before_due))
    status, out, _ = jtec("requests", "list")
    assert status == 0
    [row] = [line for line in out.splitlines() if reference in line]
    assert standing in row and "Correct details we hold about me" in row


def test_an_extension_gives_three_months_from_receipt_once_and_says_what_to_tell_the_person(forms):
    _, reference = ask()
    status, out, _ = jtec("requests", "extend", reference.lower(), "--reason", "Records in three offices")
    extended = deadlines.extended_due(received_today())
    assert status == 0
    assert f"now due {extended.day} {extended:%B %Y}" in out and "Tell the person" in out
    item = stored(reference)
    assert (item["due"], item["extension_reason"]) == (extended.isoformat(), "Records in three offices")
    status, out, err = jtec("requests", "extend", reference, "--reason", "Again")
    assert (status, out) == (2, "")
    assert "was extended already" in err
    assert stored(reference)["extension_reason"] == "Records in three offices"


def test_an_extension_after_the_first_month_is_refused(forms, monkeypatch):
    _, reference = ask()
    due = datetime.date.fromisoformat(stored(reference)["due"])
    on(monkeypatch, due + datetime.timedelta(days=1))
    status, _, err = jtec("requests", "extend", reference, "--reason", "Too late")
    assert status == 2
    assert "within the first month" in err
    assert "extended_at" not in stored(reference)


def test_closing_deletes_the_persons_details_and_keeps_the_record_an_auditor_asks_for(forms):
    details, reference = ask("correction")
    jtec("requests", "extend", reference, "--reason", "Ann Tester's records are on paper")
    status, out, _ = jtec("requests", "close", reference, "--outcome", "done")
    assert status == 0
    assert "(done, in time)" in out
    item = stored(reference)
    assert not {"name", "email", "phone", "message", "extension_reason", "open_pk"} & set(item)
    assert {name: item[name] for name in ("status", "right", "outcome", "deadline_met")} == {
        "status": "closed",
        "right": "correction",
        "outcome": "done",
        "deadline_met": True,
    }
    assert {"received", "due", "extended_at", "closed_at", "expires_at"} <= set(item)
    assert not any(details[field] in json.dumps(item, default=str) for field in ("name", "email", "message"))
    assert json.loads(jtec("requests", "list", "--json")[1]) == []


def test_a_request_closed_after_its_due_date_is_recorded_as_late(forms, monkeypatch):
    _, reference = ask()
    on(monkeypatch, datetime.date.fromisoformat(stored(reference)["due"]) + datetime.timedelta(days=2))
    status, out, _ = jtec("requests", "close", reference, "--outcome", "refused")
    assert status == 0 and "(refused, LATE)" in out
    assert stored(reference)["deadline_met"] is False


def test_a_closed_request_cannot_be_closed_or_extended_again(forms):
    _, reference = ask()
    jtec("requests", "close", reference, "--outcome", "answered")
    assert jtec("requests", "close", reference, "--outcome", "done")[::2] == (
        2,
        f"jtec: {reference} is closed already\n",
    )
    assert jtec("requests", "extend", reference, "--reason", "x")[::2] == (
        2,
        f"jtec: {reference} is closed already\n",
    )


def test_an_unknown_outcome_is_refused_naming_the_choices(forms):
    _, reference = ask()
    status, _, err = jtec("requests", "close", reference, "--outcome", "sorted")
    assert status == 2
    assert "'sorted' is not one of 'done', 'partly-done', 'refused', 'answered', 'withdrawn'" in err
    assert stored(reference)["status"] == "open"


def test_a_data_request_is_not_resolved_as_an_enquiry(forms):
    _, reference = ask()
    status, _, err = jtec("enquiries", "resolve", reference, "--yes")
    assert status == 2
    assert f"jtec requests close {reference}" in err
    assert stored(reference)["status"] == "open"


def test_an_ordinary_enquiry_is_not_a_data_request(forms):
    reference = invoke("/api/enquiry", person())[2]["reference"]
    assert jtec("requests", "show", reference)[::2] == (2, f"jtec: no item has the reference {reference}\n")
