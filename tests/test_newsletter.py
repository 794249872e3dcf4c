"""`jtec newsletter send`: a news issue to every confirmed subscriber, each exactly once, with their own
one-click unsubscribe, against the embedded AWS (moto's DynamoDB and SES) and the real handlers."""

import json
import re

import pytest
from botocore.exceptions import ClientError
from click.testing import CliRunner
from lxml import html

from jtec_forms import clock, config, retention
from jtec_staff import cli, queries
from jtec_staff import newsletter as news
from tests.forms_support import invoke, items, outbox, resource_table
from tests.test_forms_subscription import links_for, sign_up, token_in
from tests.test_forms_your_data import ask_to_erase, token_from

ISSUE = """Title: Winter opening hours
Date: 2026-12-01
Description: Our opening hours over Christmas and the New Year.

We close at **noon** on 24 December. See [our services](https://www.jtec.invalid/services/).
"""


@pytest.fixture
def news_dir(tmp_path):
    (tmp_path / "winter.md").write_text(ISSUE, encoding="utf-8")
    return tmp_path


def subscribed(base_url, count):
    """`count` people who signed up and confirmed: their sign-up details."""
    people = []
    for _ in range(count):
        details, _ = sign_up()
        _, confirm_token, _ = links_for(base_url, details["email"])
        assert invoke("/api/subscribe/confirm", {"token": confirm_token})[0] == 200
        people.append(details)
    return people


def jtec(*arguments):
    done = CliRunner().invoke(cli.main, ["--table", config.table_name(), *arguments])
    if done.exception and not isinstance(done.exception, SystemExit):
        raise done.exception
    return done.exit_code, done.stdout, done.stderr


def send(news_dir, *options):
    return jtec("newsletter", "send", "winter", "--news-dir", str(news_dir), "--yes", "--json", *options)


def news_mails(base_url):
    return [mail for mail in outbox(base_url) if "Winter opening hours" in mail["subject"]]


def sending(issue_dir, **options):
    """A run of the send as the command makes it, with no waiting between messages."""
    return news.Sending(
        resource_table(),
        cli.ses(),
        news.read_issue(issue_dir, "winter"),
        clock=clock.now,
        sleep=lambda seconds: None,
        **options,
    )


def send_records():
    return [item for item in items() if item["kind"] == retention.NEWSLETTER_SEND.kind]


def test_each_subscriber_gets_the_issue_once_with_their_own_one_click_unsubscribe(forms, news_dir):
    people = subscribed(forms, 3)
    status, out, err = send(news_dir)
    assert status == 0, err
    assert json.loads(out)["sent"] == 3
    mails = news_mails(forms)
    assert sorted(mail["to"] for mail in mails) == sorted(person["email"] for person in people)
    unsubscribe_links = {mail["headers"]["List-Unsubscribe"] for mail in mails}
    assert len(unsubscribe_links) == 3
    for mail in mails:
        headers = mail["headers"]
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert re.fullmatch(
            r"<http://127\.0\.0\.1:\d+/api/unsubscribe\?token=[^>]+>", headers["List-Unsubscribe"]
        )
        assert headers["List-Id"] == "JTec IT Solutions news <news.127.0.0.1>"
        assert "We close at **noon** on 24 December." in mail["text"]
        assert "because you confirmed your subscription to our news on" in mail["text"]
        assert f"{config.site_url()}/news/winter/" in mail["text"]
        assert any("/newsletter/unsubscribe/?token=" in link for link in mail["links"])


def test_the_html_part_loads_nothing_tracks_nothing_and_names_no_one(forms, news_dir):
    [person] = subscribed(forms, 1)
    issue = news.read_issue(news_dir, "winter")
    [recipient] = news.subscribers(resource_table())
    mail = news.message(issue, recipient)
    page = mail.get_body(("html",)).get_content()
    document = html.fromstring(page)
    assert document.xpath("//img | //script | //link | //iframe | //*[@style[contains(., 'url(')]]") == []
    links = document.xpath("//a/@href")
    assert links == [
        "https://www.jtec.invalid/services/",
        f"{config.site_url()}/news/winter/",
        f"{config.site_url()}/newsletter/unsubscribe/?token={token_in(links[-1])}",
    ]
    assert "<strong>noon</strong>" in page
    for part in (page, mail.get_body(("plain",)).get_content(), str(mail)):
        assert person["name"] not in part


def test_a_second_run_sends_nothing_and_says_each_had_it_already(forms, news_dir):
    subscribed(forms, 2)
    send(news_dir)
    status, out, _ = send(news_dir)
    assert status == 0
    assert {key: json.loads(out)[key] for key in ("sent", "already_sent")} == {"sent": 0, "already_sent": 2}
    assert len(news_mails(forms)) == 2


