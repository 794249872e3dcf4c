"""Least privilege, from the template: each function's role allows only what its code calls.

`tests/data/function_permissions.yaml` lists, per function, the AWS actions its code calls and those
AWS itself takes with the function's role. The tests drive every route of every function (mail failing
too, so the paths that take work back are covered) against the embedded AWS, record each call the
code makes, and hold the list to those calls and the template to the list."""

import botocore.client
import pytest
import yaml

from jtec_forms import config, mailer
from local.site_builder import PROJECT_DIR
from local.stack import read_template
from tests.forms_support import invoke, person
from tests.test_forms_subscription import newsletter_form
from tests.test_forms_your_data import ask_to_erase, token_from

PERMISSIONS = yaml.safe_load((PROJECT_DIR / "tests" / "data" / "function_permissions.yaml").read_text())
SECRET_PARAMETER = "/jtec/forms/app-secret"
# A transaction is authorised item by item, each as the write it makes.
TRANSACTION_STEPS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def iam_actions(service, operation, parameters):
    if operation == "TransactWriteItems":
        return {
            f"dynamodb:{TRANSACTION_STEPS[step]}" for item in parameters["TransactItems"] for step in item
        }
    return {f"{service}:{operation}"}


@pytest.fixture
def calls(forms, monkeypatch):
    """Every AWS action the code calls while the test runs, the secret read from SSM as in AWS."""
    import boto3

    boto3.client("ssm").put_parameter(
        Name=SECRET_PARAMETER, Value="s" * 64, Type="SecureString", Overwrite=True
    )
    monkeypatch.setenv("APP_SECRET_PARAMETER", SECRET_PARAMETER)
    config.secret.cache_clear()
    made = set()
    real_call = botocore.client.BaseClient._make_api_call

    def recording(client, operation, parameters):
        made.update(iam_actions(client.meta.service_model.signing_name, operation, parameters))
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
    assert invoke("/api/unsubscribe", {"token": unsubscribe})[0] == 200
    mail_fails(monkeypatch)
    invoke("/api/subscribe", newsletter_form())


def your_data_journeys(base_url, monkeypatch):
    details = person(opt_in=True)
    invoke("/api/enquiry", details)
    status, _, _ = invoke("/api/access", {"email": details["email"]})
    assert status == 202
    assert (
        invoke("/api/access/confirm", {"token": token_from(base_url, details["email"], "/your-data/see/")})[0]
        == 200
    )
    token = ask_to_erase(base_url, details["email"])
    assert invoke("/api/erasure/confirm", {"token": token})[0] == 200
    mail_fails(monkeypatch)
    invoke("/api/erasure", {"email": "someone.else@example.com"})


def expiry_audit_journeys(base_url, monkeypatch):
    from local.sweeper import audit

    audit([{"pk": "SUBJECT#abc", "sk": "ENQUIRY#2026-01-01T00:00:00Z#1"}], deleted_at=1_800_000_000)


JOURNEYS = {
    "EnquiryFunction": enquiry_journeys,
    "SubscriptionFunction": subscription_journeys,
    "YourDataFunction": your_data_journeys,
    "ExpiryAuditFunction": expiry_audit_journeys,
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
def test_each_role_allows_only_what_the_list_says_the_function_needs(function):
    needed = set(PERMISSIONS[function]["code"]) | set(PERMISSIONS[function].get("service", {}))
    assert allowed(function) <= needed
    assert not [action for action in allowed(function) if "*" in action]


def test_every_function_in_the_template_is_in_the_list():
    functions = {
        name
        for name, resource in read_template()["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }
    assert functions == set(PERMISSIONS)
