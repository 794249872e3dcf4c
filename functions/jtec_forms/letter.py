"""How a report reads as a letter rather than a database (the access report's page, the erasure receipt's
page, `jtec`): each field under the label a person uses, dates in words in Northern Ireland's time, topics
and rights by the form's own names, why an item is kept and when it goes in one sentence. The JSON
download keeps the stored names and values as they are."""

import datetime

LOCAL_TIME = "Europe/London"

# The fields of the items a person's report shows, in reading order, under their labels; the rest of a
# stored item (keys, digests, the steps our code records) is left out of the page, kept in the download.
LABELS = {
    "reference": "Reference",
    "name": "Name",
    "email": "Email address",
    "phone": "Telephone",
    "topic": "Topic",
    "right": "What you asked us to do",
    "message": "Message",
    "received": "Received",
    "due": "We answer by",
    "status": "Status",
    "resolved_at": "Dealt with",
    "consent": "Your consent",
    "policy_version": "Privacy policy in force",
    "sent_at": "Sent to you",
    "asked_at": "We asked whether you still want our news",
}
STATUSES = {
    "open": "We are dealing with it",
    "resolved": "Dealt with: your details are deleted",
    "closed": "Answered",
    "pending": "Waiting for you to confirm",
    "active": "Subscribed",
    "sent": "Sent",
}


def _local():
    import zoneinfo

    return zoneinfo.ZoneInfo(LOCAL_TIME)


def in_words(value):
    """A moment (ISO 8601 text or epoch seconds) as "30 November 2026, 16:06", Northern Ireland's time; a
    day (YYYY-MM-DD) as "4 January 2027"; anything else as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = datetime.datetime.fromtimestamp(int(value), datetime.UTC)
    else:
        text = str(value)
        if len(text) == 10:
            try:
                return f"{datetime.date.fromisoformat(text):%-d %B %Y}"
            except ValueError:
                return text
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            return text
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
    return f"{moment.astimezone(_local()):%-d %B %Y, %H:%M}"


def _consent(proof):
    words = f"You agreed to “{proof['wording']}”" if proof.get("wording") else "You agreed"
    if proof.get("button") and proof.get("wording"):
        words = f"You pressed “{proof['button']}” beside the words “{proof['wording']}”"
    when = proof.get("confirmed_at") or proof.get("requested_at")
    text = f"{words} on {in_words(when)}" if when else words
    if proof.get("renewed_at"):
        text += f", and told us you still want it on {in_words(proof['renewed_at'])}"
    if proof.get("policy_version"):
        text += f", under the privacy policy of {in_words(proof['policy_version'])}"
    return text + "."


def _text(name, value):
    if name in ("topic", "right"):
        from jtec_forms.digest import labels  # the enquiry form's own words (its schema's x-labels)

        return labels()[name].get(value, value)
    if name == "status":
        return STATUSES.get(value, value)
    if name == "consent" and isinstance(value, dict):
        return _consent(value)
    if name == "policy_version":
        return f"the version of {in_words(value)}"
    if name in ("received", "due", "resolved_at", "sent_at", "asked_at"):
        return in_words(value)
    return str(value)


def fields(contents):
    """(label, text) of an item's fields in reading order: the ones a person gave or needs to read."""
    return [
        (label, _text(name, contents[name]))
        for name, label in LABELS.items()
        if contents.get(name) not in (None, "")
    ]


def kept(entry):
    """Why an item is kept and when it goes, in a sentence or two."""
    purpose = entry["purpose"]
    sentence = f"We keep it {purpose[0].lower()}{purpose[1:]}."
    if entry.get("created_at"):
        sentence += f" You sent it on {in_words(entry['created_at'])}."
    deleted = entry.get("deleted_by") or ""
    if deleted[:1].isdigit():
        sentence += f" We delete it automatically on {in_words(deleted)} at the latest."
    elif deleted:
        sentence += f" We keep it {deleted[0].lower()}{deleted[1:]}."
    return sentence
