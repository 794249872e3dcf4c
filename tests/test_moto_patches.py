"""The local stack's two patches to moto (local/moto_patches.py) keep DynamoDB's answers: queries find
the same items in the same order, and a refused transaction changes nothing."""

import pytest
from boto3.dynamodb.conditions import Key

from tests.forms_support import items, resource_table

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
