"""Erasure against the table: each batch of deletes and the receipt's counts change together, and the
receipt is completed once nothing is left (erasure.py decides the order; actions/your_data.py runs it)."""

import contextlib

from jtec_forms import store


def delete_counted(receipt_key, keys, counts):
    """Delete `keys` and add `counts` (kind -> number) to the receipt's counts, in one transaction: the
    receipt never counts a delete that did not happen, nor misses one that did. Each delete holds only
    while its item is there, so two runs of one erasure never count an item twice: ItemChanged when
    another run deleted one first (nothing is done; look again)."""
    names = {f"#k{number}": kind for number, kind in enumerate(counts)}
    values = {f":n{number}": count for number, count in enumerate(counts.values())}
    update = {
        "Update": {
            "TableName": store.table().name,
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
                    "TableName": store.table().name,
                    "Key": key,
                    "ConditionExpression": "attribute_exists(pk)",
                }
            },
        )
        for key in keys
    ]
    store._transact([("receipt", update), *deletes])


def complete(receipt_key, completed_at, deleted_now):
    """Mark the receipt completed at `completed_at`: when the Query that found nothing left began. A run
    that deleted nothing itself leaves an earlier run's completion as it was."""
    condition = {} if deleted_now else {"ConditionExpression": "#status <> :done"}
    with contextlib.suppress(store.ConditionFailed):
        store._conditional(
            store.table().update_item,
            Key=receipt_key,
            UpdateExpression="SET #status = :done, completed_at = :at",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":done": "completed",
                ":at": completed_at.isoformat(timespec="seconds"),
            },
            **condition,
        )
