"""Bounces and complaints: SES's events, as EventBridge hands them to the mail-events function, end the
subscriptions of addresses that cannot or do not want to receive the news; each leaves a record with no
address. Against the embedded AWS, with the real handler, and through `POST /_dev/ses-event`."""

import pytest

from jtec_forms import mail_events, retention
from jtec_staff import cli
from jtec_staff import newsletter as news
from local import ses_events
from tests.forms_support import dev_post, items, resource_table
from tests.test_newsletter import ISSUE, send_records, subscribed

ISSUES = ("autumn", "winter", "spring", "summer")


@pytest.fixture
def news_dir(tmp_path):
    for number, slug in enumerate(ISSUES):
        (tmp_path / f"{slug}.md").write_text(
            ISSUE.replace("Winter opening hours", f"News {slug}").replace(
                "2026-12-01", f"2026-12-0{number + 1}"
            ),
            encoding="utf-8",
        )
    return tmp_path


class RecordingSes:
    """SES as it is, keeping each send's tags: what SES would report a bounce of that message with."""

    def __init__(self):
        self.ses, self.tags = cli.ses(), []

    def get_send_quota(self):
        return self.ses.get_send_quota()

    def send_raw_email(self, **arguments):
        self.tags.append({tag["Name"]: tag["Value"] for tag in arguments.get("Tags", [])})
        return self.ses.send_raw_email(**arguments)


def send_issue(news_dir, slug):
    from jtec_forms import clock

    ses = RecordingSes()
    news.Sending(
        resource_table(), ses, news.read_issue(news_dir, slug), clock=clock.now, sleep=lambda _: None
    ).run()
    clock.advance(7)  # the next issue, a week later
    return ses.tags


def report(kind, address, issue=None, bounce_type="Permanent"):
    return ses_events.deliver(
        ses_events.ses_event(kind, bounce_type if kind == "Bounce" else None, address, issue)
    )


def subscribed_addresses():
    return [subscriber["email"] for subscriber in news.subscribers(resource_table())]


def event_records():
    return [item for item in items() if item["kind"] == retention.MAIL_EVENT.kind]


@pytest.mark.parametrize("kind", ["Bounce", "Complaint"], ids=["hard bounce", "complaint"])
def test_a_hard_bounce_or_a_complaint_ends_the_subscription_at_once(forms, news_dir, kind):
    leaving, staying = subscribed(forms, 2)
    assert report(kind, leaving["email"], "winter") == {"events": 1, "ended": 1}
    assert subscribed_addresses() == [staying["email"]]
    [record] = event_records()
    assert record["event"] == {"Bounce": "hard_bounce", "Complaint": "complaint"}[kind]
    assert (record["ended_subscription"], record["issue"]) == (True, "winter")


def test_an_event_leaves_a_record_with_no_address_kept_as_the_schedule_says(forms):
    [person] = subscribed(forms, 1)
    report("Complaint", person["email"])
    [record] = event_records()
    assert set(record) == {"pk", "sk", "kind", "event", "issue", "ended_subscription", "expires_at"}
    assert person["email"] not in str(record) and person["name"] not in str(record)
    assert record["pk"].startswith(retention.MAIL_EVENT_PARTITION)


def test_the_news_is_tagged_with_its_issue_so_a_bounce_names_it(forms, news_dir):
    subscribed(forms, 1)
    assert send_issue(news_dir, "winter") == [{"issue": "winter"}]


def test_soft_bounces_on_three_issues_in_a_row_end_the_subscription(forms, news_dir):
    [person] = subscribed(forms, 1)
    answers = []
    for slug in ISSUES[:3]:
        [tags] = send_issue(news_dir, slug)
        answers.append(report("Bounce", person["email"], tags["issue"], bounce_type="Transient"))
    assert [answer["ended"] for answer in answers] == [0, 0, 1]
    assert subscribed_addresses() == []
    assert sorted(record["status"] for record in send_records()) == ["soft_bounced"] * 3


def test_soft_bounces_with_a_delivered_issue_between_do_not_end_it(forms, news_dir):
    [person] = subscribed(forms, 1)
    for slug in ISSUES:
        [tags] = send_issue(news_dir, slug)
        if slug != "winter":  # the second issue was delivered
            assert report("Bounce", person["email"], tags["issue"], bounce_type="Transient")["ended"] == 0
    assert subscribed_addresses() == [person["email"]]
    assert sorted(record["status"] for record in send_records()) == ["sent"] + ["soft_bounced"] * 3


def test_the_same_event_twice_changes_nothing_more_and_leaves_one_record(forms):
    [person] = subscribed(forms, 1)
    event = ses_events.ses_event("Complaint", None, person["email"])
    assert ses_events.deliver(event)["ended"] == 1
    assert ses_events.deliver(event)["ended"] == 0
    assert len(event_records()) == 1


def test_an_event_for_an_address_with_no_subscription_changes_nothing_but_its_record(forms):
    [person] = subscribed(forms, 1)
    before = [item for item in items() if item["kind"] != retention.MAIL_EVENT.kind]
    assert report("Bounce", "nobody@example.com")["ended"] == 0
    assert [item for item in items() if item["kind"] != retention.MAIL_EVENT.kind] == before
    assert subscribed_addresses() == [person["email"]]


def test_what_is_not_a_bounce_or_complaint_is_ignored(forms):
    for detail in (
        None,
        "text",
        {},
        {"eventType": "Delivery"},
        {"eventType": "Bounce", "bounce": {"bouncedRecipients": [{}]}},
    ):
        assert mail_events.events(detail) == []


def test_the_dev_route_runs_the_function_as_ses_would(forms):
    [person] = subscribed(forms, 1)
    status, answer = dev_post(
        forms, "/_dev/ses-event", {"type": "Bounce", "bounceType": "Permanent", "email": person["email"]}
    )
    assert (status, answer) == (200, {"events": 1, "ended": 1})
    assert subscribed_addresses() == []


@pytest.mark.parametrize(
    "body,field",
    [
        ({"type": "Delivery", "email": "a@example.com"}, "type"),
        ({"type": "Bounce", "email": "a@example.com"}, "bounceType"),
        ({"type": "Complaint", "email": 7}, "email"),
        ([], None),
    ],
    ids=["not a bounce or complaint", "no bounce type", "no address", "not an object"],
)
def test_the_dev_route_refuses_what_is_not_an_event_naming_the_field(forms, body, field):
    status, answer = dev_post(forms, "/_dev/ses-event", body)
    assert status == 400 and answer["errors"][0]["field"] == field


def test_an_issue_that_soft_bounced_is_not_sent_again_by_the_next_run(forms, news_dir):
    from jtec_forms import clock

    [person] = subscribed(forms, 1)
    [tags] = send_issue(news_dir, "winter")
    report("Bounce", person["email"], tags["issue"], bounce_type="Transient")
    again = news.Sending(
        resource_table(),
        cli.ses(),
        news.read_issue(news_dir, "winter"),
        clock=clock.now,
        sleep=lambda _: None,
    ).run()
    assert (again.sent, again.already_sent, again.uncertain) == (0, 1, 0)
