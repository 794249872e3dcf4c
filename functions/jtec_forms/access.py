"""Access ("what do you hold about me"): everything under a person's subject key, each item with its
kind, purpose, when it was made and when it will be deleted, in words a person can read. Plain Python."""

import datetime
import decimal

from jtec_forms import privacy_facts, retention
from jtec_forms.erasure import kind_of

# What each kind's internal attributes mean, or that they are left out (keys, digests, nonces).
LEFT_OUT = {"pk", "sk", "kind", "expires_at", "open_pk", "open_sk", "list_pk", "list_sk", "hits"}
EXPLAINED = {
    "status": "open or resolved (enquiries); pending or active (subscriptions); sent (news we sent you)",
    "claimed_at": "when we began sending you a news issue",
    "sent_at": "when our mail service took that issue for you",
    "asked_at": (
        "when we asked whether you still want our news (your subscription ends "
        f"{retention.CONSENT_RENEWAL.period} later unless you say yes)"
    ),
    "policy_version": "the privacy policy in force when you sent the form",
    "consent": "our proof that you asked for the newsletter: the words you agreed to, and when",
    "reference": "the reference we gave you",
    "created_at": "when you sent it",
}


def _when(epoch):
    if epoch is None:
        return None
    return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).isoformat(timespec="seconds")


def plain(value):
    """DynamoDB values as JSON ones (Decimal -> int or float, sets -> lists), recursively."""
    if isinstance(value, decimal.Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {key: plain(inner) for key, inner in value.items()}
    if isinstance(value, list | set | tuple):
        return [plain(inner) for inner in value]
    return value


def entry(item):
    kind = kind_of(item)
    schedule = retention.by_kind(kind)
    return {
        "kind": kind,
        "what": schedule.what,
        "purpose": schedule.purpose,
        "created_at": item.get("created_at"),
        "deleted_by": _when(item.get("expires_at")) or schedule.period,
        "contents": {name: plain(value) for name, value in sorted(item.items()) if name not in LEFT_OUT},
    }


def created(item):
    """When the item was made (ISO 8601, UTC), or None for an item that records no time."""
    return item.get("created_at") or (item.get("consent") or {}).get("requested_at")


def held_at(items, moment):
    """The items that existed at `moment`: an access link shows what was held when it was issued."""
    limit = moment.isoformat(timespec="seconds")
    return [item for item in items if (created(item) or limit) <= limit]


def about():
    """What the law asks an access report to say besides the data (UK GDPR Art. 15(1)(c), (e)-(h)), from
    the registry the privacy policy is checked against."""
    facts = privacy_facts
    return {
        "recipients": [
            f"{name}, which {facts.PROCESSORS[name]}, in its {facts.DATA_REGION_NAME} region "
            f"({facts.DATA_REGION}). We do not sell your data or give it to anyone else unless the law requires it."
            for name in facts.RECIPIENTS_OF_HELD_DATA
        ],
        "your_rights": list(facts.HOW_TO_USE.values()),
        "complaint": facts.COMPLAINT,
        "source": facts.SOURCE,
        "automated_decisions": facts.AUTOMATED_DECISIONS,
    }


def report(items, now):
    """The answer to an access request: every item held, what the fields mean, and what the law asks a
    report to say about them (`about`)."""
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "items": [entry(item) for item in sorted(items, key=lambda item: item["sk"])],
        "fields": EXPLAINED,
        "not_included": (
            "Keys and digests we use to find your items (they are made from your address with a secret "
            "key and mean nothing on their own), and counters of how many forms were sent."
        ),
        "about": about(),
    }
