"""Lambda function `expiry_audit`: reads the table's stream (keys only) and audits each TTL deletion.
Records that fail are reported one by one (partial batch response), so a retry repeats only them."""

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

from jtec_forms import expiry_audit, store
from jtec_forms.logs import logger

processor = BatchProcessor(event_type=EventType.DynamoDBStreams)


def record_handler(record):
    if not expiry_audit.is_ttl_deletion(record.raw_event):
        return
    entry = expiry_audit.audit_item(record.raw_event)
    if entry is not None:
        store.put(entry)  # the key holds the event id: a retried record writes the same entry again
        logger.info(
            "ttl deletion audited",
            extra={"item_kind": entry["item_kind"], "lag_seconds": entry["lag_seconds"]},
        )


@logger.inject_lambda_context
def lambda_handler(event, context):
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
