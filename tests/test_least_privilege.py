"""Least privilege, from the template: each function's role allows only what its code calls.

`tests/data/function_permissions.yaml` lists, per function, the AWS actions its code calls and those
AWS itself takes with the function's role. The tests drive every route of every function (mail failing
too, so the paths that take work back are covered) against the embedded AWS, record each call the
code makes, and hold the list to those calls and the template to the list."""

import datetime

import boto3
import botocore.client
import pytest
import yaml

from jtec_forms import config, mailer, tokens
from jtec_forms.subjects import subject_key
from jtec_staff import newsletter as news
from project import PROJECT_DIR
from project.template import read_template
from tests import iam_model
from tests.forms_support import invoke, person
from tests.test_forms_subscription import links_for, newsletter_form, sign_up
from tests.test_forms_your_data import ask_to_erase, someone_with_everything, token_from

PERMISSIONS = yaml.safe_load((PROJECT_DIR / "tests" / "data" / "function_permissions.yaml").read_text())
SECRET_PARAMETER = "/jtec/forms/app-secret"
UNRECORDED_CALL = botocore.client.BaseClient._make_api_call


class Recorded(set):
    """The IAM actions the code called, and each request as IAM checks it (`requests`)."""

    def __init__(self):
        super().__init__()
        self.requests = []


@pytest.fixture
def calls(forms, monkeypatch):
    """Every AWS action the code calls while the test runs, the secret read from SSM as in AWS."""
    import boto3

    boto3.client("ssm").put_parameter(
        Name=SECRET_PARAMETER, Value="s" * 64, Type="SecureString", Overwrite=True
    )
    monkeypatch.setenv("APP_SECRET_PARAMETER", SECRET_PARAMETER)
    config.secret.cache_clear()
    made = Recorded()
    real_call = botocore.client.BaseClient._make_api_call

    def recording(client, operation, parameters):
        service = client.meta.service_model.signing_name
        made.update(iam_model.actions(service, operation, parameters))
        made.requests += iam_model.requests(service, operation, parameters)
        return real_call(client, operation, parameters)

    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    yield made
    monkeypatch.undo()
    config.secret.cache_clear()


def mail_fails(monkeypatch):
    def refuse(*args, **kwargs):
        raise mailer.MailUnavailable("test")

    monkeypatch.setattr(mailer, "send", refuse)


def enquiry_journeys(base_url, monkeypatch):
    details = person(opt_in=True)
    assert invoke("/api/enquiry", details)[0] == 201
    assert invoke("/api/enquiry", details)[0] == 201  # sent twice: found, not written again
    mail_fails(monkeypatch)
    invoke("/api/enquiry", person(opt_in=True))


def subscription_journeys(base_url, monkeypatch):
    details = newsletter_form()
    assert invoke("/api/subscribe", details)[0] == 202
    token = token_from(base_url, details["email"], "/newsletter/confirm/")
    unsubscribe = token_from(base_url, details["email"], "/newsletter/unsubscribe/")
    assert invoke("/api/subscribe/confirm", {"token": token})[0] == 200
    renew = tokens.issue(
        config.secret(), tokens.RENEW_SUBSCRIPTION, subject_key(config.secret(), details["email"])
    )
    assert invoke("/api/subscribe/renew", {"token": renew})[0] == 200
    assert invoke("/api/unsubscribe", {"token": unsubscribe})[0] == 200
    mail_fails(monkeypatch)
    invoke("/api/subscribe", newsletter_form())


def your_data_journeys(base_url, monkeypatch):
    details = person(opt_in=True)
    invoke("/api/enquiry", details)
    status, _, _ = invoke("/api/access", {"email": details["email"]})
    assert status == 202
    assert (
        invoke("/your-data/see/report", {"token": token_from(base_url, details["email"], "/your-data/see/")})[
            0
        ]
        == 200
    )
    token = ask_to_erase(base_url, details["email"])
    assert invoke("/your-data/delete/receipt", {"token": token})[0] == 200
    mail_fails(monkeypatch)
    invoke("/api/erasure", {"email": "someone.else@example.com"})


def expiry_audit_journeys(base_url, monkeypatch):
    from local.sweeper import audit

    audit([{"pk": "SUBJECT#abc", "sk": "ENQUIRY#2026-01-01T00:00:00Z#1"}], deleted_at=1_800_000_000)
    # A consent-renewal question nobody answered: the subscription it asked about ends.
    audit([{"pk": "SUBJECT#abc", "sk": "RENEWAL"}], deleted_at=1_800_000_000)


