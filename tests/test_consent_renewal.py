"""Consent grows old: a subscriber who confirmed more than 24 months before a send is asked, instead of the
issue, whether they still want the news; answering keeps the subscription, and with no answer within 30
days it ends (DynamoDB's TTL on the question, the expiry audit ending the subscription). Against the
embedded AWS, the real handlers and the local sweeper."""

import datetime

import pytest

from jtec_forms import clock, retention, subscriptions
from jtec_staff import cli
from jtec_staff import newsletter as news
from tests.forms_support import data_items, dev_post, invoke, items, outbox, resource_table
from tests.test_forms_subscription import token_in
from tests.test_newsletter import ISSUE, news_mails, subscribed

TWO_YEARS_AND_A_DAY = 2 * 366 + 1


@pytest.fixture
def news_dir(tmp_path):
    (tmp_path / "winter.md").write_text(ISSUE, encoding="utf-8")
    (tmp_path / "spring.md").write_text(
        ISSUE.replace("Winter opening hours", "Spring news"), encoding="utf-8"
    )
    return tmp_path


def run(news_dir, slug="winter"):
    issue = news.read_issue(news_dir, slug)
    return news.Sending(resource_table(), cli.ses(), issue, clock=clock.now, sleep=lambda _: None).run()


def questions(base_url, to=None):
    return [
        mail
        for mail in outbox(base_url, to=to)
        if mail["subject"] == "Do you still want news from JTec IT Solutions?"
    ]


def renewal_records():
    return [item for item in items() if item["kind"] == retention.CONSENT_RENEWAL.kind]


def subscribed_addresses():
    return sorted(subscriber["email"] for subscriber in news.subscribers(resource_table()))


@pytest.fixture
def old_and_new(forms):
    """One subscriber who confirmed over two years ago, and one who confirmed today."""
    [old] = subscribed(forms, 1)
    clock.advance(TWO_YEARS_AND_A_DAY)
    [new] = subscribed(forms, 1)
    return old, new


def test_an_old_consent_gets_the_question_instead_of_the_issue(forms, news_dir, old_and_new):
    old, new = old_and_new
    summary = run(news_dir)
    assert (summary.sent, summary.asked_to_renew) == (1, 1)
    assert [mail["to"] for mail in news_mails(forms)] == [new["email"]]
    [question] = questions(forms)
    assert question["to"] == old["email"]
    assert any("/newsletter/renew/?token=" in link for link in question["links"])
    assert "If you do nothing, your subscription ends on" in question["text"]
    assert question["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [record] = renewal_records()
    assert set(record) == {"pk", "sk", "kind", "asked_at", "expires_at"}


def test_the_question_is_asked_once_and_no_issue_goes_while_it_waits(forms, news_dir, old_and_new):
    run(news_dir)
    summary = run(news_dir, "spring")
    assert (summary.asked_to_renew, summary.awaiting_renewal, summary.sent) == (0, 1, 1)
    assert len(questions(forms)) == 1


def test_answering_keeps_the_subscription_and_the_next_issue_goes_to_them(forms, news_dir, old_and_new):
    old, _ = old_and_new
    run(news_dir)
    [question] = questions(forms)
    token = token_in(next(link for link in question["links"] if "/newsletter/renew/" in link))
    status, _, body = invoke("/api/subscribe/renew", {"token": token})
    assert (status, body) == (200, {"message": "Thank you: you will keep getting our news."})
    assert renewal_records() == []
    replay = invoke("/api/subscribe/renew", {"token": token})
    assert replay[0] == 200 and replay[2]["already"] is True
    dev_post(forms, "/_dev/clock", {"advance_days": 31})
    assert old["email"] in subscribed_addresses()
    summary = run(news_dir, "spring")
    assert (summary.sent, summary.asked_to_renew) == (2, 0)


def test_with_no_answer_in_30_days_the_subscription_ends(forms, news_dir, old_and_new):
    old, new = old_and_new
    run(news_dir)
    dev_post(forms, "/_dev/clock", {"advance_days": 29})
    assert old["email"] in subscribed_addresses()
    dev_post(forms, "/_dev/clock", {"advance_days": 2})
    assert subscribed_addresses() == [new["email"]]
    assert renewal_records() == []
    audited = [item for item in items() if item.get("item_kind") == retention.CONSENT_RENEWAL.kind]
    assert len(audited) == 1


def test_renewing_after_the_subscription_ended_says_so_and_changes_nothing(forms, news_dir, old_and_new):
    run(news_dir)
    [question] = questions(forms)
    token = token_in(next(link for link in question["links"] if "/newsletter/renew/" in link))
    dev_post(forms, "/_dev/clock", {"advance_days": 31})
    before = data_items()
    status, _, body = invoke("/api/subscribe/renew", {"token": token})
    assert status == 400
    assert body["errors"][0]["message"] == "This link has expired. Start again to get a new one."
    assert data_items() == before


def test_an_unanswered_question_ends_only_a_consent_older_than_it():
    asked = datetime.datetime(2029, 1, 31, 9, 30, tzinfo=datetime.UTC)
    deleted = asked + datetime.timedelta(days=30, hours=6)  # TTL deletes some hours after expiry
    threshold = subscriptions.still_due_before(deleted)

    def listed_at(moment):  # a subscription's place on the subscribers index
        return f"{moment.isoformat(timespec='seconds')}#SUBJECT#x"

    assert listed_at(retention.add_months(asked, -retention.CONSENT_RENEW_AFTER_MONTHS)) < threshold
    assert listed_at(asked - datetime.timedelta(days=800)) < threshold
    assert listed_at(asked + datetime.timedelta(days=1)) > threshold  # renewed, or confirmed again
    assert listed_at(asked - datetime.timedelta(days=700)) > threshold  # not due when asked
