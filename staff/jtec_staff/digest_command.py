"""`jtec digest`: the staff digest's text, printed now, from the code the digest function mails it with."""

import click

from jtec_forms import config, digest
from jtec_staff import queries
from jtec_staff.cli import aws_errors, main, session, table


@main.command("digest")
@click.option(
    "--failure-queue",
    envvar="FAILURE_QUEUE_URL",
    help="The expiry audit's failure queue URL (default: $FAILURE_QUEUE_URL; the stack's output).",
)
@aws_errors
def print_digest(failure_queue):
    """What the staff digest says now: open enquiries by age, data requests due, bounces, deletions."""
    waiting = digest.queue_depth(session().client("sqs"), failure_queue)
    facts = digest.gather(table(), queries.utc_now(), waiting, config.digest_old_after_days())
    mail = digest.compose(facts, digest.labels())
    click.echo(
        f"{mail[0]}\n\n{mail[1]}" if mail else "Nothing due: the digest sends no mail today.\n", nl=False
    )
