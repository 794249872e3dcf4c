"""What a newsletter subscription holds (only what news needs, with proof of consent) and the double
opt-in rule. Plain Python: the store executes what these functions decide."""

from jtec_forms import retention, store

SUBSCRIBERS_INDEX = "subscribers"
LIST_PARTITION = "NEWSLETTER"  # the subscribers index lists active subscriptions under it


class NothingPending(Exception):
    """There is no pending sign-up to confirm: it expired, or was confirmed or removed."""


def consent_proof(policy_versions, wording_id, wording, source, requested_at):
    """Proof of consent: the policy in force at the server's clock (and the one the page showed, when it
    differs: `policies.consented_under`), the exact words agreed to, where and when."""
    return {
        **policy_versions,
        "wording_id": wording_id,
        "wording": wording,
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
