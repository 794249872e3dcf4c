"""`jtec enquiries list|show|resolve`: the office's open enquiries as a person reads them. The list is
oldest first, with who wrote and the first words of what they wrote, and the age of each (those older
than the digest's setting called out in words); `show` is the enquiry in reading order with labels,
dates in words and the days left before it is deleted automatically; `resolve` says what it deletes and
asks first (`--yes` for scripts)."""

import datetime

import click

from jtec_forms import config, digest, enquiries
from jtec_forms.letter import in_words
from jtec_staff import queries
from jtec_staff.cli import aws_errors, emit, fail, main, scanning, show_table, table

FIRST_WORDS = 8  # of the message, in the list


def first_words(message, count=FIRST_WORDS):
    words = (message or "").split()
    return " ".join(words[:count]) + (" …" if len(words) > count else "")


def age_in_days(created_at, now):
    """Whole days since it was sent (0 on the day; never negative when clocks differ by a little)."""
    return max(0, (now - datetime.datetime.fromisoformat(created_at)).days)


def reference_of(text):
    """References are written upper case (ENQ-7K2M9Q4P); staff may type them in any case."""
    return text.strip().upper()


@main.group("enquiries")
def enquiry_group():
    """Enquiries sent through the website's contact form."""


@enquiry_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@aws_errors
def list_enquiries(as_json):
    """Open enquiries, oldest first: who wrote, their first words, and how many days each has waited."""
    now, old_after = queries.utc_now(), config.digest_old_after_days()
    rows = []
    for entry in reversed(queries.open_enquiries(table())):
        item = queries.enquiry_item(table(), entry)
        days = age_in_days(entry["created_at"], now)
        rows.append(
            {
                "reference": entry["reference"],
                "topic": entry["topic"],
                "created_at": entry["created_at"],
                "name": item.get("name"),
                "first_words": first_words(item.get("message")),
                "age_days": days,
                "old": days > old_after,
            }
        )
    labels = digest.labels()["topic"]
    emit(
        rows,
        as_json,
        lambda found: show_table(
            f"Open enquiries ({len(found)}), oldest first; OLD: waiting more than {old_after} days",
            ["reference", "from", "topic", "first words", "waiting"],
            [
                [
                    row["reference"],
                    row["name"],
                    labels.get(row["topic"], row["topic"]),
                    row["first_words"],
                    f"{'OLD: ' if row['old'] else ''}{row['age_days']} days",
                ]
                for row in found
            ],
        ),
    )


# What `show` prints, in the order a person reads an enquiry, and under which label.
SHOWN = (
    ("reference", "Reference"),
    ("received", "Received"),
    ("name", "From"),
    ("email", "Email"),
    ("phone", "Telephone"),
    ("topic", "Topic"),
    ("right", "Asked for"),
    ("message", "Message"),
    ("newsletter", "Newsletter"),
    ("status", "Status"),
    ("deleted", "Deleted automatically"),
)


def readable(item, now):
    """The enquiry as `show` prints it: label -> text, in reading order."""
    labels = digest.labels()
    expires = datetime.datetime.fromtimestamp(int(item["expires_at"]), datetime.UTC)
    days_left = (expires - now).days
    status = item.get("status", "open")
    if status == "resolved":
        status = f"resolved on {in_words(item['resolved_at'])}: the person's details are deleted"
    elif status == "closed":
        status = f"closed on {in_words(item['closed_at'])} ({item.get('outcome')})"
    values = {
        "reference": item["reference"],
        "received": in_words(item["created_at"]),
        "name": item.get("name"),
        "email": item.get("email"),
        "phone": item.get("phone") or ("(not given)" if status == "open" else None),
        "topic": labels["topic"].get(item.get("topic"), item.get("topic")),
        "right": labels["right"].get(item["right"], item["right"]) if item.get("right") else None,
        "message": item.get("message"),
        "newsletter": "asked for it" if item.get("opt_in") else None,
        "status": status,
        "deleted": f"{in_words(expires.isoformat())} ({days_left} days left)",
    }
    return {label: values[name] for name, label in SHOWN if values[name] is not None}


@enquiry_group.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts (the stored fields).")
@aws_errors
def show_enquiry(reference, as_json):
    """One enquiry in reading order: who, when, what they asked, and when it is deleted automatically."""
    reference = reference_of(reference)
    progress, advance = scanning("Looking through resolved enquiries")
    with progress:
        item = queries.find_enquiry(table(), reference, progress=advance)
    if as_json:
        emit(
            {name: value for name, value in item.items() if name not in ("pk", "sk", "open_pk", "open_sk")},
            True,
            None,
        )
        return
    show_table(f"Enquiry {reference}", ["", ""], list(readable(item, queries.utc_now()).items()))


@enquiry_group.command("resolve")
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask (for scripts).")
@aws_errors
def resolve_enquiry(reference, yes):
    """Mark an enquiry dealt with: the person's name, email, telephone and message are deleted at once."""
    reference = reference_of(reference)
    item = queries.find_enquiry(table(), reference)
    if item.get("topic") == enquiries.DATA_REQUEST_TOPIC:
        fail(
            f"{reference} is a data request: when it is answered, jtec requests close {reference} --outcome ..."
        )
    if item.get("status") != "open":
        fail(f"{reference} was already resolved")
    if not yes:
        click.echo(
            f"Resolving {reference} deletes {item.get('name')}'s name, email address, telephone number and "
            "message at once; only the reference, topic and dates stay.\n"
            "Send your reply before you resolve it: afterwards there is no address to reply to."
        )
        try:
            agreed = click.confirm("Resolve it now?", default=False)
        except click.Abort:  # nothing to read the answer from (input closed, Ctrl-C)
            agreed = False
        if not agreed:
            fail(f"{reference} was not resolved")
    if queries.resolve_item(table(), item, queries.utc_now()):
        click.echo(f"Resolved {reference}: name, email, telephone and message deleted.")
    else:
        fail(f"{reference} was already resolved")
