"""Consent wordings: the exact words a person agrees to, each with an id (`x-wording-id` in a form's
schema). The lock (`wording_lock.json`, written by `make lock`) records every wording ever used with
its text and the day it was first used, so a consent record's wording id always means one text: the
build fails when a wording's text changes without a new id. Plain Python."""

import datetime
import json
import os
from pathlib import Path

from jtec_forms.routes import ROUTES
from jtec_forms.site_facts import COOKIE_BANNER
from jtec_forms.validation import FORMS, schema

# JTEC_WORDING_LOCK names another lock file (a test of the build's check uses it).
LOCK_FILE = Path(os.environ.get("JTEC_WORDING_LOCK") or Path(__file__).parent / "wording_lock.json")


class WordingChanged(Exception):
    """A wording id now has other words; the message says which and what to do."""


def in_use():
    """id -> {"text", "forms"} for every wording the forms and the cookie banner use now; a consent given
    by pressing a form's button (the schema's `x-consent`) also has the button's words."""
    found = {COOKIE_BANNER["id"]: {"text": COOKIE_BANNER["text"], "forms": ["cookie-banner"]}}
    for form in FORMS:
        asked = schema(form).get("x-consent")
        if asked:
            entry = found.setdefault(
                asked["wording-id"], {"text": asked["text"], "button": button(form), "forms": []}
            )
            entry["forms"].append(form)
        for field in schema(form)["properties"].values():
            if "x-wording-id" in field:
                entry = found.setdefault(field["x-wording-id"], {"text": field["title"], "forms": []})
                entry["forms"].append(form)
    return found


def button(form):
    """The words on the button of the form whose schema is `form` (routes.py)."""
    return next(route.submit_label for route in ROUTES if route.form == form)


def read(path=LOCK_FILE):
    path = Path(path)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def problems(lock, used):
    """Why the wordings in use disagree with the lock, one line each."""
    found = []
    for wording_id, entry in sorted(used.items()):
        if wording_id not in lock:
            found.append(f"consent wording {wording_id!r} is not in the wording lock: run `make lock`")
        elif (lock[wording_id]["text"], lock[wording_id].get("button")) != (
            entry["text"],
            entry.get("button"),
        ):
            found.append(
                f"consent wording {wording_id!r} changed its text without a new id: give the new words a new "
                "x-wording-id (consents given under the old id keep their old words)"
            )
    return found


def update(lock, used, today):
    """The lock with new wordings added (first used today) and those no longer used given a last day."""
    changed = problems({key: value for key, value in lock.items() if key in used}, used)
    changed = [line for line in changed if "without a new id" in line]
    if changed:
        raise WordingChanged(changed[0])
    updated = {key: dict(value) for key, value in lock.items()}
    for wording_id, entry in used.items():
        updated.setdefault(wording_id, {**entry, "first_used": today.isoformat()})
        updated[wording_id].pop("last_used", None)
    for wording_id, entry in updated.items():
        if wording_id not in used and "last_used" not in entry:
            entry["last_used"] = (today - datetime.timedelta(days=1)).isoformat()
    return updated


def write(lock, path=LOCK_FILE):
    Path(path).write_text(
        json.dumps(dict(sorted(lock.items())), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
