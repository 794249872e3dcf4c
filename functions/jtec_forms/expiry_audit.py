"""The audit of TTL expiry: which stream records are deletions made by DynamoDB's TTL, and the audit
entry each one leaves. Plain Python.

The table's stream carries keys only, so no personal data flows through it: the kind of the deleted
item comes from its key, and when it expired from the schedule and the creation time its sort key
carries (enquiries, rate-limit windows). Kinds whose key carries no time (a pending sign-up, a used
link, a submission record, an erasure request) are audited with their deletion time and no lag.
Deletions by a person or by staff (erasure, unsubscribe, resolving) are not TTL deletions: they carry
no service identity and leave no audit entry.

One TTL deletion also acts: a consent-renewal question nobody answered ends the subscription it asked
about (`unanswered_renewal`), unless that subscription was renewed or confirmed again since."""

import datetime

from jtec_forms import retention

TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
NOT_AUDITED = {retention.EXPIRY_AUDIT.kind}  # an audit entry's own expiry would start an endless chain


def is_ttl_deletion(record):
    identity = record.get("userIdentity") or {}
    return record.get("eventName") == "REMOVE" and all(
        identity.get(key) == value for key, value in TTL_IDENTITY.items()
    )


def _created(kind, sort_key):
    """The creation time a sort key carries, or None."""
    if kind == retention.ENQUIRY.kind:
        return datetime.datetime.fromisoformat(
            sort_key.removeprefix(retention.ENQUIRY.sort_key).rsplit("#", 1)[0]
        )
    if kind == retention.RATE_LIMIT.kind:
        start = sort_key.removeprefix(retention.RATE_LIMIT.sort_key).split("#", 1)[0]
        return datetime.datetime.fromtimestamp(int(start), datetime.UTC)
    return None


def audit_item(record):
    """The audit entry for a TTL deletion record (no personal data: kind and times), or None."""
    keys = record["dynamodb"]["Keys"]
    pk, sort_key = keys["pk"]["S"], keys["sk"]["S"]
    kind = retention.kind_of_key(pk, sort_key)
    if kind in NOT_AUDITED:
        return None
    deleted = datetime.datetime.fromtimestamp(
        int(record["dynamodb"]["ApproximateCreationDateTime"]), datetime.UTC
    )
    created = _created(kind, sort_key)
    expired = retention.by_kind(kind).expires_at(created) if created else None
    return {
        "pk": retention.EXPIRY_AUDIT_PARTITION + deleted.strftime("%Y-%m"),
        "sk": f"{deleted.isoformat(timespec='seconds')}#{record['eventID']}",
        "kind": retention.EXPIRY_AUDIT.kind,
        "item_kind": kind,
        "expired_at": expired.isoformat(timespec="seconds") if expired else None,
        "deleted_at": deleted.isoformat(timespec="seconds"),
        "lag_seconds": int((deleted - expired).total_seconds()) if expired else None,
        "expires_at": retention.epoch_seconds(retention.EXPIRY_AUDIT.expires_at(deleted)),
    }


def unanswered_renewal(record):
    """For a TTL deletion of a consent-renewal question (nobody answered it in time): the key of the
    subscription it asked about and the consent date it ends below (subscriptions.still_due_before);
    None for any other record."""
    from jtec_forms import subscriptions

    keys = record["dynamodb"]["Keys"]
    if retention.kind_of_key(keys["pk"]["S"], keys["sk"]["S"]) != retention.CONSENT_RENEWAL.kind:
        return None
    deleted = datetime.datetime.fromtimestamp(
        int(record["dynamodb"]["ApproximateCreationDateTime"]), datetime.UTC
    )
    key = {"pk": keys["pk"]["S"], "sk": retention.ACTIVE_SUBSCRIPTION.sort_key}
    return key, subscriptions.still_due_before(deleted)
