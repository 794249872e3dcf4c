"""The facts a privacy policy states that the code also knows: the retention schedule, the processors
the deployed system uses, the rights every version must explain (UK GDPR Art. 13(2)), and the region
the data is stored in. The site build checks every version in force, upcoming or (locally) draft
against them (plugins/site_data/checks.py); the deployment reads the region from here too."""

import datetime

from jtec_forms import retention

# The region, the processors and the rights: the functions' registry (the access report reads it too).
from jtec_forms.privacy_facts import DATA_REGION, DATA_REGION_NAME, PROCESSORS, RIGHTS  # noqa: F401

# Versions that took effect before the retention schedule existed state none of this: they are exempt
# (the build log says so), and their pages show the schedule as it is today.
SCHEDULE_SINCE = datetime.date(2026, 11, 26)

# The Amazon Web Services the deployed system gives personal data to, by the CloudFormation type or IAM
# action prefix infra/template.yaml uses them with (a test holds them together), each named in the policy
# so a reader knows what processes their data.
AWS_SERVICES = {
    "AWS::DynamoDB::": "Amazon DynamoDB",
    "AWS::Serverless::Function": "AWS Lambda",
    "AWS::Serverless::HttpApi": "Amazon API Gateway",
    "AWS::ApiGatewayV2::": "Amazon API Gateway",
    "AWS::SQS::": "Amazon SQS",
    "AWS::SES::": "Amazon SES",
    "ses:": "Amazon SES",
    "ssm:": "AWS Systems Manager",
    "AWS::Events::": "Amazon EventBridge",  # SES's bounce and complaint reports, addresses in them
    "events:": "Amazon EventBridge",
    "AWS::CloudFront::": "Amazon CloudFront",
    "AWS::S3::": "Amazon S3",
}

# The ones it uses that are never given personal data, and why not.
AWS_SERVICES_WITHOUT_PERSONAL_DATA = {
    "AWS::Logs::": "the functions' and the API's logs, which never hold personal data (tests prove it)",
    "AWS::CloudWatch::": "alarms that count errors and throttles",
    "AWS::SNS::": "mails those alarms to staff: names of resources and counts",
    "AWS::IAM::": "permissions",
    "dynamodb:": "the table's own actions (Amazon DynamoDB, named above)",
    "sqs:": "the queue's own actions (Amazon SQS, named above)",
}


def aws_service(resource_type_or_action):
    """The policy's name for what a template resource type or IAM action uses, or None if it is never
    given personal data. KeyError for a service nobody has decided about."""
    for prefix, name in AWS_SERVICES.items():
        if resource_type_or_action.startswith(prefix):
            return name
    for prefix in AWS_SERVICES_WITHOUT_PERSONAL_DATA:
        if resource_type_or_action.startswith(prefix):
            return None
    raise KeyError(resource_type_or_action)


# The retention table a policy carries: its header, then one row per kind of the schedule.
RETENTION_HEADER = ["Data", "Why we keep it", "How long"]


def _text(element):
    return " ".join(element.text_content().split())


def retention_problems(document):
    """The retention table against the schedule, row by row: each difference names the kind and both values."""
    tables = [
        table
        for table in document.iter("table")
        if [_text(cell) for cell in table.iterfind(".//thead//th")] == RETENTION_HEADER
    ]
    if not tables:
        return [f"has no retention table (a table headed {' | '.join(RETENTION_HEADER)})"]
    rows = {}
    for row in tables[0].iterfind(".//tbody/tr"):
        cells = [_text(cell) for cell in row]
        if cells:
            rows[cells[0]] = cells[1:]
    found = []
    for entry in retention.SCHEDULE:
        stated = rows.get(entry.what)
        if stated is None:
            found.append(f"retention table: kind {entry.kind!r} is missing (a row for {entry.what!r})")
            continue
        for label, expected, value in (
            ("why", entry.purpose, stated[0]),
            ("how long", entry.period, stated[1]),
        ):
            if value != expected:
                found.append(
                    f"retention table: kind {entry.kind!r}, {label}: the policy says {value!r}, the schedule "
                    f"(functions/jtec_forms/retention.py) says {expected!r}"
                )
    return found


def problems(policy_html):
    """Everything the policy's text gets wrong or leaves out, one line each (empty when it agrees)."""
    from lxml import html

    document = html.fromstring(policy_html)
    text = _text(document)
    headings = {_text(heading) for heading in document.iter("h2", "h3", "h4")}
    found = retention_problems(document)
    found += [
        f"does not name the processor {name!r} ({why})"
        for name, why in PROCESSORS.items()
        if name not in text
    ]
    found += [
        f"has no heading {heading!r} (the right of {right})"
        for right, heading in RIGHTS.items()
        if heading not in headings
    ]
    found += [
        f"does not name {service!r}, which processes personal data for the website"
        for service in sorted(set(AWS_SERVICES.values()))
        if service not in text
    ]
    renewal = (
        f"{retention.CONSENT_RENEW_AFTER_MONTHS} months after you confirmed your subscription",
        f"answer within {retention.CONSENT_RENEWAL.period}",
    )
    found += [
        f"does not state the newsletter's consent renewal as the code applies it ({phrase!r}; "
        "functions/jtec_forms/retention.py)"
        for phrase in renewal
        if phrase not in text
    ]
    if DATA_REGION not in text:
        found.append(f"does not state the region the data is stored in ({DATA_REGION_NAME}, {DATA_REGION})")
    return found
