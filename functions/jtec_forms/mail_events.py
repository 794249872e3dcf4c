"""What SES reports about our mail that could not be delivered, or that a person reported as spam, and
what that does to their newsletter subscription. Plain Python; actions/mail_events.py runs it.

- A hard (permanent) bounce or a complaint ends the subscription at once, as an unsubscribe would.
- A soft (transient) bounce is noted on that issue's send record; a subscription whose last
  SOFT_BOUNCES_IN_A_ROW issues all soft-bounced ends too.
Each event leaves a record with no address (kind mail_event): what happened, to which issue, and
whether it ended a subscription."""

from dataclasses import dataclass

from jtec_forms import retention

SOFT_BOUNCES_IN_A_ROW = 3
HARD_BOUNCE, SOFT_BOUNCE, COMPLAINT = "hard_bounce", "soft_bounce", "complaint"
SOFT_BOUNCED = "soft_bounced"  # a send record's status once its issue soft-bounced
ISSUE_TAG = "issue"  # the SES message tag `jtec newsletter send` names the issue by


@dataclass(frozen=True)
class MailEvent:
    kind: str
    address: str
    issue: str | None  # the news issue's slug, for newsletter mail
    event_id: str  # SES's message id and the recipient's place in it: the same on a retry
    at: str  # when SES says it happened (ISO 8601), or "" when it does not say


def events(detail):
    """One MailEvent per recipient an SES event names (EventBridge's `detail`, or an SNS notification's
    message); none for other events or what is not an SES event."""
    if not isinstance(detail, dict):
        return []
    mail = detail.get("mail") if isinstance(detail.get("mail"), dict) else {}
    issue = ((mail.get("tags") or {}).get(ISSUE_TAG) or [None])[0]
    happened = detail.get("eventType") or detail.get("notificationType")
    if happened == "Bounce":
        report = detail.get("bounce") or {}
        kind = HARD_BOUNCE if report.get("bounceType") == "Permanent" else SOFT_BOUNCE
        recipients = report.get("bouncedRecipients") or []
    elif happened == "Complaint":
        report = detail.get("complaint") or {}
        kind, recipients = COMPLAINT, report.get("complainedRecipients") or []
    else:
        return []
    message_id = str(mail.get("messageId") or "")
    at = str(report.get("timestamp") or mail.get("timestamp") or "")
    return [
        MailEvent(kind, recipient["emailAddress"], issue, f"{message_id}#{number}", at)
        for number, recipient in enumerate(recipients)
        if isinstance(recipient, dict) and isinstance(recipient.get("emailAddress"), str)
    ]


def ends_subscription(kind, latest_statuses):
    """Whether the event ends the subscription; `latest_statuses`: the person's send records' statuses,
    newest issue first, this event's soft bounce noted."""
    if kind in (HARD_BOUNCE, COMPLAINT):
        return True
    latest = latest_statuses[:SOFT_BOUNCES_IN_A_ROW]
    return len(latest) == SOFT_BOUNCES_IN_A_ROW and all(status == SOFT_BOUNCED for status in latest)


def record(event, ended, now):
    """The record an event leaves: no address, under the month it happened in, keyed by SES's own time
    and message id, so a retried event writes the same record again."""
    at = event.at or now.isoformat(timespec="seconds")
    return {
        "pk": retention.MAIL_EVENT_PARTITION + at[:7],
        "sk": f"{at}#{event.event_id}",
        "kind": retention.MAIL_EVENT.kind,
        "event": event.kind,
        "issue": event.issue,
        "ended_subscription": ended,
        "expires_at": retention.epoch_seconds(retention.MAIL_EVENT.expires_at(now)),
    }
