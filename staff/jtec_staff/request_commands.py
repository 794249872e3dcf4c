"""`jtec requests`: data requests to their legal deadline (list, show, extend, close)."""

import click

from jtec_forms import emails
from jtec_forms.validation import schema
from jtec_staff import data_requests, queries
from jtec_staff.cli import aws_errors, emit, fail, main, show_table, table


def right_label(right):
    return schema("enquiry")["properties"]["right"]["x-labels"].get(right, right)


def standing(days_left):
    """How a request stands, in words that stand out when it is due soon or late (no colour needed)."""
    if days_left < 0:
        return f"OVERDUE by {-days_left} day{'s' if days_left != -1 else ''}"
    if days_left == 0:
        return "DUE TODAY"
    if days_left <= data_requests.SOON_DAYS:
        return f"DUE SOON: {days_left} day{'s' if days_left != 1 else ''} left"
    return f"{days_left} days left"


@main.group("requests")
def requests_group():
    """Data requests (a right the website cannot carry out itself), to their legal deadline."""


@requests_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@aws_errors
def list_requests(as_json):
    """Open data requests, soonest due first, with the days left."""
    found = data_requests.open_requests(table(), data_requests.local_date(queries.utc_now()))
    emit(
        [
            {name: row[name] for name in ("reference", "right", "received", "due", "days_left")}
            for row in found
        ],
        as_json,
        lambda rows: show_table(
            f"Open data requests ({len(rows)})",
            ["reference", "asked", "received", "due", "standing"],
            [
                [
                    row["reference"],
                    right_label(row["right"]),
                    row["received"],
                    row["due"] + (" (extended)" if extended else ""),
                    standing(row["days_left"]),
                ]
                for row, extended in zip(rows, [request["extended"] for request in found], strict=True)
            ],
        ),
    )


@requests_group.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@aws_errors
def show_request(reference, as_json):
    """One data request with everything the person sent and its deadline."""
    item = data_requests.find_request(table(), reference)
    shown = {name: value for name, value in item.items() if name not in ("pk", "sk", "open_pk", "open_sk")}
    emit(
        shown,
        as_json,
        lambda data: show_table(
            f"Data request {item['reference']}: {right_label(item['right'])}",
            ["field", "value"],
            sorted(data.items()),
        ),
    )


@requests_group.command("extend")
@click.argument("reference")
@click.option("--reason", required=True, help="Why it is complex (tell the person, within the first month).")
@aws_errors
def extend_request(reference, reason):
    """Extend a complex request to three months from receipt (once, within the first month)."""
    try:
        due = data_requests.extend(table(), reference, reason.strip(), queries.utc_now())
    except (data_requests.CannotExtend, data_requests.RequestClosed) as refused:
        fail(_refusal(refused))
    click.echo(
        f"Extended {reference.strip().upper()}: now due {emails.long_date(due)}. "
        "Tell the person, with the reason, before the first month ends."
    )


@requests_group.command("close")
@click.argument("reference")
@click.option(
    "--outcome",
    required=True,
    type=click.Choice(list(data_requests.OUTCOMES)),
    help="; ".join(f"{name}: {words}" for name, words in data_requests.OUTCOMES.items()),
)
@aws_errors
def close_request(reference, outcome):
    """Close an answered request: the person's details are deleted at once; its record stays."""
    try:
        in_time = data_requests.close(table(), reference, outcome, queries.utc_now())
    except data_requests.RequestClosed as closed:
        fail(_refusal(closed))
    click.echo(
        f"Closed {reference.strip().upper()} ({outcome}, {'in time' if in_time else 'LATE'}): "
        "name, email, telephone and message deleted."
    )


def _refusal(refused):
    if isinstance(refused, data_requests.RequestClosed):
        return f"{refused} is closed already"
    return str(refused)
