"""The `jtec` command: verbs on nouns for JTec's staff. Readable tables by default, `--json` for
scripts; a user error is one line on stderr and exit status 2, never a traceback.

The table is `--table` or `TABLE_NAME`; AWS is reached with the normal credential chain, or the local
stack of `make serve` with `AWS_ENDPOINT_URL` (it prints the lines to paste)."""

import dataclasses
import functools
import json
import os
import re
import sys

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from jtec_staff import queries

USER_ERROR = 2
# Characters that change how the text around them reads (direction overrides and isolates) or that cannot
# be seen (zero-width spaces and joiners, the byte-order mark): shown as <U+XXXX>, never acted on.
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def plain(value):
    """A stored value as text that is exactly what it holds: Rich never parses it (Text, not markup),
    and invisible or direction-changing characters are shown by their code point."""
    shown = "" if value is None else str(value)
    return Text(_INVISIBLE.sub(lambda found: f"<U+{ord(found.group()):04X}>", shown))


def fail(message):
    click.echo(f"jtec: {message}", err=True)
    sys.exit(USER_ERROR)


def aws_errors(command):
    """Turn what goes wrong with AWS into one line and exit status 2."""

    @functools.wraps(command)
    def guarded(*arguments, **options):
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, NoRegionError

        try:
            return command(*arguments, **options)
        except queries.UnknownReference as unknown:
            fail(f"no item has the reference {unknown}")
        except NoCredentialsError:
            fail(
                "no AWS credentials: configure them (aws configure, or AWS_PROFILE), or paste the lines `make serve` prints"
            )
        except NoRegionError:
            fail("no AWS region: set AWS_DEFAULT_REGION (the deployment's region)")
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                fail(f"no table named {table_name()!r} here: pass --table or set TABLE_NAME")
            fail(f"AWS refused: {code}")
        except BotoCoreError as error:
            fail(f"cannot reach AWS: {error}")

    return guarded


_table_option = {"name": None}


def table_name():
    return _table_option["name"] or os.environ.get("TABLE_NAME") or ""


# The environment variables a boto3 session takes its credentials, region and endpoint from.
AWS_SETTINGS = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
)


def session():
    """A boto3 session for the AWS settings the environment gives now. One per set of settings in a
    process: a new session reads AWS's service descriptions again (about 150 ms), and jtec runs many
    times in one process where its commands are called from Python (the tests)."""
    return _session(tuple(os.environ.get(name) for name in AWS_SETTINGS))


@functools.lru_cache(maxsize=8)
def _session(settings):
    import boto3

    return boto3.Session()


def table():
    if not table_name():
        fail("which table? pass --table or set TABLE_NAME")
    return session().resource("dynamodb").Table(table_name())


def ses():
    return session().client("ses")


def short_name(kind):
    """A kind of data by the first words of the schedule's description ("Enquiries", "Record that an
    email link was used")."""
    from jtec_forms import retention as schedule

    return schedule.by_kind(kind).what.split(":")[0].split(" (")[0].split(",")[0]


def emit(data, as_json, render):
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        render(data)


def show_table(title, columns, rows):
    """A table of stored values as plain text; a long value is folded onto more lines, never cut."""
    view = Table(title=plain(title))
    for column in columns:
        view.add_column(column, overflow="fold")
    for row in rows:
        view.add_row(*[plain(cell) for cell in row])
    # What people typed is printed as it is: no Rich markup ("[link=...]"), no emoji codes, no highlighting.
    # Made for each table, so it reads the terminal (its width, COLUMNS) as it is when it prints.
    Console(markup=False, emoji=False, highlight=False).print(view)


def scanning(description):
    """A progress display for a Scan (on a terminal), and the callback that advances it by each page's
    item count."""
    errors = Console(stderr=True)
    progress = Progress(console=errors, transient=True, disable=not errors.is_terminal)
    task = progress.add_task(description, total=None)
    return progress, lambda count: progress.advance(task, count)


@click.group()
@click.option("--table", "table_option", help="The DynamoDB table (default: $TABLE_NAME).")
def main(table_option):
    """JTec staff tools: enquiries, data requests, erasure receipts, the retention report and the news."""
    _table_option["name"] = table_option


@main.group()
def erasures():
    """Receipts of "forget me" requests."""


@erasures.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@aws_errors
def list_erasures(as_json):
    """Every erasure receipt, newest first."""
    found = queries.receipts(table())
    emit(
        found,
        as_json,
        lambda rows: show_table(
            f"Erasure receipts ({len(rows)})",
            ["reference", "status", "confirmed", "completed", "items deleted"],
            [
                [
                    row["reference"],
                    row["status"],
                    row["confirmed_at"],
                    row["completed_at"],
                    sum(row["deleted"].values()),
                ]
                for row in rows
            ],
        ),
    )


@erasures.command("show")
@click.argument("reference")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@aws_errors
def show_erasure(reference, as_json):
    """One erasure receipt, with the count of each kind of item deleted."""
    found = queries.receipt(table(), reference)
    emit(
        found,
        as_json,
        lambda data: show_table(
            f"Erasure {reference} ({data['status']})",
            ["kind of data", "items deleted"],
            sorted(data["deleted"].items()),
        ),
    )


@main.group()
def retention():
    """What is kept, and whether it is deleted on time."""


