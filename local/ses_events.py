"""SES's bounce and complaint events, made locally: `POST /_dev/ses-event` builds the event SES would put
on EventBridge for one address and runs the mail-events function with it, as the rule does in AWS."""

import datetime
import uuid

from local.api import INVOCATION_LOCK, LambdaContext

KINDS = {"Bounce": "Email Bounced", "Complaint": "Email Complaint Received"}
BOUNCE_TYPES = ("Permanent", "Transient")


class EventRefused(ValueError):
    """The request does not describe an event; (field, message)."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field, self.message = field, message


def read_request(body):
    """(type, bounce type or None, email, issue or None) from the dev route's JSON, or EventRefused."""
    if not isinstance(body, dict):
        raise EventRefused(
            None, 'Send {"type": "Bounce" or "Complaint", "bounceType": ..., "email": ADDRESS}'
        )
    kind = body.get("type")
    if kind not in KINDS:
        raise EventRefused("type", 'type must be "Bounce" or "Complaint"')
    bounce_type = body.get("bounceType")
    if kind == "Bounce" and bounce_type not in BOUNCE_TYPES:
        raise EventRefused("bounceType", 'bounceType must be "Permanent" (hard) or "Transient" (soft)')
    address = body.get("email")
    if not isinstance(address, str) or "@" not in address:
        raise EventRefused("email", "email must be the address the mail went to")
    issue = body.get("issue")
    if issue is not None and not isinstance(issue, str):
        raise EventRefused("issue", "issue, when given, must be the news issue's slug")
    return kind, bounce_type, address, issue


def ses_event(kind, bounce_type, address, issue=None, now=None):
    """The EventBridge event SES publishes for a bounce or complaint of a mail to `address` (tagged with
    the news issue it carried, if any)."""
    now = now or datetime.datetime.now(datetime.UTC)
    mail = {
        "timestamp": now.isoformat(),
        "messageId": uuid.uuid4().hex,
        "destination": [address],
        "tags": {"issue": [issue]} if issue else {},
    }
    detail = {"eventType": kind, "mail": mail}
    if kind == "Bounce":
        detail["bounce"] = {
            "bounceType": bounce_type,
            "bouncedRecipients": [{"emailAddress": address}],
            "timestamp": now.isoformat(timespec="milliseconds"),
        }
    else:
        detail["complaint"] = {
            "complainedRecipients": [{"emailAddress": address}],
            "timestamp": now.isoformat(timespec="milliseconds"),
        }
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": KINDS[kind],
        "source": "aws.ses",
        "time": now.isoformat(timespec="seconds"),
        "region": "eu-west-2",
        "detail": detail,
    }


def deliver(event):
    """Run the mail-events function with `event`, one invocation at a time as Lambda would here."""
    from jtec_forms.handlers import mail_events

    with INVOCATION_LOCK:
        return mail_events.lambda_handler(event, LambdaContext("mail_events"))
