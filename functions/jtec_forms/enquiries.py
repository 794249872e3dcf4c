"""What an enquiry item holds and when it expires. Plain Python: no AWS."""

import secrets

from jtec_forms import retention

# Unambiguous characters for references people read out on the telephone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference():
    return "ENQ-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def enquiry_item(submission, subject_key, reference, now):
    """The stored enquiry: details, topic, open status, the policy in force, and a 12-month TTL."""
    created = now.isoformat(timespec="seconds")
    item = {
        "pk": subject_key,
        "sk": f"{retention.ENQUIRY.sort_key}{created}#{reference}",
        "kind": retention.ENQUIRY.kind,
        "reference": reference,
        "status": "open",
        "topic": submission["topic"],
        "name": submission["name"],
        "email": submission["email"],
        "message": submission["message"],
        "policy_version": submission["policy_version"],
        "created_at": created,
        "expires_at": retention.epoch_seconds(retention.ENQUIRY.expires_at(now)),
        # Sparse index of open enquiries for staff: removed when the enquiry is resolved.
        "open_pk": "OPEN_ENQUIRY",
        "open_sk": f"{created}#{reference}",
    }
    if submission.get("phone"):
        item["phone"] = submission["phone"]
    return item
