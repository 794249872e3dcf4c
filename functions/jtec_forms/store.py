"""The DynamoDB table: one partition per data subject. Reads hide items whose `expires_at` has passed.
The mechanisms built on it have their own modules: once.py (steps done once, with leases),
link_ledger.py (single-use links), erasure_batches.py (deletes counted on the receipt).

The table's client is created on first use, so importing a handler stays cheap (dynamodb.py). A single item is written
with a (conditional) PutItem or UpdateItem; a transaction only where items must change together.
"""

import contextlib
import functools

from jtec_forms import config, retention

TTL_ATTRIBUTE = "expires_at"


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
    from jtec_forms import aws
    from jtec_forms.dynamodb import Table

    return Table(aws.client("dynamodb"), config.table_name())


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
    return get(subject_key, retention.ACTIVE_SUBSCRIPTION.sort_key, now)


def _query_pages(**arguments):
    """Every page of a Query, one after another (each through `_call`)."""
    while True:
        page = _call(table().query, ConsistentRead=True, **arguments)
        yield page
        if "LastEvaluatedKey" not in page:
            return
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def subject_items(subject_key, now):
    """Everything held about one person (one Query), without expired items."""
    pages = _query_pages(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": subject_key})
    return [item for page in pages for item in page["Items"] if visible(item, now)]


def subject_keys(subject_key):
    """The key and kind of every item under a subject key, expired or not (one paginated Query), and
    how many items the Query read: the cost of finding a person does not grow with the table."""
    items, scanned = [], 0
    for page in _query_pages(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": subject_key},
        ProjectionExpression="pk, sk, #kind",
        ExpressionAttributeNames={"#kind": "kind"},
    ):
        items += page["Items"]
        scanned += page["ScannedCount"]
    return items, scanned


def count_open_enquiries(subject_key, now):
    """How many open, unexpired enquiries one person has (one Query of their partition, counted)."""
    pages = _query_pages(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :enquiry)",
        FilterExpression="#status = :open AND #ttl > :now",
        ExpressionAttributeNames={"#status": "status", "#ttl": TTL_ATTRIBUTE},
        ExpressionAttributeValues={
            ":pk": subject_key,
            ":enquiry": retention.ENQUIRY.sort_key,
            ":open": "open",
            ":now": int(now.timestamp()),
        },
        Select="COUNT",
    )
    return sum(page["Count"] for page in pages)


def put(item):
    """Write one item, replacing what was at its key."""
    _call(table().put_item, Item=item, writes=True)


class ConditionFailed(Exception):
    """A conditional write's condition did not hold."""


def _conditional(operation, refused=ConditionFailed, **arguments):
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
    with contextlib.suppress(ConditionFailed):
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


def update_if(key, **arguments):
    """An UpdateItem under its ConditionExpression; ConditionFailed when the condition does not hold."""
    _conditional(table().update_item, Key=key, **arguments)


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


# What a refused condition in a named step of a transaction means.
REFUSALS = {"link": LinkAlreadyUsed, "item": ItemChanged}


def _transact(steps):
    """Run named steps (name, TransactItem) as one transaction. When a condition refuses it, raise the
    exception named for the step that refused (REFUSALS), not by the position of a reason."""
    boto_error, client_error = _errors()
    try:
        table().transact_write_items([step for _, step in steps])
    except client_error as error:
        reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
        for (name, _), code in zip(steps, reasons, strict=False):
            if code == "ConditionalCheckFailed":
                raise REFUSALS[name]() from None
        raise _unavailable(error, writes=True) from error
    except boto_error as error:
        raise _unavailable(error, writes=True) from error
