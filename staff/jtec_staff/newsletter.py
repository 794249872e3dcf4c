"""Sending a news issue to the newsletter's subscribers, each exactly once. Plain functions over the table
(boto3's resource Table), an SES client and a clock, so the tests drive them against the embedded AWS.

The rule that mails no one twice: before a message goes to a subscriber, one transaction both checks that
their subscription is still active and claims the pair (issue, subscriber) with a record that must not
exist yet (`NEWS#<slug>` under their subject key, the newsletter_send kind of the retention schedule); once
SES has taken the message, the record is marked sent. A send stopped at any moment resumes with the same
command: a claimed pair is never claimed again. The one case where a message may or may not have gone is
a stop between SES's call and its answer (a crash, a lost connection): such records stay "sending", are
reported as uncertain, and are never sent again by themselves (`--resend-uncertain` sends them)."""

import datetime
import email.utils
import html
import re
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from boto3.dynamodb.conditions import Key

from jtec_forms import config, emails, mail_events, retention, subscriptions, tokens
from jtec_forms.subjects import delivery_address

SENDING, SENT, REFUSED = "sending", "sent", "refused"
# An issue's slug (its file's name): what SES takes as a message tag's value, so bounces name the issue.
SLUG = re.compile(r"[A-Za-z0-9_-]{1,200}")
# A Markdown or HTML image: a mail that shows it would load it from elsewhere (and could track the reader).
IMAGE = re.compile(r"!\[[^\]]*\]\(|<img\b", re.IGNORECASE)
THROTTLED = ("Throttling", "ThrottlingException", "TooManyRequestsException")


class IssueProblem(Exception):
    """The issue cannot be sent as it is; the message says why and what to do."""


@dataclass(frozen=True)
class Issue:
    slug: str
    title: str
    date: str
    description: str
    body: str  # Markdown

    def url(self, site_url):
        return f"{site_url}/news/{self.slug}/"


def read_issue(news_dir, slug):
    """The issue `content/news/<slug>.md` as the site publishes it (a draft is refused)."""
    path = Path(news_dir) / f"{slug}.md"
    if not SLUG.fullmatch(slug):
        raise IssueProblem(f"{slug!r}: an issue's name has letters, digits, dashes and underscores only")
    if not path.is_file():
        raise IssueProblem(f"no news issue {slug!r}: expected the file {path}")
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    fields = {}
    for line in header.splitlines():
        name, _, value = line.partition(":")
        fields[name.strip().lower()] = value.strip()
    if fields.get("status", "published").lower() == "draft":
        raise IssueProblem(f"{path} is a draft: remove its 'Status: draft' line and publish it first")
    missing = [name for name in ("title", "date", "description") if not fields.get(name)]
    if missing:
        raise IssueProblem(f"{path} has no {', '.join(missing)} (docs/editing-news.md)")
    if IMAGE.search(body):
        raise IssueProblem(
            f"{path} has an image: news mail loads nothing from elsewhere, so link to it instead"
        )
    return Issue(slug, fields["title"], fields["date"], fields["description"], body.strip())


def subscribers(table):
    """Every active subscription, in the order people confirmed, from the subscribers index (a Query,
    never a Scan): pk, email and when they confirmed."""
    found = []
    arguments = {
        "IndexName": subscriptions.SUBSCRIBERS_INDEX,
        "KeyConditionExpression": Key("list_pk").eq(subscriptions.LIST_PARTITION),
    }
    while True:
        page = table.query(**arguments)
        found += [
            {"pk": item["pk"], "email": item["email"], "confirmed_at": item["list_sk"].split("#", 1)[0]}
            for item in page["Items"]
        ]
        if "LastEvaluatedKey" not in page:
            return found
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _long_date(iso):
    day = datetime.date.fromisoformat(iso[:10])
    return f"{day.day} {day:%B %Y}"


