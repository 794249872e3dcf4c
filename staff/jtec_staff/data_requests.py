"""Data requests: the contact form's enquiries about a person's data (a right the website cannot carry out
by itself), worked to their legal deadline. Plain functions over a boto3 Table, like queries.py.

A request is an enquiry with `right`, `received` and `due` (jtec_forms.enquiries.data_request). It stays on
the open-enquiries index until it is closed; closing deletes the person's details at once, as resolving an
enquiry does, and keeps what an auditor asks for: the right, the dates, whether the deadline was met and
the outcome's category, until the enquiry's own expiry (the retention schedule's ENQUIRY period)."""

import datetime
import zoneinfo

from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

from jtec_forms import deadlines, enquiries
from jtec_staff import queries

# How a request ended, as its record keeps it (the reply itself went to the person, not into the table).
OUTCOMES = {
    "done": "Carried out as asked",
    "partly-done": "Carried out in part; the reply says why not in full",
    "refused": "Refused; the reply says why and how to complain to the ICO",
    "answered": "Answered: the information given or the complaint replied to",
    "withdrawn": "Withdrawn by the person",
}
SOON_DAYS = 10  # `jtec requests list` calls out requests due within this many days


class NotADataRequest(queries.UnknownReference):
    """The reference is an enquiry, but not about a person's data."""


class RequestClosed(Exception):
    """The request is closed already: nothing more can change it."""


class CannotExtend(Exception):
    """An extension is refused: why, in words for the person running the command."""


def local_date(moment):
    """The date in Northern Ireland at `moment` (an aware datetime): the calendar deadlines count in."""
    return moment.astimezone(zoneinfo.ZoneInfo(enquiries.LOCAL_TIME)).date()


def summary(item, on):
    """What `jtec requests list` shows of a request on the day `on`."""
    due = datetime.date.fromisoformat(item["due"])
    return {
        "reference": item["reference"],
        "right": item["right"],
        "received": item["received"],
        "due": item["due"],
        "extended": "extended_at" in item,
        "days_left": deadlines.days_left(due, on),
    }


def open_requests(table, on):
    """Open data requests, soonest due first: a Query of the open-enquiries index (never a Scan), then
    each request's own item (the index holds no deadlines: changing what it holds means rebuilding it)."""
    listed = []
    for page in queries.pages(
        table.query,
        IndexName=queries.OPEN_INDEX,
        KeyConditionExpression=Key("open_pk").eq(enquiries.OPEN_PARTITION),
        FilterExpression=Attr("topic").eq(enquiries.DATA_REQUEST_TOPIC),
    ):
        listed += page["Items"]
    items = [
        table.get_item(Key={"pk": entry["pk"], "sk": entry["sk"]}, ConsistentRead=True).get("Item")
        for entry in listed
    ]
    found = [summary(item, on) for item in items if item and item.get("status") == "open"]
    return sorted(found, key=lambda request: (request["due"], request["received"], request["reference"]))


def find_request(table, reference):
    """The data request with this reference (any letter case), open or closed."""
    item = queries.find_enquiry(table, reference.strip().upper())
    if item.get("topic") != enquiries.DATA_REQUEST_TOPIC:
        raise NotADataRequest(reference)
    return item


def extend(table, reference, reason, now):
    """Give a complex request two more months (three from receipt), once, while its first month runs;
    the reason is kept until it is closed (it is what the person must be told). The new due date."""
    on = local_date(now)
    item = find_request(table, reference)
    if item.get("status") != "open":
        raise RequestClosed(item["reference"])
    if "extended_at" in item:
        raise CannotExtend(f"{item['reference']} was extended already, on {item['extended_at'][:10]}")
    if on > datetime.date.fromisoformat(item["due"]):
        raise CannotExtend(
            f"{item['reference']} was due on {item['due']}: an extension must be made, and the person told, "
            "within the first month"
        )
    due = deadlines.extended_due(datetime.date.fromisoformat(item["received"]))
    _changed_while_open(
        table,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET #due = :due, #extended_at = :now, #reason = :reason",
        ConditionExpression="#status = :open AND attribute_not_exists(#extended_at)",
        ExpressionAttributeNames={
            "#due": "due",
            "#extended_at": "extended_at",
            "#reason": "extension_reason",
            "#status": "status",
        },
        ExpressionAttributeValues={
            ":due": due.isoformat(),
            ":now": now.isoformat(timespec="seconds"),
            ":reason": reason,
            ":open": "open",
        },
        changed_meanwhile=CannotExtend(f"{item['reference']} was closed or extended meanwhile"),
    )
    return due


def close(table, reference, outcome, now):
    """Close a request with its outcome's category: the person's details (and the extension's reason) are
    deleted at once; the record keeps the right, the dates, whether it was answered in time and how."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    item = find_request(table, reference)
    if item.get("status") != "open":
        raise RequestClosed(item["reference"])
    closed_on = local_date(now)
    removed = (*enquiries.PERSONAL_FIELDS, "extension_reason", "open_pk", "open_sk")
    names = {f"#r{number}": name for number, name in enumerate(removed)}
    _changed_while_open(
        table,
        Key={"pk": item["pk"], "sk": item["sk"]},
        UpdateExpression="SET #status = :closed, #closed_at = :now, #outcome = :outcome, #met = :met REMOVE "
        + ", ".join(names),
        ConditionExpression="#status = :open",
        ExpressionAttributeNames={
            **names,
            "#status": "status",
            "#closed_at": "closed_at",
            "#outcome": "outcome",
            "#met": "deadline_met",
        },
        ExpressionAttributeValues={
            ":closed": "closed",
            ":now": now.isoformat(timespec="seconds"),
            ":outcome": outcome,
            ":met": closed_on <= datetime.date.fromisoformat(item["due"]),
            ":open": "open",
        },
        changed_meanwhile=RequestClosed(item["reference"]),
    )
    return closed_on <= datetime.date.fromisoformat(item["due"])


def _changed_while_open(table, changed_meanwhile, **update):
    """UpdateItem under its condition; `changed_meanwhile` is raised when another run changed it first."""
    try:
        table.update_item(**update)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise changed_meanwhile from None
        raise