@retention.command("report")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@aws_errors
def retention_report(as_json):
    """Per kind of data: live, expiring within 30 days, expired but not yet deleted; TTL deletions."""
    progress, advance = scanning("Reading the table")
    with progress:
        report = queries.retention_report(table(), queries.utc_now(), progress=advance)

    def render(data):
        from jtec_forms import retention as schedule

        show_table(
            "What we keep, and whether it is deleted on time",
            [
                "data",
                "kept for",
                "held now",
                f"expiring within {queries.EXPIRING_WITHIN_DAYS} days",
                "overdue",
            ],
            [
                [
                    schedule.by_kind(row["kind"]).what,
                    row["period"],
                    row["live"],
                    row["expiring_in_30_days"],
                    row["expired_not_deleted"],
                ]
                for row in data["kinds"]
            ],
        )
        overdue = sum(row["expired_not_deleted"] for row in data["kinds"])
        click.echo(
            f"Overdue: {overdue} items are past their time and not yet deleted (DynamoDB deletes them "
            "within days; more than that, look at the expiry audit)."
            if overdue
            else "Overdue: none. Everything past its time has been deleted."
        )
        lags = [
            f"{short_name(row['kind'])} {row['worst_ttl_lag_seconds'] / 3600:.1f} hours"
            for row in data["kinds"]
            if row["worst_ttl_lag_seconds"] is not None
        ]
        if lags:
            click.echo("Longest wait between expiry and deletion: " + "; ".join(lags) + ".")
        show_table(
            "Deleted on expiry, per month",
            ["month", "deleted"],
            [
                [month, "; ".join(f"{short_name(kind)}: {count}" for kind, count in counts.items())]
                for month, counts in data["ttl_deletions_per_month"].items()
            ],
        )

    emit(report, as_json, render)


@main.group()
def newsletter():
    """News by email to the newsletter's subscribers."""


def _sending_settings():
    """What sending needs besides the table, as the functions read it (SITE_URL, MAIL_FROM, and
    APP_SECRET or APP_SECRET_PARAMETER): one line naming what is missing."""
    from jtec_forms import config

    missing = [name for name in ("SITE_URL", "MAIL_FROM") if not os.environ.get(name)]
    if not (os.environ.get("APP_SECRET") or os.environ.get("APP_SECRET_PARAMETER")):
        missing.append("APP_SECRET or APP_SECRET_PARAMETER")
    if missing:
        fail(
            f"set {', '.join(missing)} as the functions have them (make serve prints them; docs/deploying.md)"
        )
    config.clear()


@newsletter.command("send")
@click.argument("slug")
@click.option("--news-dir", default="content/news", show_default=True, help="Where the issues are.")
@click.option("--dry-run", is_flag=True, help="Say how many would be sent and show the first message.")
@click.option("--test-to", metavar="ADDRESS", help="Send one copy, marked as a test, to ADDRESS only.")
@click.option("--resend-uncertain", is_flag=True, help="Send again to those a stopped run may have mailed.")
@click.option("--yes", is_flag=True, help="Do not ask before sending.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@aws_errors
def send_news(slug, news_dir, dry_run, test_to, resend_uncertain, yes, as_json):
    """Send the news issue SLUG (content/news/SLUG.md) to every confirmed subscriber, each exactly once.
    Stopped at any moment, the same command carries on where it stopped."""
    import signal

    from jtec_staff import newsletter as news

    try:
        issue = news.read_issue(news_dir, slug)
    except news.IssueProblem as problem:
        fail(str(problem))
    _sending_settings()
    listed = news.subscribers(table())
    if test_to:
        from jtec_forms.subjects import delivery_address

        if delivery_address(test_to) is None:
            fail(f"--test-to: {test_to!r} is not an address mail can be delivered to")
        copy = news.message(issue, {"pk": "TEST", "email": test_to, "confirmed_at": ""}, test=True)
        ses().send_raw_email(
            Source=copy["From"], Destinations=[copy["To"]], RawMessage={"Data": copy.as_bytes()}
        )
        return emit(
            {"test_sent_to": test_to}, as_json, lambda data: click.echo(f"Test copy sent to {test_to}")
        )
    if dry_run:
        first = news.message(issue, listed[0]).as_string() if listed else None
        data = {"issue": slug, "subscribers": len(listed), "first_message": first}
        return emit(
            data,
            as_json,
            lambda data: click.echo(
                f"Would send {issue.title!r} to {len(listed)} subscribers (any already sent are skipped).\n\n"
                + (first or "No one is subscribed.")
            ),
        )
    if not yes:
        if not sys.stdin.isatty():
            fail("not asking on a non-terminal: pass --yes to send")
        click.confirm(f"Send {issue.title!r} to {len(listed)} subscribers?", abort=True)
    stopping = []
    previous = signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
    errors = Console(stderr=True)
    progress = Progress(console=errors, transient=True, disable=not errors.is_terminal)
    task = progress.add_task(f"Sending {issue.title}", total=len(listed))
    try:
        with progress:
            summary = news.Sending(table(), ses(), issue, clock=queries.utc_now).run(
                progress=lambda count: progress.advance(task, count),
                stop=lambda: bool(stopping),
                resend_uncertain=resend_uncertain,
            )
    finally:
        signal.signal(signal.SIGINT, previous)
    data = {"issue": slug, **dataclasses.asdict(summary)}
    emit(data, as_json, lambda data: click.echo(news.summary_text(issue, summary)))
    if summary.stopped or summary.failed:
        sys.exit(1)


# The commands kept in modules of their own add themselves to `main` when imported.
from jtec_staff import (  # noqa: E402, F401
    audit_command,
    digest_command,
    enquiry_commands,
    person_commands,
    request_commands,
)
