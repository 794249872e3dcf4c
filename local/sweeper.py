"""Plays DynamoDB's TTL locally: deletes items whose `expires_at` has passed on the forms' clock, and
hands each deletion to the expiry-audit function as the stream record DynamoDB gives a TTL deletion
(keys only, with the TTL service's identity), so the whole path runs locally."""

import logging
import threading
import uuid

from jtec_forms import clock
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


def audit(keys, deleted_at):
    """Send TTL deletions to the expiry-audit function, in batches as Lambda's stream poller would."""
    from jtec_forms.handlers import expiry_audit

    for start in range(0, len(keys), 100):
        records = [ttl_stream_record(key, deleted_at) for key in keys[start : start + 100]]
        answer = expiry_audit.lambda_handler({"Records": records}, LambdaContext("expiry_audit"))
        if answer.get("batchItemFailures"):
            log.warning("expiry audit failed for %d records", len(answer["batchItemFailures"]))


def sweep(table, ttl_attribute="expires_at"):
    """Delete every expired item now, audit the deletions; return how many were deleted."""
    from boto3.dynamodb.conditions import Attr

    now = int(clock.now().timestamp())
    deleted, start = [], {}
    while True:
        page = table.scan(
            FilterExpression=Attr(ttl_attribute).lte(now),
            ProjectionExpression="pk, sk",
            ConsistentRead=True,
            **start,
        )
        with table.batch_writer() as batch:
            for item in page["Items"]:
                key = {"pk": item["pk"], "sk": item["sk"]}
                batch.delete_item(Key=key)
                deleted.append(key)
        if "LastEvaluatedKey" not in page:
            break
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}
    audit(deleted, now)
    return len(deleted)


class Sweeper:
    """Sweeps every `interval` seconds in a daemon thread, and on demand."""

    def __init__(self, table, ttl_attribute="expires_at", interval=60):
        self.table = table
        self.ttl_attribute = ttl_attribute
        self.interval = interval
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def sweep(self):
        """Sweep now; never while a function runs (as in AWS, a TTL deletion and a request on the same
        item are serialised by DynamoDB, here by the invocation lock)."""
        with self.lock, INVOCATION_LOCK:
            return sweep(self.table, self.ttl_attribute)

    def _run(self):
        while not self.stopped.wait(self.interval):
            try:
                self.sweep()
            except Exception:  # the next round tries again; the thread must outlive a bad moment
                log.exception("TTL sweep failed")

    def stop(self):
        self.stopped.set()
