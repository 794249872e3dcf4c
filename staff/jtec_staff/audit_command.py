"""`jtec audit`: the auditor's report, one self-contained HTML file (or `.json`, the same content as data),
for a period, from the live table, the code's registries and the template; with `--evidence`, the result of
the tests that prove each promise (`make audit` runs them and passes their report here)."""

import datetime
import hashlib
import json
from pathlib import Path

import click

from jtec_staff import audit, audit_measures, evidence, queries
from jtec_staff.cli import aws_errors, fail, main, scanning, table

REPOSITORY = audit_measures.DEFAULT_TEMPLATE.parents[1]
TEMPLATES = Path(__file__).parent / "templates"


def policy_sources(content_dir):
    """The sha256 of each privacy policy version's file in the clone (None when there is no clone)."""
    folder = Path(content_dir) / "policies" / "privacy"
    if not folder.is_dir():
        return None
    return {path.stem: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.glob("*.md")}


def render_html(report):
    import jinja2

    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    environment.filters["day"] = lambda text: datetime.datetime.fromisoformat(text).strftime("%-d %B %Y")
    return environment.get_template("audit.html").render(report=report)


@main.command("audit")
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False, writable=True), help="FILE.html or FILE.json"
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The first day of the period (default: 12 months ago).",
)
@click.option(
    "--template",
    "template_path",
    type=click.Path(exists=True, dir_okay=False),
    default=str(audit_measures.DEFAULT_TEMPLATE),
    show_default=True,
    help="The deployed SAM template, for the technical measures.",
)
@click.option(
    "--evidence", "junit", type=click.Path(exists=True, dir_okay=False), help="pytest's JUnit XML report."
)
@click.option("--commit", default="", help="The commit the tests ran on (with --evidence).")
@aws_errors
def audit_report(out, since, template_path, junit, commit):
    """Write the auditor's report: record of processing, policy history, retention, requests, consent."""
    now = queries.utc_now()
    since = since.replace(tzinfo=datetime.UTC) if since else now - datetime.timedelta(days=365)
    if since > now:
        fail(f"--since {since.date()} is in the future")
    proof = None
    if junit:
        proof = evidence.evidence(
            REPOSITORY / "docs" / "design.md", junit, commit, now.isoformat(timespec="seconds")
        )
    measures = audit_measures.measures(audit_measures.read(template_path))
    progress, advance = scanning("Reading the table")
    with progress:
        report = audit.gather(
            table(), now, since, measures, proof, policy_sources(REPOSITORY / "content"), advance
        )
    text = json.dumps(report, indent=2, ensure_ascii=False) if out.endswith(".json") else render_html(report)
    Path(out).write_text(text, encoding="utf-8")
    attention = [finding["text"] for finding in report["summary"] if finding["attention"]]
    click.echo(f"Wrote the audit report for {since.date()} to {now.date()} to {out}.")
    for line in attention:
        click.echo(f"Needs attention: {line}")
