"""The DynamoDB table: one partition per data subject. Reads hide items whose `expires_at` has passed.

The boto3 resource is created on first use, so importing a handler stays cheap. A single item is written
with a (conditional) PutItem or UpdateItem; a transaction only where items must change together.
"""

import contextlib
import functools

from jtec_forms import config, retention

TTL_ATTRIBUTE = "expires_at"
SUBSCRIPTION = retention.ACTIVE_SUBSCRIPTION.sort_key


class StoreUnavailable(Exception):
    """DynamoDB did not answer or refused for a reason that is not the client's fault. `saved` is False
    when nothing was written, None when a write may have landed (its answer never came)."""

    def __init__(self, cause, saved=False):
        super().__init__(cause)
        self.saved = saved


class LinkAlreadyUsed(Exception):
    """A single-use link was used before."""


class ItemChanged(Exception):
    """The item changed between reading it and writing what was decided from it."""


class AlreadyExists(Exception):
    """A conditional put found the item there already."""


class Gone(Exception):
    """The item a step works on is no longer there (an erasure deleted it)."""


@functools.cache
def table():
    import boto3

    return boto3.resource("dynamodb", config=config.aws_client_config("dynamodb")).Table(config.table_name())


def _errors():
    from botocore.exceptions import BotoCoreError, ClientError

    return BotoCoreError, ClientError


def _unavailable(error, writes):
    """StoreUnavailable for a failed call: a write whose answer timed out may have landed."""
    from botocore.exceptions import ReadTimeoutError

    response = getattr(error, "response", None) or {}
    cause = response.get("Error", {}).get("Code") or type(error).__name__
    return StoreUnavailable(cause, saved=None if writes and isinstance(error, ReadTimeoutError) else False)


def _call(operation, *args, writes=False, **kwargs):
    """Run a DynamoDB call; anything that goes wrong becomes StoreUnavailable (a 503 for the client)."""
    boto_error, client_error = _errors()
    try:
        return operation(*args, **kwargs)
    except (boto_error, client_error) as error:
        raise _unavailable(error, writes) from error


def _condition_failed(error):
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def visible(item, now):
    """True while the item has not expired: data is invisible the moment its TTL passes."""
    expires_at = item.get(TTL_ATTRIBUTE)
    return expires_at is None or int(expires_at) > int(now.timestamp())


def key_of(item):
    return {"pk": item["pk"], "sk": item["sk"]}


def get(pk, sk, now):
    item = _call(table().get_item, Key={"pk": pk, "sk": sk}, ConsistentRead=True).get("Item")
    return item if item and visible(item, now) else None


def get_subscription(subject_key, now):
    return get(subject_key, SUBSCRIPTION, now)


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


def count_open_enquiries(subject_key, now):
    """How many open, unexpired enquiries one person has (one Query of their partition, counted)."""
    from boto3.dynamodb.conditions import Attr, Key

    count, start = 0, {}
    while True:
        page = _call(
            table().query,
            KeyConditionExpression=Key("pk").eq(subject_key)
            & Key("sk").begins_with(retention.ENQUIRY.sort_key),
            FilterExpression=Attr("status").eq("open") & Attr(TTL_ATTRIBUTE).gt(int(now.timestamp())),
            Select="COUNT",
            ConsistentRead=True,
            **start,
        )
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            return count
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def put(item):
    """Write one item, replacing what was at its key."""
    _call(table().put_item, Item=item, writes=True)


class _Refused(Exception):
    """A conditional write's condition did not hold."""


def _conditional(operation, refused=_Refused, **arguments):
    """Run a conditional write: a condition that does not hold raises `refused`; anything else that goes
    wrong becomes StoreUnavailable."""
    boto_error, client_error = _errors()
    try:
        return operation(**arguments)
    except client_error as error:
        if _condition_failed(error):
            raise refused() from None
        raise _unavailable(error, writes=True) from error
    except boto_error as error:
        raise _unavailable(error, writes=True) from error


def put_refused(item):
    """Send the PutItem of `item` with a condition that cannot hold (its key is new): DynamoDB does the
    same work and keeps nothing. For paths that must cost what another path's write costs."""
    with contextlib.suppress(_Refused):
        _conditional(table().put_item, Item=item, ConditionExpression="attribute_exists(pk)")


def put_new(item, now):
    """Write one item only if nothing visible is at its key (an expired leftover may be replaced)."""
    _conditional(
        table().put_item,
        AlreadyExists,
        Item=item,
        ConditionExpression="attribute_not_exists(pk) OR #ttl <= :now",
        ExpressionAttributeNames={"#ttl": TTL_ATTRIBUTE},
        ExpressionAttributeValues={":now": int(now.timestamp())},
    )


def replace_existing(item):
    """Write one item only if something is at its key (never brings back a deleted item)."""
    _conditional(table().put_item, ItemChanged, Item=item, ConditionExpression="attribute_exists(pk)")


CLAIMED, DONE, BUSY = "claimed", "done", "busy"


def claim(key, step, now, lease_seconds):
    """Take the lease to do `step` for the item at `key` (a mail to send once, say): CLAIMED for the one
    caller that may do it now, DONE once it was done, BUSY while another caller's lease runs. A lease
    whose caller died, or whose answer was lost, runs out and can be taken again."""
    try:
        _conditional(
            table().update_item,
            Key=key,
            UpdateExpression="SET #lease = :until",
            ConditionExpression=(
                "attribute_exists(pk) AND attribute_not_exists(#done) AND (attribute_not_exists(#lease) OR #lease <= :now)"
            ),
            ExpressionAttributeNames={"#lease": f"{step}_lease", "#done": step},
            ExpressionAttributeValues={
                ":until": int(now.timestamp()) + lease_seconds,
                ":now": int(now.timestamp()),
            },
        )
    except _Refused:
        item = _call(table().get_item, Key=key, ConsistentRead=True).get("Item")
        if item is None:
            raise Gone() from None
        return DONE if item.get(step) else BUSY
    return CLAIMED


