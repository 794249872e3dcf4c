"""`jtec erase`, `jtec access`, `jtec subscribers remove|restrict|lift`: staff acting for a person who
asked by telephone or post, with the functions' own code (for_a_person.py)."""

import json
import os

import click

from jtec_forms import config, pages, routes
from jtec_staff import for_a_person, queries, reapply
from jtec_staff.cli import aws_errors, erasures, fail, main, session, table_name


def functions_settings():
    """The functions' code reads its table and key from the environment: the table `jtec` was given."""
    if not table_name():
        fail("which table? pass --table or set TABLE_NAME")
    os.environ["TABLE_NAME"] = table_name()
    config.clear()
    from jtec_forms import aws, store

    aws.forget()
    store.table.cache_clear()


def who_runs_this():
    """The AWS identity running the command (its ARN), kept in the record of what it did."""
    return session().client("sts").get_caller_identity()["Arn"]


def acting(action):
    """Settings, the identity, and one line for a person with nothing held, around a for-a-person action."""
    functions_settings()
    try:
        return action(who_runs_this())
    except for_a_person.NothingHeld:
        fail("nothing is held under that address")


@main.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@aws_errors
def erase(email, yes):
    """Delete everything held under an address, for a person who asked by telephone or post."""
    if not yes:
        click.confirm(
            "Delete everything this website holds under that address (enquiries, subscription and the records "
            "that go with them)? This cannot be undone",
            abort=True,
        )
    receipt = acting(lambda by: for_a_person.erase(email, by))
    deleted = sum(receipt["deleted"].values())
    click.echo(
        f"Erased: receipt {receipt['reference']}, {deleted} items deleted. Give the person the reference."
    )


@main.command("access")
@click.argument("email")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, writable=True),
    help="FILE.html or FILE.json",
)
@aws_errors
def access(email, out):
    """Write the access report for an address (what the website's form shows), to send to the person."""
    report = acting(lambda by: for_a_person.access_report(email, by))
    if out.endswith(".json"):
        text = json.dumps(report, indent=2, ensure_ascii=False)
    else:
        text = pages.render(
            routes.CONFIRM_ACCESS.result_template,
            routes.CONFIRM_ACCESS,
            answer=report,
            token=None,
            download=pages.data_uri(report),
            download_name="jtec-data.json",
        )
    with open(out, "w", encoding="utf-8") as file:
        file.write(text)
    click.echo(f"Wrote the access report ({len(report['items'])} items) to {out}. Send it to the person.")


@main.group()
def subscribers():
    """The newsletter's subscriptions, for a person who asked by telephone or post."""


@subscribers.command("remove")
@click.argument("email")
@aws_errors
def remove(email):
    """End a subscription, as its unsubscribe link does (name and address deleted)."""
    acting(lambda by: for_a_person.unsubscribe(email, by))
    click.echo("Unsubscribed: the subscription and its details are deleted.")


@subscribers.command("restrict")
@click.argument("email")
@aws_errors
def restrict(email):
    """Send no newsletter to a subscription while a question about it is settled; keep its details."""
    if acting(lambda by: for_a_person.restrict(email, by)):
        click.echo(
            "Restricted: no newsletter goes to it until `jtec subscribers lift`; its details are kept."
        )
    else:
        fail("that subscription is restricted already")


@subscribers.command("lift")
@click.argument("email")
@aws_errors
def lift(email):
    """Lift a restriction: the newsletter goes to the subscription again."""
    if acting(lambda by: for_a_person.lift(email, by)):
        click.echo("Lifted: the subscription gets the newsletter again.")
    else:
        fail("that subscription is not restricted")


@erasures.command("reapply")
@click.option(
    "--since",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]),
    help="The restore's moment (UTC): every erasure from then on is done again.",
)
@click.option("--from-table", help="The table the erasures ran in, before the restore (default: --table).")
@aws_errors
def reapply_erasures(since, from_table):
    """After restoring the table from a backup: erase again everyone who asked since that moment."""
    import datetime

    functions_settings()
    now = queries.utc_now()
    source = session().resource("dynamodb").Table(from_table or table_name())
    found = reapply.tombstones(source, since.replace(tzinfo=datetime.UTC), now)
    total = sum(reapply.reapply(tombstone, now) for tombstone in found)
    click.echo(
        f"Erased again: {len(found)} erasure{'s' if len(found) != 1 else ''} since {since:%Y-%m-%d %H:%M} UTC, "
        f"{total} item{'s' if total != 1 else ''} the restore had brought back."
    )
