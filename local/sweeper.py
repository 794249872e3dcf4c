"""Plays DynamoDB's TTL locally: deletes items whose `expires_at` has passed on the forms' clock, and
hands each deletion to the expiry-audit function as the stream record DynamoDB gives a TTL deletion
(keys only, with the TTL service's identity), so the whole path runs locally."""

import contextlib
import datetime
import logging
import threading
import uuid

from jtec_forms import clock, rate_limits, retention
from jtec_forms.expiry_audit import TTL_IDENTITY
from local.api import INVOCATION_LOCK, LambdaContext

log = logging.getLogger(__name__)


def ttl_stream_record(key, deleted_at):
    """A DynamoDB stream record (KEYS_ONLY view) of a deletion by TTL."""
    return {
        "eventID": uuid.uuid4().hex,
        "eventName": "REMOVE",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-2",
        "dynamodb": {
            "ApproximateCreationDateTime": deleted_at,
            "Keys": {"pk": {"S": key["pk"]}, "sk": {"S": key["sk"]}},
            "SequenceNumber": str(uuid.uuid4().int)[:21],
            "SizeBytes": 64,
            "StreamViewType": "KEYS_ONLY",
        },
        "userIdentity": dict(TTL_IDENTITY),
        "eventSourceARN": "arn:aws:dynamodb:eu-west-2:000000000000:table/local/stream/local",
    }


# Deletions made under the invocation lock at a time: requests wait for a handful, never for a sweep.
DELETES_PER_TURN = 25


def audit(keys, deleted_at, lock=None):
    """Send TTL deletions to the expiry-audit function, in batches as Lambda's stream poller would."""
    from jtec_forms.handlers import expiry_audit

    for start in range(0, len(keys), 100):
        records = [ttl_stream_record(key, deleted_at) for key in keys[start : start + 100]]
        with lock or contextlib.nullcontext():
            answer = expiry_audit.lambda_handler({"Records": records}, LambdaContext("expiry_audit"))
        if answer.get("batchItemFailures"):
            log.warning("expiry audit failed for %d records", len(answer["batchItemFailures"]))


def expired_keys(table, ttl_attribute, now):
    """The keys of every item whose TTL has passed at `now`, and the earliest TTL of those that have not
    (None if none has one). A scan: reads only, so it runs beside requests."""
    keys, earliest, start = [], None, {}
    while True:
        page = table.scan(ProjectionExpression=f"pk, sk, {ttl_attribute}", ConsistentRead=True, **start)
        for item in page["Items"]:
            expires = item.get(ttl_attribute)
            if expires is None:
                continue
            if expires <= now:
                keys.append({"pk": item["pk"], "sk": item["sk"]})
            elif earliest is None or expires < earliest:
                earliest = int(expires)
        if "LastEvaluatedKey" not in page:
            return keys, earliest
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def delete_if_expired(table, key, ttl_attribute, now):
    """Delete the item if it is still expired (a request may have changed it since the scan), as
    DynamoDB's TTL does; True if it was deleted."""
    from boto3.dynamodb.conditions import Attr

    try:
        table.delete_item(Key=key, ConditionExpression=Attr(ttl_attribute).lte(now))
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        return False
    return True


def sweep(table, ttl_attribute="expires_at", lock=None):
    """Delete every expired item now and audit the deletions; return how many were deleted and the
    earliest TTL still to come. `lock` is held for each handful of deletions and each audit batch, never
    for the scan, so requests are not held up by a sweep of a big table (in AWS, TTL deletes in the
    background)."""
    now = int(clock.now().timestamp())
    keys, earliest = expired_keys(table, ttl_attribute, now)
    deleted = []
    for start in range(0, len(keys), DELETES_PER_TURN):
        with lock or contextlib.nullcontext():
            turn = keys[start : start + DELETES_PER_TURN]
            deleted += [key for key in turn if delete_if_expired(table, key, ttl_attribute, now)]
    audit(deleted, now, lock)
    return len(deleted), earliest


def shortest_lifetime_seconds():
    """How soon, at the earliest, something the forms write now can expire: the retention schedule's
    shortest period, less the rate-limit window its counters count from."""
    now = datetime.datetime.now(datetime.UTC)
    lifetimes = [
        (entry.expires_at(now) - now).total_seconds() for entry in retention.SCHEDULE if entry.expires_at(now)
    ]
    return int(min(lifetimes)) - rate_limits.WINDOW_SECONDS


class Sweeper:
    """Sweeps in a daemon thread whenever something may have expired (checked every `interval` seconds),
    and on demand. After a sweep nothing can expire before the earliest TTL it saw or the shortest life
    of what is written since, so until then the background sweep does not scan at all: a big table costs
    nothing between expiries."""

    def __init__(self, table, ttl_attribute="expires_at", interval=60):
        self.table = table
        self.ttl_attribute = ttl_attribute
        self.interval = interval
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.next_due = None  # epoch seconds on the forms' clock

    def start(self):
        self.thread.start()
        return self

    def sweep(self):
        """Sweep now; its deletions never while a function runs (as in AWS, a TTL deletion and a request on
        the same item are serialised by DynamoDB, here by the invocation lock)."""
        with self.lock:
            deleted, earliest = sweep(self.table, self.ttl_attribute, lock=INVOCATION_LOCK)
            soonest_new = int(clock.now().timestamp()) + shortest_lifetime_seconds()
            self.next_due = min(earliest, soonest_new) if earliest is not None else soonest_new
            return deleted

    def sweep_if_due(self):
        if self.next_due is not None and clock.now().timestamp() < self.next_due:
            return 0
        return self.sweep()

    def _run(self):
        # The first sweep is at once, while the table is as the server found it (a fresh one is empty): it
        # sets when the next is due. Left to the first interval, it scanned whatever a busy first minute had
        # written, and every request waited on that scan (the p99 of bench/load.py's visitors doubled).
        while True:
            try:
                self.sweep_if_due()
            except Exception:  # the next round tries again; the thread must outlive a bad moment
                log.exception("TTL sweep failed")
            if self.stopped.wait(self.interval):
                return

    def stop(self):
        self.stopped.set()
