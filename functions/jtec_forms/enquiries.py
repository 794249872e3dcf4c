"""What an enquiry item holds and when it expires, and the record that makes a resent enquiry count once.
Plain Python: no AWS."""

import hashlib
import hmac
import json
import secrets

from jtec_forms import retention

# Unambiguous characters for references people read out on the telephone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
# What a person typed into an enquiry: scrubbed at once when staff resolve it.
PERSONAL_FIELDS = ("name", "email", "phone", "message")
OPEN_PARTITION = "OPEN_ENQUIRY"  # the open-enquiries index lists items that have it as `open_pk`
# The most open enquiries (details not yet deleted) one address may hold: it bounds what an access report
# can hold (25 of the costliest are 1.2 MB as a page), well inside Lambda's 6 MB answer (a test holds it).
MAX_OPEN_PER_ADDRESS = 25
# The fields that make two submissions the same enquiry (the honeypot and form plumbing are not).
IDENTITY_FIELDS = ("name", "email", "phone", "topic", "right", "message", "opt_in")
# The topic of a data request: a right the website cannot carry out by itself (`right`), with a legal
# deadline (deadlines.py) that staff work to with `jtec requests`.
DATA_REQUEST_TOPIC = "personal-data"
LOCAL_TIME = "Europe/London"  # the calendar a request's day of receipt is counted in


def new_reference():
    return "ENQ-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def fingerprint(secret, submission):
    """A keyed digest of what the person sent: equal for a resent (double-clicked, retried) enquiry,
    and no personal data in itself."""
    identity = {field: submission.get(field) for field in IDENTITY_FIELDS}
    canonical = json.dumps(identity, sort_keys=True, ensure_ascii=False).encode()
    return hmac.new(secret, b"enquiry:" + canonical, hashlib.sha256).hexdigest()[:32]


def submission_item(subject_key, fingerprint, now, leases=None):
    """The record that an enquiry arrived: a resent one finds it and reuses its reference and time.
    `leases`: attributes of steps its writer holds from the start (once.lease)."""
    return {
        **(leases or {}),
        "pk": subject_key,
        "sk": retention.SUBMISSION.sort_key + fingerprint,
        "kind": retention.SUBMISSION.kind,
        "reference": new_reference(),
        "created_at": now.isoformat(timespec="seconds"),
        "expires_at": retention.epoch_seconds(retention.SUBMISSION.expires_at(now)),
    }


def enquiry_item(submission, subject_key, reference, created, policy_versions):
    """The stored enquiry: details, topic, open status, the policy in force (`policy_versions`, from
    `policies.consented_under`), and a 12-month TTL from `created` (a datetime)."""
    created_at = created.isoformat(timespec="seconds")
    item = {
        "pk": subject_key,
        "sk": f"{retention.ENQUIRY.sort_key}{created_at}#{reference}",
        "kind": retention.ENQUIRY.kind,
        "reference": reference,
        "status": "open",
        "topic": submission["topic"],
        "name": submission["name"],
        "email": submission["email"],
        "message": submission["message"],
        **policy_versions,
        "created_at": created_at,
        "expires_at": retention.epoch_seconds(retention.ENQUIRY.expires_at(created)),
        # Sparse index of open enquiries for staff: removed when the enquiry is resolved.
        "open_pk": OPEN_PARTITION,
        "open_sk": f"{created_at}#{reference}",
    }
    if submission.get("phone"):
        item["phone"] = submission["phone"]
    if submission["topic"] == DATA_REQUEST_TOPIC:
        item.update(data_request(submission["right"], created))
    return item


def data_request(right, created):
    """What makes an enquiry a data request: the right asked for, the day it was received (in Northern
    Ireland) and the day it must be answered by."""
    import zoneinfo

    from jtec_forms import deadlines

    received = created.astimezone(zoneinfo.ZoneInfo(LOCAL_TIME)).date()
    return {"right": right, "received": received.isoformat(), "due": deadlines.due(received).isoformat()}


def resolution(now):
    """What resolving an enquiry changes: its personal details are removed at once and it leaves the
    open list; its reference, topic and dates stay until its TTL, as the policy promises."""
    return {
        "remove": (*PERSONAL_FIELDS, "open_pk", "open_sk"),
        "set": {"status": "resolved", "resolved_at": now.isoformat(timespec="seconds")},
    }