def finish(key, step):
    """Record that the claimed `step` is done; Gone if the item was deleted meanwhile (never recreates it)."""
    _conditional(
        table().update_item,
        Gone,
        Key=key,
        UpdateExpression="SET #done = :yes REMOVE #lease",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#done": step, "#lease": f"{step}_lease"},
        ExpressionAttributeValues={":yes": True},
    )


def release(key, step):
    """Give up the lease on a step that failed, so a retry does it at once (nothing, if the item is gone)."""
    with contextlib.suppress(Gone):
        _conditional(
            table().update_item,
            Gone,
            Key=key,
            UpdateExpression="REMOVE #lease",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#lease": f"{step}_lease"},
        )


def delete(key):
    _call(table().delete_item, Key=key, writes=True)


def count_hit(pk, sk, expires_at):
    """Add one to a counter item and return the new count."""
    response = _call(
        table().update_item,
        Key={"pk": pk, "sk": sk},
        UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :expires), kind = :kind",
        ExpressionAttributeValues={":one": 1, ":expires": expires_at, ":kind": retention.RATE_LIMIT.kind},
        ReturnValues="UPDATED_NEW",
        writes=True,
    )
    return int(response["Attributes"]["hits"])


def _ledger_key(nonce):
    """Where a link's use is recorded: under the link's own random nonce, outside every person's partition,
    so an erasure never deletes it (it holds no personal data) and a used link stays used."""
    key = retention.USED_LINK.sort_key + nonce
    return {"pk": key, "sk": key}


def link_used(nonce):
    """True once the link with this nonce has been used (its ledger entry outlives the link)."""
    return "Item" in _call(table().get_item, Key=_ledger_key(nonce), ConsistentRead=True)


def _use_link(nonce, now):
    """The ledger entry that makes a link single-use: written only if the nonce was never recorded."""
    return {
        "Put": {
            "TableName": table().name,
            "Item": {
                **_ledger_key(nonce),
                "kind": retention.USED_LINK.kind,
                TTL_ATTRIBUTE: retention.epoch_seconds(retention.USED_LINK.expires_at(now)),
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def use_link(nonce, now):
    """Record that a link was used, once: LinkAlreadyUsed if it was used before."""
    _conditional(table().put_item, LinkAlreadyUsed, **_use_link(nonce, now)["Put"])


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
        raise _unavailable(error, writes=True) from error
    except boto_error as error:
        raise _unavailable(error, writes=True) from error


def replace_using_link(nonce, now, previous, item):
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
    put_step = {
        "Put": {
            "TableName": table().name,
            "Item": item,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
    }
    _transact([("link", _use_link(nonce, now)), ("item", put_step)])


def delete_using_link(nonce, now, key):
    """Use a link once and delete the item at `key` (whatever it holds, if anything), together."""
    delete_step = {"Delete": {"TableName": table().name, "Key": key}}
    _transact([("link", _use_link(nonce, now)), ("item", delete_step)])


def subject_keys(subject_key):
    """The key and kind of every item under a subject key, expired or not (one paginated Query), and
    how many items the Query read: the cost of finding a person does not grow with the table."""
    from boto3.dynamodb.conditions import Key

    items, scanned, start = [], 0, {}
    while True:
        page = _call(
            table().query,
            KeyConditionExpression=Key("pk").eq(subject_key),
            ProjectionExpression="pk, sk, kind",
            ConsistentRead=True,
            **start,
        )
        items += page["Items"]
        scanned += page["ScannedCount"]
        if "LastEvaluatedKey" not in page:
            return items, scanned
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def delete_counted(receipt_key, keys, counts):
    """Delete `keys` and add `counts` (kind -> number) to the receipt's counts, in one transaction: the
    receipt never counts a delete that did not happen, nor misses one that did. Each delete holds only
    while its item is there, so two runs of one erasure never count an item twice: ItemChanged when
    another run deleted one first (nothing is done; look again)."""
    names = {f"#k{number}": kind for number, kind in enumerate(counts)}
    values = {f":n{number}": count for number, count in enumerate(counts.values())}
    update = {
        "Update": {
            "TableName": table().name,
            "Key": receipt_key,
            "UpdateExpression": "ADD "
            + ", ".join(f"counts.#k{number} :n{number}" for number in range(len(counts))),
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }
    deletes = [
        (
            "item",
            {
                "Delete": {
                    "TableName": table().name,
                    "Key": key,
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        )
        for key in keys
    ]
    _transact([("receipt", update), *deletes])


def complete(receipt_key, completed_at, deleted_now):
    """Mark the receipt completed at `completed_at`: when the Query that found nothing left began. A run
    that deleted nothing itself leaves an earlier run's completion as it was."""
    condition = {} if deleted_now else {"ConditionExpression": "#status <> :done"}
    with contextlib.suppress(_Refused):
        _conditional(
            table().update_item,
            Key=receipt_key,
            UpdateExpression="SET #status = :done, completed_at = :at",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":done": "completed",
                ":at": completed_at.isoformat(timespec="seconds"),
            },
            **condition,
        )
