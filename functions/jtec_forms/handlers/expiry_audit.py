"""Lambda function `expiry_audit`: reads the table's stream (keys only) and audits each TTL deletion.
Records that fail are reported one by one (partial batch response), so a retry repeats only them."""

import contextlib

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from jtec_forms import expiry_audit, store
from jtec_forms.logs import logger

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record):
    if not expiry_audit.is_ttl_deletion(record.raw_event):
        return
    unanswered = expiry_audit.unanswered_renewal(record.raw_event)
    if unanswered is not None:
        _end_subscription(*unanswered)
    entry = expiry_audit.audit_item(record.raw_event)
    if entry is not None:
        store.put(entry)  # the key holds the event id: a retried record writes the same entry again
        logger.info(
            "ttl deletion audited",
            extra={"item_kind": entry["item_kind"], "lag_seconds": entry["lag_seconds"]},
        )


def _end_subscription(key, consent_before):
    """End the subscription at `key` if its consent still dates from before `consent_before` (a retried
    record finds it gone, or renewed, and changes nothing)."""
    with contextlib.suppress(store.ConditionFailed):
        store._conditional(
            store.table().delete_item,
            Key=key,
            ConditionExpression="#status = :active AND list_sk < :before",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":active": "active", ":before": consent_before},
        )
        logger.info("subscription ended: consent not renewed")


def _identified(record):
    """A record Lambda can name in a partial failure: it has its `dynamodb` part with a sequence number."""
    return bool((record.get("dynamodb") or {}).get("SequenceNumber"))


@logger.inject_lambda_context
def lambda_handler(event, context):
    """Audit each record. A record without its `dynamodb` part has no keys to audit and no sequence number
    to report it by (Lambda fails the whole batch for a partial failure it cannot place), so it is logged
    as an error by its event id alone, and the rest of the batch is audited."""
    records = event.get("Records") or []
    for record in records:
        if not _identified(record):
            logger.error("stream record without keys not audited", extra={"event_id": record.get("eventID")})
    return process_partial_response(
        event={**event, "Records": [record for record in records if _identified(record)]},
        record_handler=record_handler,
        processor=processor,
        context=context,
    )
