"""What a newsletter subscription holds: only what news needs, with proof of consent. No AWS."""

from jtec_forms import retention, store


def consent_proof(policy_version, wording_id, wording, source, requested_at):
    return {
        "policy_version": policy_version,
        "wording_id": wording_id,
        "wording": wording,
        "source": source,
        "requested_at": requested_at.isoformat(timespec="seconds"),
    }


def pending_item(subject_key, name, email, consent, now):
    """A sign-up waiting for confirmation; it expires after the schedule's pending period."""
    return {
        "pk": subject_key,
        "sk": store.SUBSCRIPTION,
        "kind": retention.ACTIVE_SUBSCRIPTION.kind,
        "status": "pending",
        "name": name,
        "email": email,
        "consent": consent,
        "expires_at": retention.epoch_seconds(retention.PENDING_SUBSCRIPTION.expires_at(now)),
    }
