"""The staff digest: on working days, what waits on JTec (old enquiries, data requests near their deadline,
bounces and complaints, TTL deletions, the failure queue), in references and counts; nothing due, no
mail. Run as its schedule would through `POST /_dev/digest` (the real handler, the embedded AWS), and
printed by `jtec digest` from the same code."""

import datetime
import json

import boto3
import pytest

from jtec_forms import clock, config, deadlines, digest, retention
from jtec_staff import queries
from tests.forms_support import dev_post, invoke, outbox, person
from tests.test_forms_subscription import links_for, sign_up
from tests.test_staff_cli import jtec

LOCAL = digest.LOCAL


def today():
    return clock.now().astimezone(LOCAL).date()


def move_to(forms, day):
    """Move the local stack's clock forward to the same time of day on `day` (in Northern Ireland), as
    `POST /_dev/clock` does: what expired meanwhile is deleted, as DynamoDB's TTL would."""
    assert dev_post(forms, "/_dev/clock", {"advance_days": (day - today()).days})[0] == 200
    assert today() == day


def working_day_at_least(days_ahead):
    day = today() + datetime.timedelta(days=days_ahead)
    return deadlines.next_working_day(day)


def run_digest(forms):
    """Run the digest function now; (its answer, the staff mails it sent)."""
    before = len(outbox(forms, to=config.staff_email()))
    status, answer = dev_post(forms, "/_dev/digest", {})
    assert status == 200, answer
    return answer, [
        mail for mail in outbox(forms, to=config.staff_email())[before:] if "digest" in mail["subject"]
    ]


def test_nothing_due_sends_no_mail_and_jtec_says_so(forms, monkeypatch):
    move_to(forms, working_day_at_least(0))
    answer, mails = run_digest(forms)
    assert (answer["sent"], mails) == (False, [])
    monkeypatch.setattr(queries, "utc_now", clock.now)
    assert jtec("digest")[:2] == (0, "Nothing due: the digest sends no mail today.\n")


def test_open_enquiries_older_than_fourteen_days_are_called_out_without_personal_details(forms):
    old, fresh = person(), person(topic="maintenance")
    old_reference = invoke("/api/enquiry", old)[2]["reference"]
    move_to(forms, working_day_at_least(15))
    fresh_reference = invoke("/api/enquiry", fresh)[2]["reference"]
    answer, [mail] = run_digest(forms)
    assert answer["sent"] is True
    assert "Open enquiries: 2" in mail["text"]
    called_out = mail["text"].split("Older than 14 days")[1].split("\n\n")[0]
    assert old_reference in called_out and fresh_reference not in called_out
    assert "the person's details are deleted at once" in mail["text"]
    for details in (old, fresh):
        assert not any(
            details[field] in mail["subject"] + mail["text"] for field in ("name", "email", "message")
        )


def test_data_requests_due_within_seven_days_or_overdue_are_listed_with_their_dates(forms):
    due_soon = invoke("/api/enquiry", person(topic="personal-data", right="correction"))[2]["reference"]
    [item] = [
        row for row in json.loads(jtec("requests", "list", "--json")[1]) if row["reference"] == due_soon
    ]
    due = datetime.date.fromisoformat(item["due"])
    move_to(forms, deadlines.next_working_day(due - datetime.timedelta(days=5)))
    later = invoke("/api/enquiry", person(topic="personal-data", right="complaint"))[2]["reference"]
    _, [mail] = run_digest(forms)
    assert f"{due_soon}  Correct details we hold about me: due {due:%A} {due.day} {due:%B}" in mail["text"]
    assert later not in mail["text"]
    assert "Data requests due within 7 days or overdue: 1" in mail["text"]
    move_to(forms, deadlines.next_working_day(due + datetime.timedelta(days=1)))
    _, [mail] = run_digest(forms)
    assert f"{due_soon}  Correct details we hold about me: OVERDUE since {due.day} {due:%B}" in mail["text"]


def test_bounces_complaints_and_the_failure_queue_since_the_last_digest_are_counted(forms):
    move_to(forms, working_day_at_least(0))
    subscriber, _ = sign_up()
    invoke("/api/subscribe/confirm", {"token": links_for(forms, subscriber["email"])[1]})
    event = {"type": "Complaint", "email": subscriber["email"]}
    assert dev_post(forms, "/_dev/ses-event", event)[0] == 200
    boto3.client("sqs").send_message(QueueUrl=config.failure_queue_url(), MessageBody="{}")
    _, [mail] = run_digest(forms)
    assert "1 complaint" in mail["text"] and "1 subscription ended by them." in mail["text"]
    assert "Failure queue: 1 message waiting" in mail["text"]
    assert subscriber["email"] not in mail["text"] and subscriber["name"] not in mail["text"]


def test_ttl_deletions_since_the_last_digest_are_counted_with_the_worst_lag(forms):
    invoke("/api/enquiry", person())
    move_to(forms, deadlines.next_working_day(retention.add_months(today(), 13)))
    invoke("/api/enquiry", person())  # something due: deletions alone send no mail
    _, [mail] = run_digest(forms)
    [line] = [line for line in mail["text"].splitlines() if line.startswith("Deleted by TTL")]
    assert "3 items (enquiry: 1, rate_limit: 1, submission: 1)" in line and "worst lag after expiry" in line


def test_no_digest_is_sent_on_a_bank_holiday(forms):
    calendar = json.loads(deadlines.BANK_HOLIDAYS.read_text(encoding="utf-8"))
    holiday = min(
        datetime.date.fromisoformat(day)
        for day in calendar["dates"]
        if datetime.date.fromisoformat(day) > today() and datetime.date.fromisoformat(day).weekday() < 5
    )
    invoke("/api/enquiry", person())
    move_to(forms, holiday)
    answer, mails = run_digest(forms)
    assert (answer, mails) == ({"sent": False, "reason": "not a working day"}, [])


@pytest.mark.parametrize("setting", [None, "30"])
def test_jtec_digest_prints_what_the_mail_says(forms, monkeypatch, setting):
    if setting:
        monkeypatch.setenv("DIGEST_OLD_AFTER_DAYS", setting)
    reference = invoke("/api/enquiry", person())[2]["reference"]
    move_to(forms, working_day_at_least(20))
    _, [mail] = run_digest(forms)
    monkeypatch.setattr(queries, "utc_now", clock.now)
    status, out, _ = jtec("digest")
    assert status == 0
    assert out == f"{mail['subject']}\n\n{mail['text']}"
    assert (reference in mail["text"].split("Older than")[-1]) is (setting is None)
