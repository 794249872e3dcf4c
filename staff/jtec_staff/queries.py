"""What the staff tools read and change in the table, as plain functions over a boto3 Table."""

import datetime
from collections import Counter, defaultdict

from boto3.dynamodb.conditions import Attr, Key

from jtec_forms import enquiries, erasure, retention

OPEN_INDEX = "open-enquiries"


class UnknownReference(Exception):
    """No item has this reference."""


class IsADataRequest(Exception):
    """The enquiry is a data request: it is closed with its outcome (`jtec requests close`), not resolved."""


# What a Scan by the staff tools may read (StaffToolsPolicy holds them to it): keys, kinds and times,
# never a name, address, telephone number or message.
KEY_ONLY = ("pk", "sk")
RETENTION_FIELDS = ("pk", "sk", "kind", "expires_at", "deleted_at", "item_kind", "lag_seconds")


def _projection(names):
    """A Scan's ProjectionExpression for `names` (every name through a placeholder: some are reserved)."""
    return {
        "Select": "SPECIFIC_ATTRIBUTES",
        "ProjectionExpression": ", ".join(f"#p{number}" for number in range(len(names))),
        "ExpressionAttributeNames": {f"#p{number}": name for number, name in enumerate(names)},
    }


def pages(call, **arguments):
    """Every page of a Query or Scan, one after another."""
    while True:
        page = call(**arguments)
        yield page
        if "LastEvaluatedKey" not in page:
            return
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def open_enquiries(table):
    """Open enquiries, newest first, from the open-enquiries index (a Query, never a Scan); each with its
    key, to read the enquiry itself."""
    items = []
    condition = Key("open_pk").eq(enquiries.OPEN_PARTITION)
    for page in pages(
        table.query, IndexName=OPEN_INDEX, KeyConditionExpression=condition, ScanIndexForward=False
    ):
        items += page["Items"]
    return [
        {name: item.get(name) for name in ("pk", "sk", "reference", "topic", "created_at")} for item in items
    ]


def enquiry_item(table, listed):
    """The enquiry an entry of the open list stands for (who wrote and what), read by its key."""
    return table.get_item(Key={"pk": listed["pk"], "sk": listed["sk"]}, ConsistentRead=True).get("Item", {})


def find_enquiry(table, reference, progress=None):
    """The enquiry with this reference: from the open list (a Query), else by a Scan of the table
    (resolved enquiries are off the list); `progress` is told how many items each page read."""
    condition = Key("open_pk").eq(enquiries.OPEN_PARTITION)
    for page in pages(
        table.query,
        IndexName=OPEN_INDEX,
        KeyConditionExpression=condition,
        FilterExpression=Attr("reference").eq(reference),
    ):
        for found in page["Items"]:
            return table.get_item(Key={"pk": found["pk"], "sk": found["sk"]}, ConsistentRead=True)["Item"]
    wanted = Attr("reference").eq(reference) & Attr("kind").eq(retention.ENQUIRY.kind)
    for page in pages(table.scan, FilterExpression=wanted, ConsistentRead=True, **_projection(KEY_ONLY)):
        if progress:
            progress(page["ScannedCount"])
        for found in page["Items"]:
            return table.get_item(Key={"pk": found["pk"], "sk": found["sk"]}, ConsistentRead=True)["Item"]
    raise UnknownReference(reference)


def resolve_enquiry(table, reference, now):
    """Scrub the enquiry's personal details and take it off the open list; False if already resolved."""
    return resolve_item(table, find_enquiry(table, reference), now)


def resolve_item(table, item, now):
    """`resolve_enquiry` of an enquiry already read (`find_enquiry`): no second look-up."""
    reference = item["reference"]
    if item.get("topic") == enquiries.DATA_REQUEST_TOPIC:
        raise IsADataRequest(reference)
    if item.get("status") != "open":
        return False
    change = enquiries.resolution(now)
    names = {f"#r{number}": name for number, name in enumerate(change["remove"])}
    names.update({f"#s{number}": name for number, name in enumerate(change["set"])})
    values = {f":s{number}": value for number, value in enumerate(change["set"].values())}
    values[":open"] = "open"
    table.update_item(
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET "
        + ", ".join(f"#s{number} = :s{number}" for number in range(len(change["set"])))
        + " REMOVE "
        + ", ".join(f"#r{number}" for number in range(len(change["remove"]))),
        ConditionExpression="#status = :open",
        ExpressionAttributeNames={**names, "#status": "status"},
        ExpressionAttributeValues=values,
    )
    return True


def receipts(table):
    items = []
    for page in pages(table.query, KeyConditionExpression=Key("pk").eq(retention.ERASURE_RECEIPT_PARTITION)):
        items += page["Items"]
    return sorted(
        (erasure.summary(item) for item in items), key=lambda receipt: receipt["confirmed_at"], reverse=True
    )


def receipt(table, reference):
    item = table.get_item(Key={"pk": retention.ERASURE_RECEIPT_PARTITION, "sk": reference}).get("Item")
    if item is None:
        raise UnknownReference(reference)
    return erasure.summary(item)


# The retention report's "expiring soon": within this many days.
EXPIRING_WITHIN_DAYS = 30


def retention_report(table, now, progress=None):
    """Per kind of data: live items, items expiring in the next 30 days, items expired but not yet
    deleted by DynamoDB; and from the expiry audit, TTL deletions per month and the worst lag."""
    return retention_summary(scan(table, RETENTION_FIELDS, progress), now)


def scan(table, names, progress=None):
    """Every item of the table, read with only the attributes `names` (a consistent Scan, page by page)."""
    for page in pages(table.scan, ConsistentRead=True, **_projection(names)):
        if progress:
            progress(page["ScannedCount"])
        yield from page["Items"]


def retention_summary(items, now):
    """`retention_report` of items read with (at least) RETENTION_FIELDS."""
    epoch = int(now.timestamp())
    soon = epoch + EXPIRING_WITHIN_DAYS * 86400
    live, expiring, overdue = Counter(), Counter(), Counter()
    deletions, worst_lag = defaultdict(Counter), {}
    for item in items:
        kind = erasure.kind_of(item)
        if kind == retention.EXPIRY_AUDIT.kind:
            month = item["deleted_at"][:7]
            deletions[month][item["item_kind"]] += 1
            if item.get("lag_seconds") is not None:
                lag = int(item["lag_seconds"])
                worst_lag[item["item_kind"]] = max(worst_lag.get(item["item_kind"], 0), lag)
        expires_at = item.get("expires_at")
        if expires_at is not None and int(expires_at) <= epoch:
            overdue[kind] += 1
            continue
        live[kind] += 1
        if expires_at is not None and int(expires_at) <= soon:
            expiring[kind] += 1
    kinds = [entry.kind for entry in retention.SCHEDULE]
    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "kinds": [
            {
                "kind": kind,
                "period": retention.by_kind(kind).period,
                "live": live[kind],
                "expiring_in_30_days": expiring[kind],
                "expired_not_deleted": overdue[kind],
                "worst_ttl_lag_seconds": worst_lag.get(kind),
            }
            for kind in kinds
        ],
        "ttl_deletions_per_month": {month: dict(counts) for month, counts in sorted(deletions.items())},
    }


def utc_now():
    return datetime.datetime.now(datetime.UTC)