def message(issue, recipient, test=False):
    """The mail for one recipient: a plain-text part and an HTML part from the issue's Markdown, with
    their own one-click unsubscribe (RFC 8058), the list's id (RFC 2919), why they get it and where the
    issue is on the site. No image, no tracking, no redirected link, no name. The site's address, the
    sender and the key that signs the link are the functions' settings (jtec_forms.config)."""
    import markdown

    site_url = config.site_url()
    token = tokens.issue(config.secret(), tokens.UNSUBSCRIBE, recipient["pk"])
    unsubscribe = emails.link("/newsletter/unsubscribe/", token)
    on_site = issue.url(site_url)
    why = (
        "This is a test copy: it was sent to you only, and no subscriber's record changed."
        if test
        else f"You get this because you confirmed your subscription to our news on "
        f"{_long_date(recipient['confirmed_at'])}."
    )
    text = (
        f"{issue.title}\n{'=' * len(issue.title)}\n\n{issue.body}\n\n"
        f"Read it on our website: {on_site}\n\n{why}\nUnsubscribe (at once, with one click): {unsubscribe}\n"
    )
    paragraph = 'style="margin:0 0 16px;font:16px/1.5 Arial,sans-serif;color:#1b1b1b"'
    body_html = markdown.markdown(issue.body).replace("<p>", f"<p {paragraph}>")
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><meta charset="utf-8">'
        f"<title>{html.escape(issue.title)}</title></head>"
        '<body style="margin:0;padding:24px;background:#ffffff">'
        '<div style="max-width:600px;margin:0 auto">'
        f'<p {paragraph}><strong style="color:#0b3d91">JTec IT Solutions</strong> news</p>'
        f'<h1 style="font:bold 24px/1.3 Arial,sans-serif;color:#0b3d91">{html.escape(issue.title)}</h1>'
        f"{body_html}"
        f'<p {paragraph}><a href="{html.escape(on_site)}" style="color:#0b3d91">Read it on our website</a></p>'
        f'<hr style="border:0;border-top:1px solid #cccccc">'
        f"<p {paragraph}>{html.escape(why)} "
        f'<a href="{html.escape(unsubscribe)}" style="color:#0b3d91">Unsubscribe</a> (at once, with one click).</p>'
        "</div></body></html>"
    )
    mail = EmailMessage()
    mail["From"] = config.mail_from()
    mail["To"] = delivery_address(recipient["email"])
    mail["Subject"] = f"[Test] {issue.title}" if test else issue.title
    mail["Date"] = email.utils.formatdate(localtime=False)
    mail["List-Id"] = f"JTec IT Solutions news <news.{_domain(site_url)}>"
    for name, value in emails.unsubscribe_headers(token).items():
        mail[name] = value
    mail.set_content(text)
    mail.add_alternative(page, subtype="html")
    return mail


def _domain(site_url):
    return site_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"


@dataclass
class Summary:
    subscribers: int = 0
    sent: int = 0
    already_sent: int = 0
    unsubscribed: int = 0  # ended (unsubscribed, erased) between the list and their turn
    uncertain: int = 0  # claimed by a run that stopped between SES's call and its answer
    asked_to_renew: int = 0  # consent older than the schedule allows: asked instead of sent the issue
    awaiting_renewal: int = 0  # asked before, not answered yet: not sent the issue
    failed: dict = field(default_factory=dict)  # SES's reason -> how many
    stopped: bool = False


def _record_key(issue, pk):
    return {"pk": pk, "sk": retention.NEWSLETTER_SEND.sort_key + issue.slug}


# `client` is the resource Table's own client (table.meta.client), which takes and gives Python values
# as the Table does (boto3 registers its type serialisers on it).


