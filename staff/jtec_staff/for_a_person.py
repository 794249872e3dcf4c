"""What staff do for a person who asked by telephone or post, with the functions' own code: the same
erasure and receipt as the form, the same access report, an unsubscribe, and a restriction of the
subscription (no newsletter while it lasts, the details kept). Each leaves a record with no personal
data, naming who ran it by their AWS identity (its ARN): the receipt for an erasure, a `staff_action`
record (retention.STAFF_ACTION) for the others."""

import secrets

from jtec_forms import access, clock, config, erasure, retention, store, subscriptions
from jtec_forms.actions import your_data
from jtec_forms.subjects import subject_key

ACTIONS = ("access", "unsubscribe", "restrict", "lift")


class NothingHeld(Exception):
    """Nothing is held under the address (for `access` and `erase`), or no subscription (for the rest)."""


def record(action, by, now, reference=None):
    """The record of a staff action: what, when, who (an ARN), and the erasure receipt's reference."""
    at = now.isoformat(timespec="seconds")
    return {
        "pk": retention.STAFF_ACTION_PARTITION + at[:7],
        # In the order they were done, even within one second; unique however many run at once.
        "sk": f"{now.isoformat(timespec='microseconds')}#{secrets.token_hex(4)}",
        "at": at,
        "kind": retention.STAFF_ACTION.kind,
        "action": action,
        "by": by,
        **({"reference": reference} if reference else {}),
        "expires_at": retention.epoch_seconds(retention.STAFF_ACTION.expires_at(now)),
    }


def _held(subject):
    keys, _ = store.subject_keys(subject)
    return [key for key in keys if erasure.kind_of(key) != retention.RATE_LIMIT.kind]


def erase(email, by, now=None):
    """Erase everything held under the address, as the form's confirmed link does, with a receipt that
    names who ran it; the receipt's summary (its reference is what to give the person)."""
    now = now or clock.now()
    subject = subject_key(config.secret(), email)
    if not _held(subject):
        raise NothingHeld(email)
    reference = erasure.reference(config.secret(), "staff:" + secrets.token_urlsafe(16))
    your_data.start_erasure(subject, erasure.receipt_item(reference, now, now, requested_by=by), now)
    return your_data.erase_everything(subject, {"pk": retention.ERASURE_RECEIPT_PARTITION, "sk": reference})


def access_report(email, by, now=None):
    """The access report the form's link shows, for the address, and the record that it was given."""
    now = now or clock.now()
    items = [
        item
        for item in store.subject_items(subject_key(config.secret(), email), now)
        if erasure.kind_of(item) != retention.RATE_LIMIT.kind
    ]
    if not items:
        raise NothingHeld(email)
    report = access.report(access.held_at(items, now), now)
    store.put(record("access", by, now))
    return report


def _subscription(email, now, active=False):
    subject = subject_key(config.secret(), email)
    item = store.get_subscription(subject, now)
    if item is None or (active and item.get("status") != "active"):
        raise NothingHeld(email)
    return item


def unsubscribe(email, by, now=None):
    """End the subscription as its unsubscribe link does: the item goes, with the name and address."""
    now = now or clock.now()
    store.delete(store.key_of(_subscription(email, now)))
    store.put(record("unsubscribe", by, now))


def restrict(email, by, now=None):
    """No newsletter while restricted (off the subscribers list), the details kept; False if it was."""
    now = now or clock.now()
    item = _subscription(email, now, active=True)
    try:
        store.update_if(store.key_of(item), **subscriptions.restriction(now))
    except store.ConditionFailed:
        return False
    store.put(record("restrict", by, now))
    return True


def lift(email, by, now=None):
    """End a restriction: back on the subscribers list; False if it was not restricted."""
    now = now or clock.now()
    item = _subscription(email, now, active=True)
    try:
        store.update_if(store.key_of(item), **subscriptions.lifting())
    except store.ConditionFailed:
        return False
    store.put(record("lift", by, now))
    return True
