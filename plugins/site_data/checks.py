"""Build checks that tie the published policy to what the code does."""

import re
import sys

from lxml import html

from jtec_forms import policy_facts, retention, wordings

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


def check_enquiry_period(generators):
    """Fail the build when the privacy policy in force disagrees with the schedule on enquiries. Sites
    built from test policies that make no such promise turn it off with POLICY_FACT_CHECKS = False."""
    for generator in generators:
        if not generator.settings.get("POLICY_FACT_CHECKS", True):
            return
        for policy in getattr(generator, "policies", []):
            if policy.name != POLICY:
                continue
            version = policy.current_on(generator.day)
            problem = enquiry_period_problem(version.html, retention.ENQUIRY.months)
            if problem:
                sys.stderr.write(f"Policy error: {version.source_path}: {problem}\n")
                raise SystemExit(1)


def check_consent_wordings(generators):
    """Fail the build when a consent wording changed its words under the same id, or is not locked."""
    found = wordings.problems(wordings.read(), wordings.in_use())
    if found:
        sys.stderr.write(
            "".join(f"Policy error: functions/jtec_forms/wording_lock.json: {line}\n" for line in found)
        )
        raise SystemExit(1)


def check_policy_facts(generators):
    """Every version of the privacy policy in force, upcoming or (locally) draft states what the code
    does: the retention table, processors, rights and region. Versions from before the schedule are
    exempt, and the build log says so."""
    for generator in generators:
        if not generator.settings.get("POLICY_FACT_CHECKS", True):
            return
        for policy in getattr(generator, "policies", []):
            if policy.name != POLICY:
                continue
            current = policy.current_on(generator.day)
            found = []
            for version in [current, *policy.upcoming_on(generator.day)]:
                if version.effective < policy_facts.SCHEDULE_SINCE:
                    sys.stderr.write(
                        f"Policy note: {version.source_path}: exempt from the fact checks: it took effect "
                        f"before the retention schedule existed ({policy_facts.SCHEDULE_SINCE})\n"
                    )
                    continue
                found += [f"{version.source_path}: {line}" for line in policy_facts.problems(version.html)]
            if found:
                sys.stderr.write("".join(f"Policy error: {line}\n" for line in found))
                raise SystemExit(1)
