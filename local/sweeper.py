"""Plays DynamoDB's TTL locally: deletes items whose `expires_at` has passed on the forms' clock."""

import logging
import threading

from jtec_forms import clock
from local.api import INVOCATION_LOCK

log = logging.getLogger(__name__)


def sweep(table, ttl_attribute="expires_at"):
    """Delete every expired item now; return how many were deleted."""
    from boto3.dynamodb.conditions import Attr

    now = int(clock.now().timestamp())
    deleted, start = 0, {}
    while True:
        page = table.scan(
            FilterExpression=Attr(ttl_attribute).lte(now),
            ProjectionExpression="pk, sk",
            ConsistentRead=True,
            **start,
        )
        with table.batch_writer() as batch:
            for item in page["Items"]:
                batch.delete_item(Key={"pk": item["pk"], "sk": item["sk"]})
                deleted += 1
        if "LastEvaluatedKey" not in page:
            return deleted
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


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