def mail_events_journeys(base_url, monkeypatch):
    from jtec_forms import clock
    from local import ses_events

    with monkeypatch.context() as unrecorded:  # a subscriber sent an issue: the other functions' work
        unrecorded.setattr(botocore.client.BaseClient, "_make_api_call", UNRECORDED_CALL)
        details, _ = sign_up()
        invoke("/api/subscribe/confirm", {"token": links_for(base_url, details["email"])[1]})
        issue = news.Issue("winter", "Winter opening hours", "2026-12-01", "Hours.", "We close at noon.")
        table = boto3.resource("dynamodb").Table(config.table_name())
        news.Sending(table, boto3.client("ses"), issue, clock=clock.now, sleep=lambda _: None).run()
    config.secret.cache_clear()  # a fresh instance of the function reads the key itself
    soft = ses_events.ses_event("Bounce", "Transient", details["email"], "winter")
    assert ses_events.deliver(soft)["ended"] == 0
    assert ses_events.deliver(ses_events.ses_event("Complaint", None, details["email"]))["ended"] == 1


def digest_journeys(base_url, monkeypatch):
    from jtec_forms import clock, deadlines, digest
    from jtec_forms.handlers import digest as handler
    from local import ses_events
    from local.api import LambdaContext

    with monkeypatch.context() as unrecorded:  # what waits on staff: the other functions' work
        unrecorded.setattr(botocore.client.BaseClient, "_make_api_call", UNRECORDED_CALL)
        invoke("/api/enquiry", person())
        invoke("/api/enquiry", person(topic="personal-data", right="complaint"))
        details, _ = sign_up()
        invoke("/api/subscribe/confirm", {"token": links_for(base_url, details["email"])[1]})
        ses_events.deliver(ses_events.ses_event("Complaint", None, details["email"]))
        today = clock.now().astimezone(digest.LOCAL).date()
        clock.advance((deadlines.next_working_day(today + datetime.timedelta(days=25)) - today).days)
    assert handler.lambda_handler({}, LambdaContext("digest"))["sent"] is True


JOURNEYS = {
    "EnquiryFunction": enquiry_journeys,
    "SubscriptionFunction": subscription_journeys,
    "YourDataFunction": your_data_journeys,
    "ExpiryAuditFunction": expiry_audit_journeys,
    "MailEventsFunction": mail_events_journeys,
    "DigestFunction": digest_journeys,
}


@pytest.mark.parametrize("function", sorted(JOURNEYS))
def test_the_list_holds_exactly_what_the_functions_code_calls(function, calls, forms, monkeypatch):
    JOURNEYS[function](forms, monkeypatch)
    assert set(PERMISSIONS[function]["code"]) == calls


