"""Emptying the embedded AWS (local/stack.py `empty`, before each forms test) puts moto back exactly as a
reset and the resources made through the API leave it (local/moto_snapshot.py), whatever was done in it."""

import functools

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from local import moto_snapshot
from local.stack import REGION
from tests.conftest import LOCAL_AWS
from tests.support import examples

pytestmark = pytest.mark.aws


@functools.cache
def client(service):
    return boto3.client(service)


def what_the_embedded_aws_holds():
    """Everything a test could have changed, as the API shows it. What AWS makes up at each creation (the
    time, the stream's label, the KMS key's id) is left out; that the table's key is a key KMS has is not."""
    aws = LOCAL_AWS[0]
    dynamodb, ses, sqs = (client(service) for service in ("dynamodb", "ses", "sqs"))
    kms_keys = [key["KeyArn"] for key in client("kms").list_keys()["Keys"]]
    tables = {}
    for name in dynamodb.list_tables()["TableNames"]:
        description = dynamodb.describe_table(TableName=name)["Table"]
        for made_up in ("CreationDateTime", "LatestStreamArn", "LatestStreamLabel"):
            description.pop(made_up, None)
        if "SSEDescription" in description:
            key = description["SSEDescription"].pop("KMSMasterKeyArn")
            description["SSEDescription"]["key known to KMS"] = key in kms_keys
        tables[name] = {
            "description": description,
            "ttl": dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"],
            "items": dynamodb.scan(TableName=name)["Items"],
        }
    queues = {
        url: sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        for url in sqs.list_queues().get("QueueUrls", [])
    }
    return {
        "tables": tables,
        "identities": sorted(ses.list_identities()["Identities"]),
        "sent": ses.get_send_quota()["SentLast24Hours"],
        "queues": queues,
        "parameters": client("ssm").describe_parameters()["Parameters"],
        "kms_keys": len(kms_keys),
        "failure_queue": aws.failure_queue_url,
    }


def made_through_the_api():
    aws = LOCAL_AWS[0]
    aws.reset()
    aws.create_resources()
    return what_the_embedded_aws_holds()


# What a test may do to the embedded AWS, each with the argument it is given.
def write_item(number):
    client("dynamodb").put_item(
        TableName=LOCAL_AWS[0].table_name, Item={"pk": {"S": f"P#{number}"}, "sk": {"S": "S"}}
    )


def send_mail(number):
    client("ses").send_email(
        Source="forms@jtec.invalid",
        Destination={"ToAddresses": [f"someone{number}@example.org"]},
        Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "Hello"}}},
    )


def queue_message(number):
    client("sqs").send_message(QueueUrl=LOCAL_AWS[0].failure_queue_url, MessageBody=str(number))


def make_table(number):
    client("dynamodb").create_table(
        TableName=f"other-{number}",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def put_parameter(number):
    client("ssm").put_parameter(Name=f"/jtec/{number}", Value="secret", Type="SecureString", Overwrite=True)


def switch_off_ttl(_):
    client("dynamodb").update_time_to_live(
        TableName=LOCAL_AWS[0].table_name,
        TimeToLiveSpecification={"AttributeName": LOCAL_AWS[0].ttl_attribute, "Enabled": False},
    )


def verify_sender(number):
    client("ses").verify_email_identity(EmailAddress=f"sender{number}@jtec.invalid")


def delete_the_table(_):
    client("dynamodb").delete_table(TableName=LOCAL_AWS[0].table_name)


CHANGES = [write_item, send_mail, queue_message, make_table, put_parameter, switch_off_ttl, verify_sender]


def test_emptying_restores_from_the_snapshot_what_the_api_made(forms):
    fresh = made_through_the_api()
    LOCAL_AWS[0].empty()
    assert LOCAL_AWS[0].restored_from_snapshot
    assert what_the_embedded_aws_holds() == fresh
    assert list(fresh["tables"]) == [LOCAL_AWS[0].table_name]
    assert fresh["identities"] == ["forms@jtec.invalid"]


@settings(
    max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from([*CHANGES, delete_the_table]), st.integers(0, 3)), min_size=1, max_size=6
    )
)
def test_whatever_a_test_did_emptying_leaves_what_the_api_made(forms, changes):
    fresh = made_through_the_api()
    for change, number in changes:
        try:
            change(number)
        except ClientError as error:  # the table was deleted, or the other table made, by an earlier change
            assert error.response["Error"]["Code"] in (
                "ResourceNotFound",
                "ResourceNotFoundException",
                "ResourceInUseException",
            )
    LOCAL_AWS[0].empty()
    assert what_the_embedded_aws_holds() == fresh


def test_what_is_written_after_one_emptying_never_reaches_the_next(forms):
    fresh = what_the_embedded_aws_holds()
    for round in range(3):
        for change in CHANGES:
            change(round)
        assert what_the_embedded_aws_holds() != fresh
        LOCAL_AWS[0].empty()
        assert what_the_embedded_aws_holds() == fresh


def failure_queues():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sqs.models import sqs_backends

    return list(sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues.values())


def test_each_restore_makes_its_own_copy_with_locks_of_its_own(forms):
    """moto's SQS queue guards its messages with a lock (a Condition): pickle refuses locks, so a snapshot
    records each as a new one."""
    snapshot = moto_snapshot.take()
    queues = []
    for _ in range(2):
        moto_snapshot.restore(snapshot)
        [queue] = failure_queues()
        queues.append(queue)
    first, second = queues
    assert first is not second
    assert first.name == second.name == LOCAL_AWS[0].failure_queue_url.rsplit("/", 1)[1]
    with first._messages_lock:
        assert second._messages_lock.acquire(blocking=False)
        second._messages_lock.release()


def test_a_backend_pickle_cannot_hold_gives_no_snapshot(forms):
    [queue] = failure_queues()
    queue.callback = lambda: None
    try:
        assert moto_snapshot.take() is None
    finally:
        del queue.callback


def test_without_a_snapshot_emptying_makes_the_resources_through_the_api(forms, monkeypatch):
    fresh = what_the_embedded_aws_holds()
    aws = LOCAL_AWS[0]
    monkeypatch.setattr(moto_snapshot, "take", lambda: None)
    monkeypatch.setattr(aws, "_made", None)
    for round in range(2):
        write_item(round)
        aws.empty()
        assert not aws.restored_from_snapshot
        assert what_the_embedded_aws_holds() == fresh
