"""SES's bounce and complaint events, applied: note a soft bounce on the issue's send record, end the
subscription when mail_events.ends_subscription says so, and keep a record with no address."""

import contextlib

from jtec_forms import config, mail_events, retention, store
from jtec_forms.subjects import subject_key


def _latest_statuses(subject, now):
    """The person's send records' statuses, newest issue first."""
    sends = [
        item
        for item in store.subject_items(subject, now)
        if item["sk"].startswith(retention.NEWSLETTER_SEND.sort_key)
    ]
    sends.sort(key=lambda item: item.get("sent_at") or item.get("claimed_at") or "", reverse=True)
    return [item.get("status") for item in sends]


def apply(event, now):
    """Apply one MailEvent; True when it ended a subscription."""
    subject = subject_key(config.secret(), event.address)
    if event.kind == mail_events.SOFT_BOUNCE and event.issue:
        with contextlib.suppress(store.ConditionFailed):  # no send record: the mail was not that issue
            store._conditional(
                store.table().update_item,
                Key={"pk": subject, "sk": retention.NEWSLETTER_SEND.sort_key + event.issue},
                UpdateExpression="SET #status = :soft",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#status": "status"},
                ExpressionAttributeValues={":soft": mail_events.SOFT_BOUNCED},
            )
    ended = False
    if mail_events.ends_subscription(event.kind, _latest_statuses(subject, now)):
        removed = store._call(
            store.table().delete_item,
            writes=True,
            Key={"pk": subject, "sk": retention.ACTIVE_SUBSCRIPTION.sort_key},
            ReturnValues="ALL_OLD",
        )
        ended = "Attributes" in removed
    store.put(mail_events.record(event, ended, now))
    return ended
