"""The staff digest: what is due on JTec's side of the promises, in references and counts, never personal
data. Sent on working days at 08:00 (Northern Ireland) by the digest function, printed by `jtec digest`;
both gather and compose here, so they say the same.

Gathering reads keys, kinds and times only: the open-enquiries index (reference, topic, date), each open
data request's item for its due date, the month partitions of the mail-event and expiry-audit records,
and the failure queue's message count. `table` is any object with the resource Table's `query` and
`get_item` (boto3's, or jtec_forms.dynamodb's)."""

import datetime
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field

from jtec_forms import deadlines, enquiries, retention

LOCAL = zoneinfo.ZoneInfo(enquiries.LOCAL_TIME)
SENT_AT = datetime.time(8)  # the schedule's hour (infra/template.yaml, DigestFunction)
OLD_AFTER_DAYS = 14  # an open enquiry older than this is called out (DIGEST_OLD_AFTER_DAYS overrides)
REQUESTS_WITHIN_DAYS = 7  # data requests due within this many days are listed, with the overdue
OPEN_INDEX = "open-enquiries"


@dataclass
class Facts:
    today: datetime.date
    since: datetime.datetime  # the previous digest's time: mail events and deletions since then
    old_after_days: int
    enquiries: list = field(default_factory=list)  # (reference, topic, age in days), data requests apart
    requests: list = field(default_factory=list)  # (reference, right, due date), due soon or overdue
    mail_events: Counter = field(default_factory=Counter)  # event kind -> count
    subscriptions_ended: int = 0
    deletions: Counter = field(default_factory=Counter)  # item kind -> count
    worst_lag_seconds: int | None = None
    failures_waiting: int | None = None  # None: no failure queue to look at


def previous_digest(today):
    """When the digest before today's went: the working day before `today`, at 08:00 in Northern Ireland."""
    day = today - datetime.timedelta(days=1)
    while not deadlines.is_working_day(day):
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day, SENT_AT, tzinfo=LOCAL)


