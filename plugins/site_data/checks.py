"""Build checks that tie the published policy to what the code does."""

import datetime
import re
import sys
from pathlib import Path
from types import SimpleNamespace

from lxml import html

from jtec_forms import retention
from project import policy_facts, wordings

# The policy sentence that promises automatic deletion, e.g. "automatically delete ... after 12 months".
ENQUIRY_PERIOD = re.compile(r"automatic(?:ally)? delet\w*[^.]*?after (\d+) months", re.IGNORECASE)
POLICY = "privacy"
SCHEDULE_FILE = "functions/jtec_forms/retention.py"


def stated_enquiry_months(policy_html):
    text = " ".join(html.fromstring(policy_html).text_content().split())
    return [int(months) for months in ENQUIRY_PERIOD.findall(text)]


def enquiry_period_problem(policy_html, expected_months):
    """Why the policy's promise of automatic deletion disagrees with the schedule, or None if it agrees.
    A policy that no longer states the period (missing or reworded) disagrees too."""
    stated = stated_enquiry_months(policy_html)
    if not stated:
        return (
            f"does not state that enquiries are deleted automatically after {expected_months} months "
            f"(the check looks for 'automatically delete ... after N months'); the retention schedule "
            f"({SCHEDULE_FILE}) says {expected_months} months"
        )
    if any(months != expected_months for months in stated):
        found = ", ".join(f"{months} months" for months in stated)
        return (
            f"states {found} for deleting enquiries; "
            f"the retention schedule ({SCHEDULE_FILE}) says {expected_months} months"
        )
    return None


def _privacy_policies(generators):
    """(generator, the privacy policy) for each generator that read policies, unless the site turned
    the fact checks off (POLICY_FACT_CHECKS = False: sites built from test policies that make no such
    promises)."""
    for generator in generators:
        if not generator.settings.get("POLICY_FACT_CHECKS", True):
            return
        for policy in getattr(generator, "policies", []):
            if policy.name == POLICY:
                yield generator, policy


def _fail(lines, kind="Policy"):
    """Stop the build with one `<kind> error:` line per problem."""
    if lines:
        sys.stderr.write("".join(f"{kind} error: {line}\n" for line in lines))
        raise SystemExit(1)


# What search results show under a page's title (Google shortens what is longer).
DESCRIPTION_LIMIT = 160


def description_problem(page):
    """Why a page's `Description:` will not do for search results, or None."""
    description = " ".join((page.metadata.get("description") or "").split())
    if not description:
        return f"has no Description: add a line 'Description: ...' under its Title (one sentence, at most {DESCRIPTION_LIMIT} characters, for search results)"
    if len(description) > DESCRIPTION_LIMIT:
        return f"has a Description of {len(description)} characters: shorten it to {DESCRIPTION_LIMIT} at most (search results cut the rest)"
    return None


def check_page_descriptions(generators):
    """Every page, hidden ones too, has a description for search engines (the policy pages write their own)."""
    found = []
    for generator in generators:
        for page in [*getattr(generator, "pages", []), *getattr(generator, "hidden_pages", [])]:
            problem = description_problem(page)
            if problem:
                found.append(f"{page.relative_source_path}: {problem}")
    _fail(found, kind="Page")


NEWS_DATE = re.compile(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?")


def news_issue_problems(path):
    """Why a news issue (content/news/*.md) would not be published as it should, one line each: Pelican
    itself only logs and leaves out an issue whose date it cannot read."""
    from plugins.policy_versions.lock import header

    fields = header(path)
    found = [] if fields.get("title") else ["has no Title: add a line 'Title: ...' at the top"]
    date = fields.get("date", "")
    try:
        if not date:
            found.append("has no Date: add a line 'Date: YYYY-MM-DD', the day it is sent")
        elif not NEWS_DATE.fullmatch(date):
            raise ValueError(date)
        datetime.date.fromisoformat(date[:10])
    except ValueError:
        found.append(f"has the Date {date!r}: write the day it is sent as YYYY-MM-DD, e.g. Date: 2027-01-15")
    if not re.fullmatch(r"[A-Za-z0-9_-]+", Path(path).stem):
        found.append(
            "has a file name with other characters than letters, digits, dashes and underscores: "
            "rename it (the name is the issue's address, and how bounces of its mail name it)"
        )
    problem = description_problem(SimpleNamespace(metadata=fields))
    return found + ([problem.replace("under its Title", "in its header")] if problem else [])


def check_news_issues(generators):
    """Every news issue has a title, a real date and a description, or the build stops naming the file."""
    for generator in generators:
        if hasattr(generator, "articles"):
            root = Path(generator.settings["PATH"])
            found = [
                f"{path.relative_to(root.parent)}: {problem}"
                for folder in generator.settings.get("ARTICLE_PATHS", [])
                for path in sorted((root / folder).glob("*.md"))
                for problem in news_issue_problems(path)
            ]
            _fail(found, kind="News")


def check_enquiry_period(generators):
    """Fail the build when the privacy policy in force disagrees with the schedule on enquiries."""
    for generator, policy in _privacy_policies(generators):
        version = policy.current_on(generator.day)
        problem = enquiry_period_problem(version.html, retention.ENQUIRY.months)
        _fail([f"{version.source_path}: {problem}"] if problem else [])


def check_consent_wordings(generators):
    """Fail the build when a consent wording changed its words under the same id, or is not locked."""
    found = wordings.problems(wordings.read(), wordings.in_use())
    _fail([f"project/wording_lock.json: {line}" for line in found])


def check_policy_facts(generators):
    """Every version of the privacy policy in force, upcoming or (locally) draft states what the code
    does: the retention table, processors, rights and region. Versions from before the schedule are
    exempt, and the build log says so."""
    for generator, policy in _privacy_policies(generators):
        found = []
        for version in [policy.current_on(generator.day), *policy.upcoming_on(generator.day)]:
            if version.effective < policy_facts.SCHEDULE_SINCE:
                sys.stderr.write(
                    f"Policy note: {version.source_path}: exempt from the fact checks: it took effect "
                    f"before the retention schedule existed ({policy_facts.SCHEDULE_SINCE})\n"
                )
                continue
            found += [f"{version.source_path}: {line}" for line in policy_facts.problems(version.html)]
        _fail(found)
