"""The DynamoDB table: one partition per data subject. Reads hide items whose `expires_at` has passed.

The boto3 resource is created on first use, so importing a handler stays cheap.
"""

import functools

from jtec_forms import config, retention

TTL_ATTRIBUTE = "expires_at"
SUBSCRIPTION = retention.ACTIVE_SUBSCRIPTION.sort_key


class StoreUnavailable(Exception):
    """DynamoDB did not answer or refused for a reason that is not the client's fault."""


class LinkAlreadyUsed(Exception):
    """A single-use link was used before."""


class ItemChanged(Exception):
    """The item changed between reading it and writing what was decided from it."""


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


def link_used(subject_key, nonce):
    """True once the link with this nonce has been used (its ledger entry outlives the link)."""
    key = {"pk": subject_key, "sk": retention.USED_LINK.sort_key + nonce}
    return "Item" in _call(table().get_item, Key=key, ConsistentRead=True)


def _use_link(subject_key, nonce, now):
    """The ledger entry that makes a link single-use: written only if the nonce was never recorded."""
    return {
        "Put": {
            "TableName": table().name,
            "Item": {
                "pk": subject_key,
                "sk": retention.USED_LINK.sort_key + nonce,
                "kind": retention.USED_LINK.kind,
                TTL_ATTRIBUTE: retention.epoch_seconds(retention.USED_LINK.expires_at(now)),
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


# What a refused condition in a named step of a transaction means.
REFUSALS = {"link": LinkAlreadyUsed, "item": ItemChanged}


def _transact(steps):
    """Run named steps (name, TransactItem) as one transaction. When a condition refuses it, raise the
    exception named for the step that refused (REFUSALS), not by the position of a reason."""
    boto_error, client_error = _errors()
    try:
        table().meta.client.transact_write_items(TransactItems=[step for _, step in steps])
    except client_error as error:
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        for (name, _), code in zip(steps, reasons, strict=False):
            if code == "ConditionalCheckFailed":
                raise REFUSALS[name]() from None
        raise StoreUnavailable(error.response.get("Error", {}).get("Code", "ClientError")) from error
    except boto_error as error:
        raise StoreUnavailable(type(error).__name__) from error


def replace_using_link(subject_key, nonce, now, previous, item):
    """Use a link once and, in the same transaction, replace `previous` with `item`, provided the stored
    item is still `previous` (same status and expiry): what was decided from it still holds."""
    condition = "#status = :status AND " + (
        f"{TTL_ATTRIBUTE} = :expires"
        if TTL_ATTRIBUTE in previous
        else f"attribute_not_exists({TTL_ATTRIBUTE})"
    )
    values = {":status": previous["status"]}
    if TTL_ATTRIBUTE in previous:
        values[":expires"] = previous[TTL_ATTRIBUTE]
    put = {
        "Put": {
            "TableName": table().name,
            "Item": item,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
    }
    _transact([("link", _use_link(subject_key, nonce, now)), ("item", put)])


def delete_using_link(subject_key, nonce, now, key):
    """Use a link once and delete the item at `key` (whatever it holds, if anything), together."""
    delete = {"Delete": {"TableName": table().name, "Key": key}}
    _transact([("link", _use_link(subject_key, nonce, now)), ("item", delete)])
