"""The technical and organisational measures of the record of processing (UK GDPR Art. 30(1)(g), 32), read
from what is deployed: `infra/template.yaml` (the one source of the table's and the API's settings) and
the forms' own rate limits. A measure the template stops declaring disappears from the report."""

from pathlib import Path

import yaml

import jtec_forms
from jtec_forms import rate_limits, routes

# The template of the clone `jtec` is installed from (make installs it editable); `--template` otherwise.
DEFAULT_TEMPLATE = Path(jtec_forms.__file__).resolve().parents[2] / "infra" / "template.yaml"


class _CloudFormationLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """CloudFormation's short-form tags (!Ref, !Sub, !GetAtt) read as plain values (with libyaml's parser
    where PyYAML has it: the pure-Python one takes ten times as long over the template)."""


_CloudFormationLoader.add_multi_constructor("!", lambda loader, suffix, node: None)


def read(template_path):
    with open(template_path, encoding="utf-8") as file:
        return yaml.load(file, Loader=_CloudFormationLoader)  # noqa: S506 (a safe loader with one tag rule)


def measures(template):
    """Each measure in a sentence, from the template's resources and the forms' limits."""
    resources = template["Resources"]
    of_type = {}
    for name, resource in resources.items():
        of_type.setdefault(resource["Type"], []).append((name, resource.get("Properties", {})))
    found = []
    for _, table in of_type.get("AWS::DynamoDB::Table", []):
        if table.get("SSESpecification", {}).get("SSEEnabled"):
            found.append("The table is encrypted at rest (DynamoDB server-side encryption, AWS managed key).")
        recovery = table.get("PointInTimeRecoverySpecification", {})
        if recovery.get("PointInTimeRecoveryEnabled"):
            days = recovery.get("RecoveryPeriodInDays", 35)
            found.append(
                f"Point-in-time recovery keeps {days} days of backups; an erasure's tombstone lasts as long, "
                "so a restore is followed by jtec erasures reapply."
            )
        if table.get("DeletionProtectionEnabled"):
            found.append("The table has deletion protection.")
        if table.get("TimeToLiveSpecification", {}).get("Enabled"):
            found.append(
                "Every kept item carries its expiry; DynamoDB's TTL deletes it, and each deletion is audited."
            )
    for _, distribution in of_type.get("AWS::CloudFront::Distribution", []):
        config = distribution["DistributionConfig"]
        tls = config.get("ViewerCertificate", {}).get("MinimumProtocolVersion")
        if tls:
            found.append(
                f"In transit: HTTPS only for visitors (at least {tls}), and HTTPS to the API's origin."
            )
    log_days = sorted(
        {
            group.get("RetentionInDays")
            for _, group in of_type.get("AWS::Logs::LogGroup", [])
            if group.get("RetentionInDays")
        }
    )
    if log_days:
        found.append(
            f"Logs are kept {', '.join(str(days) for days in log_days)} days and never hold what a person typed "
            "(the tests capture every log line to prove it)."
        )
    for _, api in of_type.get("AWS::Serverless::HttpApi", []):
        limits = api.get("DefaultRouteSettings", {})
        if limits.get("ThrottlingRateLimit"):
            found.append(
                f"The API takes at most {limits['ThrottlingRateLimit']} requests a second "
                f"(bursts of {limits.get('ThrottlingBurstLimit')}); each form at most "
                f"{min(route.client_limit for route in routes.ROUTES if route.client_limit)}-"
                f"{max(route.client_limit for route in routes.ROUTES if route.client_limit)} requests an hour from "
                f"one visitor, and at most {rate_limits.MAILS_PER_MAILBOX} confirmation mails an hour to one mailbox."
            )
    functions = of_type.get("AWS::Serverless::Function", [])
    policies = [name for name, _ in of_type.get("AWS::IAM::ManagedPolicy", [])]
    found.append(
        f"Least privilege: each of the {len(functions)} functions has its own role allowing only the calls its "
        f"code makes; people have managed policies of their own ({', '.join(sorted(policies))}), held to "
        "the calls their tools make by the tests."
    )
    alarms = of_type.get("AWS::CloudWatch::Alarm", [])
    if alarms:
        found.append(
            f"{len(alarms)} alarms mail staff when a function fails or is throttled, or an audit cannot be written."
        )
    return found
