"""The local stack's patches to moto (local/moto_patches.py) keep DynamoDB's answers: queries on the
table and on its index find the same items in the same order after any writes, and a refused
transaction changes nothing."""

import uuid

import pytest
from boto3.dynamodb.conditions import Attr, Key
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.forms_support import items, resource_table
from tests.support import examples

pytestmark = pytest.mark.aws


@pytest.fixture
def table(forms):
    table = resource_table()
    with table.batch_writer() as batch:
        for pk in ("SUBJECT#a", "SUBJECT#b"):
            for number in range(30):
                batch.put_item(Item={"pk": pk, "sk": f"ITEM#{number:02d}", "kind": "used_link"})
    return table


def test_a_query_reads_only_its_partition_in_key_order(table):
    page = table.query(KeyConditionExpression=Key("pk").eq("SUBJECT#a"))
    assert [item["sk"] for item in page["Items"]] == [f"ITEM#{number:02d}" for number in range(30)]
    assert page["ScannedCount"] == 30


def test_a_query_pages_backwards_and_by_range(table):
    first = table.query(KeyConditionExpression=Key("pk").eq("SUBJECT#b"), ScanIndexForward=False, Limit=10)
    assert [item["sk"] for item in first["Items"]] == [f"ITEM#{number:02d}" for number in range(29, 19, -1)]
    rest = table.query(
        KeyConditionExpression=Key("pk").eq("SUBJECT#b") & Key("sk").lt("ITEM#05"),
        ExclusiveStartKey={"pk": "SUBJECT#b", "sk": "ITEM#03"},
    )
    assert [item["sk"] for item in rest["Items"]] == ["ITEM#04"]