def claim(client, table_name, issue, recipient, now, resend_uncertain=False):
    """Claim (issue, recipient) for one send, if their subscription is still active: "claimed", or why
    not ("sent", "uncertain", "unsubscribed")."""
    put = {
        "TableName": table_name,
        "Item": {
            **_record_key(issue, recipient["pk"]),
            "kind": retention.NEWSLETTER_SEND.kind,
            "status": SENDING,
            "claimed_at": now.isoformat(timespec="seconds"),
            "expires_at": retention.epoch_seconds(retention.NEWSLETTER_SEND.expires_at(now)),
        },
        # A pair is claimed once; again only when SES refused its message (nothing was sent), or when
        # asked to send again what a stopped run may have sent.
        "ConditionExpression": "attribute_not_exists(pk) OR #status IN (:refused, :again)",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {
            ":refused": REFUSED,
            ":again": SENDING if resend_uncertain else REFUSED,
        },
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    outcome = _put_while_subscribed(client, table_name, recipient, put)
    if isinstance(outcome, dict):  # the pair was claimed before: what its record says now
        old = outcome.get("status")
        return "uncertain" if old in (SENDING, {"S": SENDING}) else "sent"  # sent, perhaps bounced since
    return outcome


def _put_while_subscribed(client, table_name, recipient, put):
    """Write `put` in one transaction with the check that the recipient's subscription is still active:
    "claimed", "unsubscribed", or, when the put's own condition refused it, the item that was there (as
    the put asked DynamoDB to return it; {} when it did not ask)."""
    active = {
        "TableName": table_name,
        "Key": {"pk": recipient["pk"], "sk": retention.ACTIVE_SUBSCRIPTION.sort_key},
        "ConditionExpression": "#status = :active",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":active": "active"},
    }
    try:
        client.transact_write_items(TransactItems=[{"ConditionCheck": active}, {"Put": put}])
        return "claimed"
    except client.exceptions.TransactionCanceledException as cancelled:
        reasons = cancelled.response.get("CancellationReasons", [])
        if reasons and reasons[0].get("Code") == "ConditionalCheckFailed":
            return "unsubscribed"
        if len(reasons) > 1 and reasons[1].get("Code") == "ConditionalCheckFailed":
            return reasons[1].get("Item", {})
        raise


def complete(client, table_name, issue, recipient, now):
    client.update_item(
        TableName=table_name,
        Key=_record_key(issue, recipient["pk"]),
        UpdateExpression="SET #status = :sent, sent_at = :now",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":sent": SENT, ":now": now.isoformat(timespec="seconds")},
    )


def release(client, table_name, issue, recipient):
    """SES refused the message (nothing was sent): the next run may claim the pair again."""
    client.update_item(
        TableName=table_name,
        Key=_record_key(issue, recipient["pk"]),
        UpdateExpression="SET #status = :refused",
        ExpressionAttributeNames={"#status": "status"},
        ExpressionAttributeValues={":refused": REFUSED},
    )


def send_rate(ses):
    """Messages a second the account may send (SES's quota; 1 in the sandbox)."""
    return max(float(ses.get_send_quota().get("MaxSendRate") or 1), 1.0)


# What a claim that was refused counts as in the summary.
COUNTED_AS = {"sent": "already_sent", "uncertain": "uncertain", "unsubscribed": "unsubscribed"}