def _pages(table, **arguments):
    while True:
        page = table.query(**arguments)
        yield from page["Items"]
        if "LastEvaluatedKey" not in page:
            return
        arguments["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def _records_since(table, partition, since, now):
    """The records of a month-partitioned kind from `since` on (their sort key starts with their time)."""
    for key in retention.month_partitions(partition, since, now):
        for item in _pages(table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": key}):
            if datetime.datetime.fromisoformat(item["sk"].split("#")[0].replace("Z", "+00:00")) >= since:
                yield item


def queue_depth(sqs, queue_url):
    """Messages waiting in the queue at `queue_url` (the expiry audit's failures), with `sqs` (a client);
    None where there is no queue to look at."""
    if not queue_url:
        return None
    answer = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(answer["Attributes"]["ApproximateNumberOfMessages"])


def gather(table, now, failures_waiting=None, old_after_days=OLD_AFTER_DAYS):
    """What is due at `now`, read from the table (and the failure queue's count, if there is one)."""
    today = now.astimezone(LOCAL).date()
    facts = Facts(today, previous_digest(today), old_after_days, failures_waiting=failures_waiting)
    listed = _pages(
        table,
        IndexName=OPEN_INDEX,
        KeyConditionExpression="open_pk = :open",
        ExpressionAttributeValues={":open": enquiries.OPEN_PARTITION},
    )
    for entry in listed:
        if entry.get("topic") == enquiries.DATA_REQUEST_TOPIC:
            item = table.get_item(
                Key={"pk": entry["pk"], "sk": entry["sk"]},
                ConsistentRead=True,
                ProjectionExpression="#reference, #right, #status, #due",  # never the person's details
                ExpressionAttributeNames={
                    f"#{name}": name for name in ("reference", "right", "status", "due")
                },
            ).get("Item")
            if item and item.get("status") == "open" and item.get("due"):
                due = datetime.date.fromisoformat(item["due"])
                if deadlines.days_left(due, today) <= REQUESTS_WITHIN_DAYS:
                    facts.requests.append((item["reference"], item["right"], due))
            continue
        created = datetime.datetime.fromisoformat(entry["created_at"])
        facts.enquiries.append(
            (entry["reference"], entry["topic"], (today - created.astimezone(LOCAL).date()).days)
        )
    for record in _records_since(table, retention.MAIL_EVENT_PARTITION, facts.since, now):
        facts.mail_events[record["event"]] += 1
        facts.subscriptions_ended += bool(record.get("ended_subscription"))
    for record in _records_since(table, retention.EXPIRY_AUDIT_PARTITION, facts.since, now):
        facts.deletions[record["item_kind"]] += 1
        if record.get("lag_seconds") is not None:
            facts.worst_lag_seconds = max(facts.worst_lag_seconds or 0, int(record["lag_seconds"]))
    facts.enquiries.sort(key=lambda enquiry: -enquiry[2])
    facts.requests.sort(key=lambda request: request[2])
    return facts


def labels():
    """The enquiry form's own words for its topics and rights (its schema), as the digest names them."""
    from jtec_forms.validation import schema

    properties = schema("enquiry")["properties"]
    return {"topic": properties["topic"]["x-labels"], "right": properties["right"]["x-labels"]}


def is_due(facts):
    """Whether anything waits on someone: no mail is sent on a day with nothing due."""
    return bool(facts.enquiries or facts.requests or facts.mail_events or facts.failures_waiting)


def _plural(count, word, plural=None):
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _duration(seconds):
    hours, minutes = divmod(int(seconds) // 60, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def compose(facts, labels):
    """The digest as (subject, text), or None when nothing is due. `labels`: the enquiry schema's topic
    and right labels ({"topic": {...}, "right": {...}})."""
    if not is_due(facts):
        return None
    since = f"since {facts.since:%A} {facts.since.day} {facts.since:%B} at {facts.since:%H:%M}"
    lines = [f"JTec daily digest for {facts.today:%A} {facts.today.day} {facts.today:%B %Y}.", ""]
    old = [enquiry for enquiry in facts.enquiries if enquiry[2] > facts.old_after_days]
    ages = Counter(
        "up to 7 days"
        if age <= 7
        else f"8 to {facts.old_after_days} days"
        if age <= facts.old_after_days
        else f"over {facts.old_after_days} days"
        for _, _, age in facts.enquiries
    )
    lines.append(f"Open enquiries: {len(facts.enquiries)}")
    if facts.enquiries:
        order = ("up to 7 days", f"8 to {facts.old_after_days} days", f"over {facts.old_after_days} days")
        lines.append("  By age: " + ", ".join(f"{name}: {ages[name]}" for name in order if ages[name]))
    if old:
        lines.append(
            f"  Older than {facts.old_after_days} days: resolve each when it is dealt with "
            "(jtec enquiries resolve REF): the person's details are deleted at once."
        )
        lines += [
            f"    {reference}  {labels['topic'].get(topic, topic)}, {age} days"
            for reference, topic, age in old
        ]
    lines.append("")
    lines.append(f"Data requests due within {REQUESTS_WITHIN_DAYS} days or overdue: {len(facts.requests)}")
    for reference, right, due in facts.requests:
        left = deadlines.days_left(due, facts.today)
        when = (
            f"OVERDUE since {due.day} {due:%B}"
            if left < 0
            else "due TODAY"
            if left == 0
            else f"due {due:%A} {due.day} {due:%B} ({_plural(left, 'day')} left)"
        )
        lines.append(f"    {reference}  {labels['right'].get(right, right)}: {when}")
    lines.append("")
    events = ", ".join(
        f"{_plural(count, kind.replace('_', ' '))}" for kind, count in sorted(facts.mail_events.items())
    )
    lines.append(f"Newsletter bounces and complaints {since}: {events or 'none'}")
    if facts.subscriptions_ended:
        lines.append(f"  {_plural(facts.subscriptions_ended, 'subscription')} ended by them.")
    deleted = sum(facts.deletions.values())
    lines.append(
        f"Deleted by TTL {since}: {_plural(deleted, 'item')}"
        + (
            f" ({', '.join(f'{kind}: {count}' for kind, count in sorted(facts.deletions.items()))})"
            if deleted
            else ""
        )
        + (
            f"; worst lag after expiry {_duration(facts.worst_lag_seconds)}"
            if facts.worst_lag_seconds is not None
            else ""
        )
    )
    if facts.failures_waiting is None:
        lines.append("Failure queue: not looked at (no queue named here).")
    else:
        lines.append(
            f"Failure queue: {_plural(facts.failures_waiting, 'message')} waiting"
            + (
                " (expiry audits that failed: docs/deploying.md says what to do)"
                if facts.failures_waiting
                else ""
            )
        )
    lines += ["", "This email holds references and counts only, never personal details."]
    due_now = len(old) + len(facts.requests)
    subject = f"JTec digest {facts.today.day} {facts.today:%B}: " + (
        f"{_plural(due_now, 'item')} need attention"
        if due_now
        else _plural(len(facts.enquiries), "open enquiry", "open enquiries")
    )
    return subject, "\n".join(lines) + "\n"
