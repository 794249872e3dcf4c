"""Build checks that tie the published policy to what the code does."""

import re
import sys

from lxml import html

from jtec_forms import retention

# The policy sentence that promises automatic deletion, e.g. "automatically delete ... after 12 months".
ENQUIRY_PERIOD = re.compile(r"automatic(?:ally)? delet\w*[^.]*?after (\d+) months", re.IGNORECASE)
POLICY = "privacy"


def stated_enquiry_months(policy_html):
    text = " ".join(html.fromstring(policy_html).text_content().split())
    return [int(months) for months in ENQUIRY_PERIOD.findall(text)]


def check_enquiry_period(generators):
    for generator in generators:
        for policy in getattr(generator, "policies", []):
            if policy.name != POLICY:
                continue
            version = policy.current_on(generator.day)
            stated = stated_enquiry_months(version.html)
            expected = retention.ENQUIRY.months
            if any(months != expected for months in stated):
                found = ", ".join(f"{months} months" for months in stated)
                sys.stderr.write(
                    f"Policy error: {version.source_path}: states {found} for deleting enquiries; "
                    f"the retention schedule (functions/jtec_forms/retention.py) says {expected} months\n"
                )
                raise SystemExit(1)