def test_a_refused_transaction_restores_what_it_touched_and_nothing_else(table):
    before = items()
    client = table.meta.client
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(
            TransactItems=[
                {"Delete": {"TableName": table.name, "Key": {"pk": "SUBJECT#a", "sk": "ITEM#00"}}},
                {"Put": {"TableName": table.name, "Item": {"pk": "SUBJECT#a", "sk": "NEW"}}},
                {
                    "Put": {
                        "TableName": table.name,
                        "Item": {"pk": "SUBJECT#a", "sk": "ITEM#01"},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    assert sorted(items(), key=lambda item: (item["pk"], item["sk"])) == sorted(
        before, key=lambda item: (item["pk"], item["sk"])
    )


INDEX = "open-enquiries"
# Writes to a few keys, each putting an item in or out of one of two index partitions.
writes = st.lists(
    st.tuples(
        st.sampled_from(["put", "update_in", "update_out", "delete", "transaction", "refused_transaction"]),
        st.integers(0, 5),  # which item
        st.integers(0, 1),  # which index partition
    ),
    max_size=12,
)


def _write(table, prefix, operation, number, partition):
    key = {"pk": f"{prefix}#{number % 3}", "sk": f"ITEM#{number}"}
    open_pk, open_sk = f"{prefix}#OPEN#{partition}", f"2026-01-0{number + 1}#{number}"
    client = table.meta.client
    if operation == "put":
        table.put_item(Item={**key, "open_pk": open_pk, "open_sk": open_sk})
    elif operation == "update_in":
        table.update_item(
            Key=key,
            UpdateExpression="SET open_pk = :p, open_sk = :s",
            ExpressionAttributeValues={":p": open_pk, ":s": open_sk},
        )
    elif operation == "update_out":
        table.update_item(Key=key, UpdateExpression="REMOVE open_pk, open_sk")
    elif operation == "delete":
        table.delete_item(Key=key)
    else:
        refused = operation == "refused_transaction"
        steps = [
            {"Put": {"TableName": table.name, "Item": {**key, "open_pk": open_pk, "open_sk": open_sk}}},
            {
                "ConditionCheck": {
                    "TableName": table.name,
                    "Key": {"pk": f"{prefix}#none", "sk": "NONE"},
                    "ConditionExpression": "attribute_exists(pk)" if refused else "attribute_not_exists(pk)",
                }
            },
        ]
        try:
            client.transact_write_items(TransactItems=steps)
        except client.exceptions.TransactionCanceledException:
            assert refused


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes)
def test_an_index_query_finds_what_a_scan_finds_after_any_writes(forms, operations):
    table = resource_table()
    prefix = "T" + uuid.uuid4().hex[:8]
    table.query(IndexName=INDEX, KeyConditionExpression=Key("open_pk").eq(f"{prefix}#OPEN#0"))  # built empty
    for operation in operations:
        _write(table, prefix, operation[0], operation[1], operation[2])
    for partition in (0, 1):
        open_pk = f"{prefix}#OPEN#{partition}"
        found = table.query(IndexName=INDEX, KeyConditionExpression=Key("open_pk").eq(open_pk))["Items"]
        truth = table.scan(FilterExpression=Attr("open_pk").eq(open_pk))["Items"]
        assert [item["sk"] for item in found] == [
            item["sk"] for item in sorted(truth, key=lambda item: (item["open_sk"], item["pk"], item["sk"]))
        ]


def test_an_index_query_reads_only_its_partition(forms):
    from jtec_forms import config
    from local import moto_patches

    table = resource_table()
    with table.batch_writer() as batch:
        for number in range(300):
            batch.put_item(
                Item={
                    "pk": f"P#{number}",
                    "sk": "S",
                    **({"open_pk": "OPEN", "open_sk": str(number)} if number < 3 else {}),
                }
            )
    seen = []
    real = moto_patches._original_all_items
    moto_patches._original_all_items = lambda table: seen.append(table.name) or real(table)
    try:
        page = table.query(IndexName=INDEX, KeyConditionExpression=Key("open_pk").eq("OPEN"))
        again = table.query(IndexName=INDEX, KeyConditionExpression=Key("open_pk").eq("OPEN"))
    finally:
        moto_patches._original_all_items = real
    assert (
        [item["pk"] for item in page["Items"]]
        == ["P#0", "P#1", "P#2"]
        == [item["pk"] for item in again["Items"]]
    )
    assert seen.count(config.table_name()) <= 1  # at most once, to build the index's partitions


def test_the_local_ses_paces_as_a_new_production_account(forms):
    import boto3

    from local import moto_patches

    assert boto3.client("ses").get_send_quota()["MaxSendRate"] == moto_patches.SES_SEND_RATE == 14


def test_an_encrypted_table_made_again_after_a_reset_reuses_the_rsa_key(forms):
    """moto makes a KMS key for the encrypted table; the RSA key in it (20-200 ms to generate) is made once
    per process, and an emptied embedded AWS still has the table's key."""
    import boto3
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.kms.models import kms_backends

    from tests.conftest import LOCAL_AWS

    def private_key():
        [key] = kms_backends[DEFAULT_ACCOUNT_ID]["eu-west-2"].keys.values()
        return key.private_key.private_key

    first = private_key()
    LOCAL_AWS[0].empty()
    assert private_key() is first
    table = resource_table()
    assert table.table_status == "ACTIVE"
    key = boto3.client("kms").describe_key(KeyId=table.sse_description["KMSMasterKeyArn"])["KeyMetadata"]
    assert key["KeyState"] == "Enabled"


def test_a_call_from_this_process_is_answered_here_with_what_the_server_answers_others(forms):
    """The embedded AWS answers this process's calls without a connection (local/aws_in_process.py); what
    they store is what its HTTP server shows other processes (here, through a plain HTTP request)."""
    import json
    import socket
    import urllib.request

    from local import aws_in_process

    table = resource_table()
    connections = []
    real_connect = socket.socket.connect

    def counting(sock, address):
        connections.append(address)
        return real_connect(sock, address)

    socket.socket.connect = counting
    try:
        table.put_item(Item={"pk": "SUBJECT#here", "sk": "ITEM#1", "kind": "used_link"})
        assert table.get_item(Key={"pk": "SUBJECT#here", "sk": "ITEM#1"})["Item"]["kind"] == "used_link"
    finally:
        socket.socket.connect = real_connect
    assert connections == []
    [endpoint] = aws_in_process._ENDPOINTS
    request = urllib.request.Request(
        endpoint,
        data=json.dumps(
            {"TableName": table.name, "Key": {"pk": {"S": "SUBJECT#here"}, "sk": {"S": "ITEM#1"}}}
        ).encode(),
        headers={
            "X-Amz-Target": "DynamoDB_20120810.GetItem",
            "Content-Type": "application/x-amz-json-1.0",
            "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20261201/eu-west-2/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=0",
        },
    )
    with urllib.request.urlopen(request) as answer:
        assert json.load(answer)["Item"]["kind"] == {"S": "used_link"}


def sent_headers(endpoint, answer=None):
    """The headers of a DescribeTable boto3 sends to `endpoint` (answered by `answer` when given)."""
    import contextlib

    import boto3
    from botocore.exceptions import ClientError

    seen = {}

    def capture(request, **_):
        seen.update(request.headers)
        return answer

    client = boto3.client("dynamodb", endpoint_url=endpoint)
    client.meta.events.register_first("before-send", capture)
    with contextlib.suppress(ClientError):  # the answer given elsewhere is an error
        client.describe_table(TableName="jtec-local")
    return {name: value.decode() if isinstance(value, bytes) else value for name, value in seen.items()}


def test_a_call_answered_here_has_sigv4s_headers_but_no_computed_signature(forms):
    """Nothing checks the signature of a call that never leaves this process; moto reads the region and
    the account from the credential scope, which is written as SigV4 writes it."""
    import re

    from local import aws_in_process

    [endpoint] = aws_in_process._ENDPOINTS
    here = sent_headers(endpoint)
    assert re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=testing/\d{8}/eu-west-2/dynamodb/aws4_request, "
        r"SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=" + aws_in_process.UNCHECKED_SIGNATURE,
        here["Authorization"],
    )
    assert re.fullmatch(r"\d{8}T\d{6}Z", here["X-Amz-Date"])
    assert here["X-Amz-Security-Token"] == "testing"


def test_a_call_to_any_other_address_is_signed_as_botocore_signs_it(forms):
    from botocore.awsrequest import AWSResponse

    from local import aws_in_process

    class NoBody:
        def stream(self, **_):
            return iter([b"{}"])

    elsewhere = sent_headers(
        "http://127.0.0.1:9", answer=AWSResponse("http://127.0.0.1:9", 400, {}, NoBody())
    )
    signature = elsewhere["Authorization"].rsplit("Signature=", 1)[1]
    assert len(signature) == 64 and signature != aws_in_process.UNCHECKED_SIGNATURE


_names = st.text(min_size=1, max_size=8)
_scalars = st.one_of(
    st.builds(lambda text: {"S": text}, st.text(max_size=20)),
    st.builds(
        lambda number: {"N": str(number)}, st.integers() | st.decimals(allow_nan=False, allow_infinity=False)
    ),
    st.builds(lambda flag: {"BOOL": flag}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(
        lambda texts: {"SS": sorted(texts)}, st.sets(st.text(min_size=1, max_size=5), min_size=1, max_size=3)
    ),
    st.builds(lambda numbers: {"NS": [str(n) for n in sorted(numbers)]}, st.sets(st.integers(), min_size=1)),
    st.builds(
        lambda data: {"B": data}, st.binary(max_size=10)
    ),  # not in wire form here: moto's walk writes it
)
_attribute_values = st.recursive(
    _scalars,
    lambda inner: (
        st.builds(lambda values: {"L": values}, st.lists(inner, max_size=3))
        | st.builds(lambda values: {"M": values}, st.dictionaries(_names, inner, max_size=3))
    ),
    max_leaves=12,
)


@settings(max_examples=examples(200))
@given(item=st.dictionaries(_names, _attribute_values, max_size=6))
def test_an_item_is_written_to_the_wire_as_motos_own_serializer_writes_it(item):
    from moto.core import serialize
    from moto.core.utils import get_service_model

    from local import moto_patches

    get_item = get_service_model("dynamodb").operation_model("GetItem")

    def written(structure_writer):
        original = serialize.BaseJSONSerializer._serialize_type_structure
        serialize.BaseJSONSerializer._serialize_type_structure = structure_writer
        try:
            writer = serialize.JSONSerializer(get_item, value_picker=serialize.XFormedAttributePicker())
            return writer.serialize({"Item": item})["body"]
        finally:
            serialize.BaseJSONSerializer._serialize_type_structure = original

    assert written(moto_patches._json_structure) == written(moto_patches._original_json_structure)


COUNTED = "ADD hits :n SET kind = if_not_exists(kind, :kind), note = :note"


@settings(
    max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(-3, 3), st.text(max_size=5)), max_size=12))
def test_an_update_expression_used_again_applies_each_time_to_its_own_item_and_values(forms, updates):
    table = resource_table()
    prefix = "U" + uuid.uuid4().hex[:8]
    expected = {}
    for key, number, last in updates:
        table.update_item(
            Key={"pk": f"{prefix}#{key}", "sk": "COUNT"},
            UpdateExpression=COUNTED,
            ExpressionAttributeValues={":n": number, ":kind": f"first-{number}", ":note": last},
        )
        hits, kind, _ = expected.get(key, (0, f"first-{number}", None))
        expected[key] = (hits + number, kind, last)
    for key, (hits, kind, last) in expected.items():
        item = table.get_item(Key={"pk": f"{prefix}#{key}", "sk": "COUNT"})["Item"]
        assert (item["hits"], item["kind"], item["note"]) == (hits, kind, last)


def test_an_invalid_update_expression_is_refused_each_time_with_motos_own_message(forms):
    from botocore.exceptions import ClientError

    table = resource_table()
    messages = []
    for _ in range(2):
        with pytest.raises(ClientError) as refused:
            table.update_item(
                Key={"pk": "INVALID", "sk": "UPDATE"},
                UpdateExpression="SET a = b + :one",  # b is not in the item
                ExpressionAttributeValues={":one": 1},
            )
        messages.append(refused.value.response["Error"])
    assert messages[0] == messages[1]
    assert messages[0]["Code"] == "ValidationException"
    assert "does not exist" in messages[0]["Message"]
    assert "Item" not in table.get_item(Key={"pk": "INVALID", "sk": "UPDATE"})


def test_the_model_list_keeps_no_item_or_stream_record_and_still_lists_the_mail_sent(forms):
    """moto's `/moto-api/data.json` lists what moto keeps of every model: items and stream records, kept
    there as well as in the table until a reset, made the local server's memory grow with every write."""
    import json
    import urllib.request

    from tests.conftest import LOCAL_AWS

    aws = LOCAL_AWS[0]
    table = resource_table()
    for _ in range(20):
        table.update_item(
            Key={"pk": "TRACKED#one", "sk": "ITEM"},
            UpdateExpression="ADD hits :one",
            ExpressionAttributeValues={":one": 1},
        )
    aws.clients["ses"].send_raw_email(
        Source="forms@jtec.invalid",
        Destinations=["someone@example.com"],
        RawMessage={
            "Data": b"From: forms@jtec.invalid\r\nTo: someone@example.com\r\nSubject: Hi\r\n\r\nHello"
        },
    )
    with urllib.request.urlopen(aws.endpoint + "/moto-api/data.json") as answer:
        models = json.load(answer)
    assert models["dynamodb"].get("Item", []) == [] and models["dynamodb"].get("StreamRecord", []) == []
    assert len(models["dynamodb"]["Table"]) == 1
    assert ["Subject: Hi" in message["raw_data"] for message in models["ses"]["RawMessage"]] == [True]
    assert table.get_item(Key={"pk": "TRACKED#one", "sk": "ITEM"})["Item"]["hits"] == 20
