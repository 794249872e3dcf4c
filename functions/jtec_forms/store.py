"""The DynamoDB table: one partition per data subject. Reads hide items whose `expires_at` has passed.

The boto3 resource is created on first use, so importing a handler stays cheap.
"""

import functools

from jtec_forms import config

TTL_ATTRIBUTE = "expires_at"
SUBSCRIPTION = "SUBSCRIPTION"


class StoreUnavailable(Exception):
    """DynamoDB did not answer or refused for a reason that is not the client's fault."""


class LinkAlreadyUsed(Exception):
    """A single-use link was used before."""


class NothingPending(Exception):
    """There is no pending subscription to confirm (it expired, or was confirmed or removed)."""


@functools.cache
def table():
    import boto3

    return boto3.resource("dynamodb").Table(config.table_name())


@functools.cache
def low_level_client():
    """A plain DynamoDB client (typed attribute values), for libraries that build their own requests."""
    import boto3

    return boto3.client("dynamodb")


def _errors():
    from botocore.exceptions import BotoCoreError, ClientError

    return BotoCoreError, ClientError


def _call(operation, *args, **kwargs):
    """Run a DynamoDB call; anything that goes wrong becomes StoreUnavailable (a 503 for the client)."""
    boto_error, client_error = _errors()
    try:
        return operation(*args, **kwargs)
    except (boto_error, client_error) as error:
        raise StoreUnavailable(type(error).__name__) from error


def visible(item, now):
    """True while the item has not expired: data is invisible the moment its TTL passes."""
    expires_at = item.get(TTL_ATTRIBUTE)
    return expires_at is None or int(expires_at) > int(now.timestamp())


def get_subscription(subject_key, now):
    item = _call(table().get_item, Key={"pk": subject_key, "sk": SUBSCRIPTION}, ConsistentRead=True).get(
        "Item"
    )
    return item if item and visible(item, now) else None


def subject_items(subject_key, now):
    """Everything held about one person (one Query), without expired items."""
    from boto3.dynamodb.conditions import Key

    items, start = [], {}
    while True:
        page = _call(
            table().query, KeyConditionExpression=Key("pk").eq(subject_key), ConsistentRead=True, **start
        )
        items += [item for item in page["Items"] if visible(item, now)]
        if "LastEvaluatedKey" not in page:
            return items
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def put_all(items):
    """Write items all together or not at all."""
    client = table().meta.client
    _call(
        client.transact_write_items,
        TransactItems=[{"Put": {"TableName": table().name, "Item": item}} for item in items],
    )


def delete_all(keys):
    client = table().meta.client
    _call(
        client.transact_write_items,
        TransactItems=[{"Delete": {"TableName": table().name, "Key": key}} for key in keys],
    )


def count_hit(pk, sk, expires_at):
    """Add one to a counter item and return the new count."""
    response = _call(
        table().update_item,
        Key={"pk": pk, "sk": sk},
        UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires)",
        ExpressionAttributeValues={":one": 1, ":expires": expires_at},
        ReturnValues="UPDATED_NEW",
    )
    return int(response["Attributes"]["hits"])


def _ledger_put(subject_key, nonce, ledger_expires_at):
    return {
        "Put": {
            "TableName": table().name,
            "Item": {
                "pk": subject_key,
                "sk": f"USED_LINK#{nonce}",
                "kind": "used_link",
                "expires_at": ledger_expires_at,
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _use_link(subject_key, nonce, ledger_expires_at, operation):
    """Record the link as used and apply `operation` in one transaction; report why it failed."""
    boto_error, client_error = _errors()
    client = table().meta.client
    try:
        client.transact_write_items(
            TransactItems=[_ledger_put(subject_key, nonce, ledger_expires_at), operation]
        )
    except client_error as error:
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        if reasons and reasons[0] == "ConditionalCheckFailed":
            raise LinkAlreadyUsed() from None
        if len(reasons) > 1 and reasons[1] == "ConditionalCheckFailed":
            raise NothingPending() from None
        raise StoreUnavailable(error.response.get("Error", {}).get("Code", "ClientError")) from error
    except boto_error as error:
        raise StoreUnavailable(type(error).__name__) from error


def activate_subscription(subject_key, nonce, ledger_expires_at, confirmed_at, now):
    """Use the confirmation link once and make the pending subscription active (no TTL any more)."""
    _use_link(
        subject_key,
        nonce,
        ledger_expires_at,
        {
            "Update": {
                "TableName": table().name,
                "Key": {"pk": subject_key, "sk": SUBSCRIPTION},
                "UpdateExpression": "SET #status = :active, consent.confirmed_at = :confirmed REMOVE expires_at",
                "ConditionExpression": "#status = :pending AND expires_at > :now",
                "ExpressionAttributeNames": {"#status": "status"},
                "ExpressionAttributeValues": {
                    ":active": "active",
                    ":pending": "pending",
                    ":confirmed": confirmed_at,
                    ":now": int(now.timestamp()),
                },
            }
        },
    )


def remove_subscription(subject_key, nonce, ledger_expires_at):
    """Use the unsubscribe link once and delete the subscription, whatever its state."""
    _use_link(
        subject_key,
        nonce,
        ledger_expires_at,
        {"Delete": {"TableName": table().name, "Key": {"pk": subject_key, "sk": SUBSCRIPTION}}},
    )
