"""Erasure ("forget me"): the request, the receipt and how the work is counted. Plain Python: the store
and actions.py execute it.

A confirmed erasure deletes every item under the person's subject key. The request item (it holds the
address the receipt is mailed to) goes last, so a run that stops half-way is finished by running the
same link again; the receipt's counts grow in the same transaction as each batch of deletes, so they
are right however often it is resumed."""

import hashlib
import hmac

from jtec_forms import retention
from jtec_forms.enquiries import REFERENCE_ALPHABET

# Items deleted per transaction: DynamoDB takes 100 actions, one of them updates the receipt.
BATCH = 99
# Passes over the person's partition before a run gives up (503, the link finishes it): each pass deletes
# what the one before found, and the run ends when a pass finds nothing.
MAX_PASSES = 10


def reference(secret, nonce):
    """The receipt's reference, the same for every run of one link (so a rerun finds the receipt)."""
    digest = hmac.new(secret, b"erasure:" + nonce.encode(), hashlib.sha256).digest()
    return "ERA-" + "".join(REFERENCE_ALPHABET[byte % len(REFERENCE_ALPHABET)] for byte in digest[:8])


def request_item(subject_key, nonce, email, now):
    """What the erasure request keeps until it is confirmed: the address to mail the receipt to."""
    return {
        "pk": subject_key,
        "sk": retention.ERASURE_REQUEST.sort_key + nonce,
        "kind": retention.ERASURE_REQUEST.kind,
        "email": email,
        "created_at": now.isoformat(timespec="seconds"),
        "expires_at": retention.epoch_seconds(retention.ERASURE_REQUEST.expires_at(now)),
    }


def receipt_item(reference, requested_at, now, requested_by=None):
    """A receipt, before any deletes: no personal data, only the reference, times and counts; and for an
    erasure staff ran for a person who asked by telephone or post, who ran it (their AWS identity)."""
    return {
        **({"requested_by": requested_by} if requested_by else {}),
        "pk": retention.ERASURE_RECEIPT_PARTITION,
        "sk": reference,
        "kind": retention.ERASURE_RECEIPT.kind,
        "reference": reference,
        "status": "erasing",
        "requested_at": requested_at.isoformat(timespec="seconds"),
        "confirmed_at": now.isoformat(timespec="seconds"),
        "counts": {},
        "expires_at": retention.epoch_seconds(retention.ERASURE_RECEIPT.expires_at(now)),
    }


def tombstone_item(subject_key, reference, now):
    """What outlives an erasure for the table's point-in-time recovery window: the person's keyed digest
    (no address) and the receipt's reference, so an erasure can be done again on a table restored from
    before it (`jtec erasures reapply`)."""
    at = now.isoformat(timespec="seconds")
    return {
        "pk": retention.ERASURE_TOMBSTONE_PARTITION + at[:7],
        "sk": f"{at}#{reference}",
        "kind": retention.ERASURE_TOMBSTONE.kind,
        "subject": subject_key,
        "reference": reference,
        "requested_at": at,
        "expires_at": retention.epoch_seconds(retention.ERASURE_TOMBSTONE.expires_at(now)),
    }


def kind_of(item):
    return item.get("kind") or retention.kind_of_key(item["pk"], item["sk"])


def batches(items):
    """The order of deletion: everything but the erasure requests first, then the requests; each batch
    with its count per kind."""
    last = [item for item in items if kind_of(item) == retention.ERASURE_REQUEST.kind]
    first = [item for item in items if kind_of(item) != retention.ERASURE_REQUEST.kind]
    for group in (first, last):
        for start in range(0, len(group), BATCH):
            batch = group[start : start + BATCH]
            counts = {}
            for item in batch:
                counts[kind_of(item)] = counts.get(kind_of(item), 0) + 1
            yield [{"pk": item["pk"], "sk": item["sk"]} for item in batch], counts


def summary(receipt):
    """The receipt as the person, staff and the API see it."""
    return {
        "reference": receipt["reference"],
        "status": receipt["status"],
        "requested_at": receipt["requested_at"],
        "confirmed_at": receipt["confirmed_at"],
        "completed_at": receipt.get("completed_at"),
        "deleted": {kind: int(count) for kind, count in sorted(receipt.get("counts", {}).items())},
    }