@dataclass
class Sending:
    """One run of `jtec newsletter send`: where it sends from and to, and at what pace."""

    table: object  # boto3's resource Table
    ses: object
    issue: Issue
    clock: object  # () -> an aware datetime
    sleep: object = time.sleep

    def run(self, progress=None, stop=lambda: False, resend_uncertain=False):
        """Send the issue to every subscriber it has not reached (or, when their consent is old, the
        question whether they still want it); a Summary of what happened."""
        client, listed = self.table.meta.client, subscribers(self.table)
        summary = Summary(subscribers=len(listed))
        interval = 1 / send_rate(self.ses)
        for recipient in listed:
            if stop():
                summary.stopped = True
                break
            now = self.clock()
            if subscriptions.renewal_due(recipient["confirmed_at"], now):
                self.ask_to_renew(recipient, summary, interval, now)
            else:
                outcome = claim(client, self.table.name, self.issue, recipient, now, resend_uncertain)
                if outcome == "claimed":
                    self.send_one(recipient, summary, interval)
                else:
                    name = COUNTED_AS[outcome]
                    setattr(summary, name, getattr(summary, name) + 1)
            if progress:
                progress(1)
        return summary

    def send_one(self, recipient, summary, interval):
        """Send the claimed pair's message; mark it sent, or free it when SES refuses it."""
        client, name = self.table.meta.client, self.table.name
        mail = message(self.issue, recipient)
        refused = self.deliver(mail, interval, tags={mail_events.ISSUE_TAG: self.issue.slug})
        if refused:
            release(client, name, self.issue, recipient)
            summary.failed[refused] = summary.failed.get(refused, 0) + 1
            return
        complete(client, name, self.issue, recipient, self.clock())
        summary.sent += 1

    def ask_to_renew(self, recipient, summary, interval, now):
        """Instead of the issue, ask once whether they still want the news: the question's record (its TTL
        ends the subscription if nobody answers), claimed as a send is, then the mail. A question SES
        refuses is not asked again: the subscription ends with it, as the address takes no mail."""
        outcome = ask(self.table.meta.client, self.table.name, recipient, now)
        if outcome != "claimed":
            name = "unsubscribed" if outcome == "unsubscribed" else "awaiting_renewal"
            setattr(summary, name, getattr(summary, name) + 1)
            return
        refused = self.deliver(renewal_message(recipient, now), interval)
        if refused:
            summary.failed[refused] = summary.failed.get(refused, 0) + 1
            return
        summary.asked_to_renew += 1

    def deliver(self, mail, interval, tags=None):
        """Give SES one message, again while it throttles (nothing was sent), then wait out the rest of
        the send interval: None once sent, or the code SES refused it with."""
        from botocore.exceptions import ClientError

        started, wait = time.monotonic(), interval
        while True:
            try:
                self.ses.send_raw_email(
                    Source=config.mail_from(),
                    Destinations=[mail["To"]],
                    RawMessage={"Data": mail.as_bytes()},
                    # SES reports a bounce or complaint with the message's tags: the issue it was.
                    Tags=[{"Name": name, "Value": value} for name, value in (tags or {}).items()],
                )
                break
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "") or "unknown"
                if code not in THROTTLED:
                    return code
                wait = min(wait * 2, 60)
                self.sleep(wait)
        self.sleep(max(0.0, interval - (time.monotonic() - started)))  # at most the account's send rate
        return None


def ask(client, table_name, recipient, now):
    """Record that we ask whether they still want the news, once, if their subscription is active:
    "claimed", or why not ("unsubscribed", "asked")."""
    question = {
        "TableName": table_name,
        "Item": subscriptions.renewal_question(recipient["pk"], now),
        "ConditionExpression": "attribute_not_exists(pk)",
    }
    outcome = _put_while_subscribed(client, table_name, recipient, question)
    return "asked" if isinstance(outcome, dict) else outcome


def renewal_message(recipient, now):
    """The question, with the link that keeps the subscription and the one that ends it."""
    from jtec_forms.mailer import build

    secret = config.secret()
    subject, text, headers = emails.renew_subscription(
        tokens.issue(secret, tokens.RENEW_SUBSCRIPTION, recipient["pk"]),
        tokens.issue(secret, tokens.UNSUBSCRIBE, recipient["pk"]),
        confirmed_on=_long_date(recipient["confirmed_at"]),
        ends_on=_long_date(retention.CONSENT_RENEWAL.expires_at(now).isoformat()),
    )
    to = delivery_address(recipient["email"])
    return email.message_from_bytes(build(to, subject, text, headers))


def summary_text(issue, summary):
    """The end of a run in words: what was sent, skipped and refused, and what to do next."""
    lines = [
        f"{issue.title}: sent {summary.sent} of {summary.subscribers} subscribers now; "
        f"{summary.already_sent} had it already; {summary.unsubscribed} unsubscribed meanwhile."
    ]
    if summary.asked_to_renew or summary.awaiting_renewal:
        lines.append(
            f"Consent older than {retention.CONSENT_RENEW_AFTER_MONTHS} months: {summary.asked_to_renew} asked "
            f"now whether they still want it, {summary.awaiting_renewal} asked before (no issue to either)."
        )
    for reason, count in sorted(summary.failed.items()):
        lines.append(f"Failed, {count}: SES refused ({reason}); run the same command again to retry them.")
    if summary.uncertain:
        lines.append(
            f"Uncertain, {summary.uncertain}: a stopped run may have mailed them; not sent again "
            "(--resend-uncertain sends them)."
        )
    if summary.stopped:
        lines.append("Stopped before the end: run the same command to carry on (no one is mailed twice).")
    return "\n".join(lines)