@pytest.mark.parametrize("stop_after", [0, 1, 2, 3])
def test_a_run_stopped_after_any_message_carries_on_and_mails_no_one_twice(forms, news_dir, stop_after):
    people = subscribed(forms, 4)
    sent = []
    first = sending(news_dir).run(progress=sent.append, stop=lambda: len(sent) >= stop_after)
    assert (first.sent, first.stopped) == (stop_after, True)
    second = sending(news_dir).run()
    assert (second.sent, second.already_sent) == (4 - stop_after, stop_after)
    assert sorted(mail["to"] for mail in news_mails(forms)) == sorted(person["email"] for person in people)


def test_a_run_that_dies_between_sending_and_recording_never_mails_that_person_again_by_itself(
    forms, news_dir, monkeypatch
):
    subscribed(forms, 2)
    real_complete = news.complete

    def crash_once(*arguments):
        monkeypatch.setattr(news, "complete", real_complete)
        raise ConnectionError("the laptop closed")

    monkeypatch.setattr(news, "complete", crash_once)
    with pytest.raises(ConnectionError):
        sending(news_dir).run()
    again = sending(news_dir).run()
    assert (again.sent, again.uncertain) == (1, 1)
    assert len(news_mails(forms)) == 2
    assert "--resend-uncertain sends them" in news.summary_text(news.read_issue(news_dir, "winter"), again)
    resent = sending(news_dir).run(resend_uncertain=True)
    assert (resent.sent, resent.already_sent) == (1, 1)
    assert len(news_mails(forms)) == 3
    assert {record["status"] for record in send_records()} == {"sent"}


def test_someone_who_unsubscribes_or_is_erased_during_a_send_is_not_mailed_after_it(forms, news_dir):
    people = subscribed(forms, 3)
    unsubscribe_tokens = {person["email"]: links_for(forms, person["email"])[2] for person in people}
    turns = []

    def meanwhile(count):
        turns.append(count)
        mailed = [mail["to"] for mail in news_mails(forms)]
        if len(turns) == 1:  # after the first message, the two still to come end their subscriptions
            leaving, erased = [person["email"] for person in people if person["email"] not in mailed]
            assert invoke("/api/unsubscribe", {"token": unsubscribe_tokens[leaving]})[0] == 200
            erase_token = ask_to_erase(forms, erased)
            assert invoke("/your-data/delete/receipt", {"token": erase_token})[0] == 200

    summary = sending(news_dir).run(progress=meanwhile)
    assert (summary.sent, summary.unsubscribed) == (1, 2)
    assert len(news_mails(forms)) == 1


class ThrottledSes:
    """SES that refuses with Throttling the first `times` sends, as the real one does over the rate."""

    def __init__(self, ses, times, code="Throttling"):
        self.ses, self.times, self.code, self.refused = ses, times, code, 0

    def get_send_quota(self):
        return self.ses.get_send_quota()

    def send_raw_email(self, **arguments):
        if self.refused < self.times:
            self.refused += 1
            raise ClientError(
                {"Error": {"Code": self.code, "Message": "Maximum sending rate exceeded."}}, "SendRawEmail"
            )
        return self.ses.send_raw_email(**arguments)


def test_throttling_backs_off_and_sends_the_same_message_once(forms, news_dir):
    subscribed(forms, 2)
    waits = []
    run = sending(news_dir)
    run.ses, run.sleep = ThrottledSes(cli.ses(), times=3), waits.append
    summary = run.run()
    assert summary.sent == 2 and len(news_mails(forms)) == 2
    backoffs = [wait for wait in waits if wait > 0]
    assert backoffs[:3] == sorted(backoffs[:3]) and backoffs[0] > 0


def test_a_message_ses_refuses_is_freed_for_the_next_run(forms, news_dir):
    subscribed(forms, 1)
    run = sending(news_dir)
    run.ses = ThrottledSes(cli.ses(), times=1, code="MessageRejected")
    refused = run.run()
    assert (refused.sent, refused.failed) == (0, {"MessageRejected": 1})
    assert [record["status"] for record in send_records()] == ["refused"]
    assert sending(news_dir).run().sent == 1
    assert [record["status"] for record in send_records()] == ["sent"]


def test_sending_reads_the_subscribers_with_a_query_never_a_scan(forms, news_dir, monkeypatch):
    import botocore.client

    subscribed(forms, 2)
    calls = []
    real = botocore.client.BaseClient._make_api_call

    def recording(client, operation, parameters):
        calls.append(operation)
        return real(client, operation, parameters)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    sending(news_dir).run()
    assert "Scan" not in calls and "Query" in calls


def test_a_dry_run_counts_and_shows_the_first_message_and_sends_nothing(forms, news_dir):
    subscribed(forms, 2)
    status, out, _ = send(news_dir, "--dry-run")
    answer = json.loads(out)
    assert (status, answer["subscribers"]) == (0, 2)
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in answer["first_message"]
    assert news_mails(forms) == [] and send_records() == []


