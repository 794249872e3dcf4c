"""Which version of a policy is in force on a day, from the lock of published versions the site is
built from (`policy_lock.json`, written by `make lock`, shipped with the functions): one source."""

import datetime
import functools
import json
from pathlib import Path

LOCK_FILE = Path(__file__).parent / "policy_lock.json"
PRIVACY = "privacy"
OUT_OF_DATE = "Reload the page and try again: the form is out of date"


@functools.cache
def published(policy=PRIVACY):
    """The ids (effective dates) of the policy's published versions, oldest first."""
    return sorted(json.loads(LOCK_FILE.read_text(encoding="utf-8")).get(policy, {}))


def in_force(day, policy=PRIVACY):
    """The version in force on `day`; before the first takes effect, the first."""
    versions = published(policy)
    taken_effect = [version for version in versions if datetime.date.fromisoformat(version) <= day]
    return taken_effect[-1] if taken_effect else versions[0]


def consented_under(shown, now, policy=PRIVACY):
    """The policy versions a consent (or an enquiry) is recorded with: the one in force at the server's
    clock, and the one the page showed when they differ. None when the page showed a version that was
    never published (the caller refuses the form)."""
    if shown not in published(policy):
        return None
    current = in_force(now.date(), policy)
    return {"policy_version": current, **({"shown_policy_version": shown} if shown != current else {})}