def allowed(function):
    """Every action the template's inline policies give the function's role."""
    actions = set()
    for policy in read_template()["Resources"][function]["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            assert statement["Effect"] == "Allow"
            action = statement["Action"]
            actions |= {action} if isinstance(action, str) else set(action)
    return actions


@pytest.mark.parametrize("function", sorted(PERMISSIONS))
def test_each_role_allows_exactly_what_the_list_says_the_function_needs(function):
    needed = set(PERMISSIONS[function]["code"]) | set(PERMISSIONS[function].get("service", {}))
    assert allowed(function) == needed  # nothing more, and nothing the code needs missing
    assert not [action for action in allowed(function) if "*" in action]


def test_every_function_in_the_template_is_in_the_list():
    functions = {
        name
        for name, resource in read_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions == set(PERMISSIONS)


# The conditions: each function only in its own kinds of item, mail only from the sender address, and
# the staff tools only what their commands read and change.
SENDER = "forms@jtec.invalid"  # the local stack's SenderAddress


def resolve(value):
    """The template's references to parameters, as the local stack has them."""
    if value == {"Ref": "SenderAddress"}:
        return SENDER
    return value


def statements(resource):
    properties = read_template()["Resources"][resource]["Properties"]
    if "PolicyDocument" in properties:
        return properties["PolicyDocument"]["Statement"]
    return [statement for policy in properties["Policies"] for statement in policy["Statement"]]


def refused(requests, resource):
    return [
        (action, context)
        for action, kind, context in requests
        if not action.startswith(("ssm:", "sqs:"))
        and not iam_model.allowed(statements(resource), action, kind, context, resolve)
    ]


@pytest.mark.parametrize("function", sorted(JOURNEYS))
def test_every_call_a_function_makes_is_allowed_with_the_conditions_of_its_role(
    function, calls, forms, monkeypatch
):
    JOURNEYS[function](forms, monkeypatch)
    assert calls.requests
    assert refused(calls.requests, function) == []


@pytest.mark.parametrize(
    ("function", "partition"),
    [
        ("EnquiryFunction", "EXPIRY_AUDIT#2026-11"),
        ("EnquiryFunction", "ERASURE_RECEIPT"),
        ("SubscriptionFunction", "ERASURE_RECEIPT"),
        ("ExpiryAuditFunction", "SUBJECT#abc"),
        ("YourDataFunction", "EXPIRY_AUDIT#2026-11"),
    ],
)
def test_a_function_cannot_write_another_functions_kind_of_item(function, partition):
    request = iam_model.requests("dynamodb", "PutItem", {"Item": {"pk": partition, "sk": "x"}})
    assert refused(request, function) == [("dynamodb:PutItem", request[0][2])]


@pytest.mark.parametrize("function", ["EnquiryFunction", "SubscriptionFunction", "YourDataFunction"])
def test_a_function_sends_mail_only_from_the_sender_address(function):
    ours = iam_model.requests("ses", "SendRawEmail", {"Source": f"JTec IT Solutions <{SENDER}>"})
    theirs = iam_model.requests("ses", "SendRawEmail", {"Source": "Bank <security@bank.example>"})
    assert refused(ours, function) == [] and len(refused(theirs, function)) == 1


def staff_requests(forms, monkeypatch, journey):
    """Each request the staff tools' queries make while `journey(table)` runs, as IAM checks it."""
    import boto3

    made = []
    real_call = botocore.client.BaseClient._make_api_call

    def recording(client, operation, parameters):
        made.extend(iam_model.requests(client.meta.service_model.signing_name, operation, parameters))
        return real_call(client, operation, parameters)

    table = boto3.resource("dynamodb").Table(config.table_name())
    monkeypatch.setattr(botocore.client.BaseClient, "_make_api_call", recording)
    journey(table)
    monkeypatch.undo()
    return made


def test_every_call_the_staff_tools_make_is_allowed_by_the_staff_policy(forms, monkeypatch):
    from jtec_forms import digest
    from jtec_staff import data_requests, for_a_person, queries, reapply

    details = person()
    reference = invoke("/api/enquiry", details)[2]["reference"]
    resolved = invoke("/api/enquiry", person())[2]["reference"]
    erased = person()
    invoke("/api/enquiry", erased)
    invoke("/your-data/delete/receipt", {"token": ask_to_erase(forms, erased["email"])})
    extended, closed = (
        invoke("/api/enquiry", person(topic="personal-data", right=right))[2]["reference"]
        for right in ("correction", "objection")
    )

    subscriber, _ = sign_up()
    invoke("/api/subscribe/confirm", {"token": links_for(forms, subscriber["email"])[1]})
    issue = news.Issue("winter", "Winter opening hours", "2026-12-01", "Hours.", "We close at noon.")

    def every_command(table):
        now = queries.utc_now()
        sending = news.Sending(table, boto3.client("ses"), issue, clock=queries.utc_now, sleep=lambda _: None)
        assert sending.run().sent == 1
        two_years_on = news.Sending(
            table,
            boto3.client("ses"),
            issue,
            clock=lambda: now + datetime.timedelta(days=800),
            sleep=lambda _: None,
        )
        assert two_years_on.run().asked_to_renew == 1
        queries.open_enquiries(table)
        queries.find_enquiry(table, reference)
        queries.resolve_enquiry(table, resolved, now)
        queries.find_enquiry(table, resolved)  # off the open list now: found by the Scan
        [receipt] = queries.receipts(table)
        queries.receipt(table, receipt["reference"])
        queries.retention_report(table, now)
        data_requests.open_requests(table, data_requests.local_date(now))
        data_requests.extend(table, extended, "Records in three offices", now)
        data_requests.close(table, closed, "done", now)
        digest.gather(table, now, digest.queue_depth(boto3.client("sqs"), config.failure_queue_url()))
        # For a person who asked by telephone or post, with the functions' own code.
        staff = "arn:aws:sts::123456789012:user/moto"
        for_a_person.access_report(details["email"], staff)
        for_a_person.restrict(subscriber["email"], staff)
        for_a_person.lift(subscriber["email"], staff)
        for_a_person.unsubscribe(subscriber["email"], staff)
        for_a_person.erase(details["email"], staff)
        for tombstone in reapply.tombstones(table, now - datetime.timedelta(hours=1), now):
            reapply.reapply(tombstone, now)  # after a restore: the erasures since, again

    made = staff_requests(forms, monkeypatch, every_command)
    assert {action for action, _, _ in made} >= {
        "dynamodb:Query",
        "dynamodb:Scan",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
        "dynamodb:PutItem",
        "dynamodb:DeleteItem",
        "ses:SendRawEmail",
        "ses:GetSendQuota",
        "sqs:GetQueueAttributes",
    }
    assert refused(made, "StaffToolsPolicy") == []


STAFF_MUST_NOT = {
    "rewrite an expiry time": (
        "UpdateItem",
        {"Key": {"pk": "SUBJECT#a", "sk": "ENQUIRY#x"}, "UpdateExpression": "SET expires_at = :later"},
    ),
    "back-date a receipt": (
        "UpdateItem",
        {
            "Key": {"pk": "ERASURE_RECEIPT", "sk": "ERA-X"},
            "UpdateExpression": "SET #r = :v",
            "ExpressionAttributeNames": {"#r": "requested_at"},
        },
    ),
    "rewrite an audit entry": (
        "UpdateItem",
        {"Key": {"pk": "EXPIRY_AUDIT#2026-11", "sk": "x"}, "UpdateExpression": "SET lag_seconds = :v"},
    ),
    "write personal data": (
        "PutItem",
        {"Item": {"pk": "SUBJECT#a", "sk": "ENQUIRY#new", "status": "open", "email": "a@example.com"}},
    ),
    "write an audit entry": (
        "PutItem",
        {"Item": {"pk": "EXPIRY_AUDIT#2026-11", "sk": "x", "kind": "expiry_audit"}},
    ),
    "scan everything": ("Scan", {}),
    "scan names out": (
        "Scan",
        {
            "Select": "SPECIFIC_ATTRIBUTES",
            "ProjectionExpression": "pk, sk, #n",
            "ExpressionAttributeNames": {"#n": "name"},
        },
    ),
    # jtec erase and jtec subscribers remove delete in people's partitions; nothing else is deleted.
    "delete a receipt": ("DeleteItem", {"Key": {"pk": "ERASURE_RECEIPT", "sk": "ERA-X"}}),
    "delete an audit entry": ("DeleteItem", {"Key": {"pk": "EXPIRY_AUDIT#2026-11", "sk": "x"}}),
}


@pytest.mark.parametrize("what", sorted(STAFF_MUST_NOT))
def test_the_staff_policy_refuses_what_no_command_does(what):
    operation, parameters = STAFF_MUST_NOT[what]
    request = iam_model.requests("dynamodb", operation, parameters)
    assert len(refused(request, "StaffToolsPolicy")) == 1


def test_the_digest_reads_a_data_requests_dates_never_the_persons_details():
    key = {"pk": {"S": "SUBJECT#abc"}, "sk": {"S": "ENQUIRY#2026-12-01T00:00:00+00:00#ENQ-1"}}
    names = {"#r": "reference", "#d": "due"}
    dates = iam_model.requests(
        "dynamodb",
        "GetItem",
        {"Key": key, "ProjectionExpression": "#r, #d", "ExpressionAttributeNames": names},
    )
    everything = iam_model.requests("dynamodb", "GetItem", {"Key": key})
    details = iam_model.requests(
        "dynamodb",
        "GetItem",
        {"Key": key, "ProjectionExpression": "#e", "ExpressionAttributeNames": {"#e": "email"}},
    )
    assert refused(dates, "DigestFunction") == []
    assert len(refused(everything, "DigestFunction")) == 1
    assert len(refused(details, "DigestFunction")) == 1


def test_the_digest_is_scheduled_at_the_hour_it_counts_from():
    from jtec_forms import digest

    schedule = read_template()["Resources"]["DigestFunction"]["Properties"]["Events"]["WorkingDaysAtEight"]
    assert schedule["Properties"]["ScheduleExpression"] == f"cron(0 {digest.SENT_AT.hour} ? * MON-FRI *)"
    assert schedule["Properties"]["ScheduleExpressionTimezone"] == "Europe/London"


def test_every_call_jtec_audit_makes_is_allowed_by_the_auditor_policy_and_nothing_more(
    forms, monkeypatch, tmp_path
):
    from jtec_staff import audit, queries

    someone_with_everything(forms)

    def the_audit(table):
        now = queries.utc_now()
        audit.gather(table, now, now - datetime.timedelta(days=365), [], None)

    made = staff_requests(forms, monkeypatch, the_audit)
    assert {action for action, _, _ in made} == {"dynamodb:Scan"}
    assert refused(made, "AuditorPolicy") == []
    allowed = statements("AuditorPolicy")[0]["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]
    assert sorted(allowed) == sorted(audit.AUDIT_FIELDS)
    assert not {"name", "email", "phone", "message"} & set(allowed)


@pytest.mark.parametrize(
    "what", ["scan everything", "scan names out", "write personal data", "delete a receipt"]
)
def test_the_auditor_policy_refuses_anything_else(what):
    operation, parameters = STAFF_MUST_NOT[what]
    assert len(refused(iam_model.requests("dynamodb", operation, parameters), "AuditorPolicy")) == 1