def test_a_test_copy_goes_to_one_address_marked_as_a_test_and_records_nothing(forms, news_dir):
    subscribed(forms, 1)
    status, _, err = send(news_dir, "--test-to", "office@example.com")
    assert status == 0, err
    [mail] = news_mails(forms)
    assert (mail["to"], mail["subject"]) == ("office@example.com", "[Test] Winter opening hours")
    assert "This is a test copy" in mail["text"]
    assert send_records() == []


def test_the_send_records_hold_no_address_and_are_shown_and_erased_with_the_persons_data(forms, news_dir):
    [person] = subscribed(forms, 1)
    send(news_dir)
    [record] = send_records()
    assert set(record) == {"pk", "sk", "kind", "status", "claimed_at", "sent_at", "expires_at"}
    expected = retention.epoch_seconds(retention.NEWSLETTER_SEND.expires_at(queries.utc_now()))
    assert abs(int(record["expires_at"]) - expected) < 60  # kept for the schedule's 24 months
    token = ask_to_erase(forms, person["email"])
    status, _, body = invoke("/your-data/delete/receipt", {"token": token})
    assert status == 200 and body["receipt"]["deleted"].get(retention.NEWSLETTER_SEND.kind) == 1
    assert send_records() == []


def test_the_access_report_shows_which_issues_a_person_was_sent_and_why_it_is_kept(forms, news_dir):
    [person] = subscribed(forms, 1)
    send(news_dir)
    invoke("/api/access", {"email": person["email"]})
    token = token_from(forms, person["email"], "/your-data/see/confirm/")
    status, _, report = invoke("/your-data/see/report", {"token": token})
    assert status == 200
    [sent] = [entry for entry in report["items"] if entry["kind"] == retention.NEWSLETTER_SEND.kind]
    assert (sent["what"], sent["purpose"]) == (
        retention.NEWSLETTER_SEND.what,
        retention.NEWSLETTER_SEND.purpose,
    )
    assert sent["contents"]["status"] == "sent" and "sent_at" in sent["contents"]
    assert {"claimed_at", "sent_at"} <= set(report["fields"])


def test_the_one_click_address_in_the_newsletter_ends_the_subscription(forms, news_dir):
    subscribed(forms, 1)
    send(news_dir)
    [mail] = news_mails(forms)
    token = token_in(mail["headers"]["List-Unsubscribe"].strip("<>"))
    status, _, _ = invoke(
        "/api/unsubscribe",
        raw='--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n',
        content_type="multipart/form-data; boundary=b",
        query={"token": token},
    )
    assert status == 200
    assert news.subscribers(resource_table()) == []


@pytest.mark.parametrize(
    "slug,text,message",
    [
        ("missing", None, "jtec: no news issue 'missing': expected the file"),
        ("winter", None, "jtec: --test-to: 'office@jtec.invalid' is not an address mail can be delivered to"),
        (
            "draft",
            ISSUE.replace("Date:", "Status: draft\nDate:"),
            "is a draft: remove its 'Status: draft' line",
        ),
        ("pictured", ISSUE + "\n![Our office](https://www.jtec.invalid/office.jpg)\n", "has an image"),
        ("bad.name", None, "an issue's name has letters, digits, dashes and underscores only"),
    ],
    ids=["no such issue", "no such address", "a draft", "an image", "a name SES cannot tag"],
)
def test_what_cannot_be_sent_is_one_line_and_status_2(forms, news_dir, slug, text, message):
    if text:
        (news_dir / f"{slug}.md").write_text(text, encoding="utf-8")
    status, _, err = jtec(
        "newsletter", "send", slug, "--news-dir", str(news_dir), "--yes", "--test-to", "office@jtec.invalid"
    )
    assert status == 2
    assert message in err and len(err.splitlines()) == 1


def test_the_local_outbox_shows_the_html_part_as_a_mail_client_would(forms, news_dir):
    import urllib.request

    subscribed(forms, 1)
    send(news_dir)
    with urllib.request.urlopen(forms + "/_dev/outbox") as answer:
        page = html.fromstring(answer.read())
    [frame] = page.xpath("//iframe")
    assert frame.get("sandbox") == ""
    assert "<strong>noon</strong>" in frame.get("srcdoc")
    assert "Winter opening hours" in frame.get("title")


def test_a_subscriber_at_an_international_domain_gets_the_issue_at_its_ascii_form_once(forms, news_dir):
    details, _ = sign_up(name="Ζωή Μüller", email="zoe@müller.de")
    _, confirm_token, _ = links_for(forms, "zoe@xn--mller-kva.de")
    assert invoke("/api/subscribe/confirm", {"token": confirm_token})[0] == 200
    send(news_dir)
    send(news_dir)
    [mail] = news_mails(forms)
    assert mail["to"] == "zoe@xn--mller-kva.de"
    assert details["name"] not in mail["text"]
