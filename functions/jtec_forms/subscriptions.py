"""What a newsletter subscription holds (only what news needs, with proof of consent) and the double
opt-in rule. Plain Python: the store executes what these functions decide."""

import datetime

from jtec_forms import retention, store

SUBSCRIBERS_INDEX = "subscribers"
LIST_PARTITION = "NEWSLETTER"  # the subscribers index lists active subscriptions under it


class NothingPending(Exception):
    """There is no pending sign-up to confirm: it expired, or was confirmed or removed."""


class NothingToRenew(Exception):
    """There is no active subscription whose consent we asked to renew."""


def consent_proof(policy_versions, wording_id, wording, source, requested_at, button=None):
    """Proof of consent: the policy in force at the server's clock (and the one the page showed, when it
    differs: `policies.consented_under`), the exact words agreed to (and the button pressed, when pressing
    it was the consent), where and when."""
    return {
        **policy_versions,
        "wording_id": wording_id,
        "wording": wording,
        **({"button": button} if button else {}),
        "source": source,
        "requested_at": requested_at.isoformat(timespec="seconds"),
    }


def pending_item(subject_key, name, email, consent, now):
    """A sign-up waiting for confirmation; it expires after the schedule's pending period."""
    return {
        "pk": subject_key,
        "sk": retention.PENDING_SUBSCRIPTION.sort_key,
        "kind": retention.PENDING_SUBSCRIPTION.kind,
        "status": "pending",
        "name": name,
        "email": email,
        "consent": consent,
        "expires_at": retention.epoch_seconds(retention.PENDING_SUBSCRIPTION.expires_at(now)),
    }


def confirmed(item, now):
    """The double opt-in rule: only a pending sign-up that has not expired can be confirmed. Confirming
    makes it an active subscription, records when in its consent proof, and removes its expiry (it is
    kept until the person unsubscribes). That each link works once is the store's part."""
    if item is None or item.get("status") != "pending" or not store.visible(item, now):
        raise NothingPending()
    active = {name: value for name, value in item.items() if name != store.TTL_ATTRIBUTE}
    active["kind"] = retention.ACTIVE_SUBSCRIPTION.kind
    active["status"] = "active"
    active["consent"] = {**item["consent"], "confirmed_at": now.isoformat(timespec="seconds")}
    # On the subscribers index (what sending news reads, with a Query), in the order people confirmed.
    active["list_pk"] = LIST_PARTITION
    active["list_sk"] = f"{now.isoformat(timespec='seconds')}#{item['pk']}"
    return active


def restriction(now):
    """What restricting a subscription at the person's request changes (UK GDPR Art. 18): it leaves the
    subscribers index, so no news goes to it, and keeps its details; an UpdateItem's arguments."""
    return {
        "UpdateExpression": "REMOVE list_pk SET restricted_at = :at",
        "ConditionExpression": "#status = :active AND attribute_not_exists(restricted_at)",
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": {":at": now.isoformat(timespec="seconds"), ":active": "active"},
    }


def lifting():
    """What lifting a restriction changes: back on the subscribers index where it was (`list_sk` kept)."""
    return {
        "UpdateExpression": "SET list_pk = :list REMOVE restricted_at",
        "ConditionExpression": "attribute_exists(restricted_at)",
        "ExpressionAttributeValues": {":list": LIST_PARTITION},
    }


def renewal_due(confirmed_at, now):
    """True when consent given (or renewed) at `confirmed_at` (ISO 8601) is older than the schedule lets a
    send rely on: the subscriber is asked, instead of the issue, whether they still want the news."""
    confirmed = datetime.datetime.fromisoformat(confirmed_at)
    return retention.add_months(confirmed, retention.CONSENT_RENEW_AFTER_MONTHS) <= now


def renewal_question(subject_key, now):
    """The record that we asked (no address): its TTL ends the subscription if nobody answers."""
    return {
        "pk": subject_key,
        "sk": retention.CONSENT_RENEWAL.sort_key,
        "kind": retention.CONSENT_RENEWAL.kind,
        "asked_at": now.isoformat(timespec="seconds"),
        "expires_at": retention.epoch_seconds(retention.CONSENT_RENEWAL.expires_at(now)),
    }


def renewed(item, now):
    """The subscription kept: its consent says when it was renewed, and it moves on the subscribers index
    to that time (the next renewal is due from it)."""
    if item is None or item.get("status") != "active":
        raise NothingToRenew()
    return {
        **item,
        "consent": {**item["consent"], "renewed_at": now.isoformat(timespec="seconds")},
        "list_sk": f"{now.isoformat(timespec='seconds')}#{item['pk']}",
    }


def still_due_before(question_deleted_at):
    """When a renewal question's TTL deleted it (nobody answered), the subscription it asked about ends if
    its consent still dates from before this (`list_sk` compares as text): a subscription renewed or
    confirmed again since then is kept."""
    asked = question_deleted_at - datetime.timedelta(days=retention.CONSENT_RENEWAL.days)
    return retention.add_months(asked, -retention.CONSENT_RENEW_AFTER_MONTHS).isoformat(timespec="seconds")
