"""After a restore: erase again everyone who asked to be forgotten since the restore's moment. Point-in-time
recovery keeps whole items for its window, so a table restored from before an erasure holds that person's
data again; each erasure's tombstone (erasure.tombstone_item: a keyed digest, no address) outlives the
window, in the table the erasure ran in. `jtec erasures reapply` reads the tombstones from that table
and runs the form's own erasure (actions/your_data.erase_everything) in the table the stack now uses,
under the original receipt's reference. docs/deploying.md has the runbook."""

import contextlib
import datetime

from boto3.dynamodb.conditions import Key

from jtec_forms import erasure, retention, store
from jtec_forms.actions import your_data
from jtec_staff import queries


def tombstones(table, since, now):
    """The tombstones of erasures from `since` (an aware datetime) to `now`, oldest first, from `table`
    (boto3's resource Table of the table the erasures ran in)."""
    found, start = [], since.astimezone(datetime.UTC).isoformat(timespec="seconds")
    for partition in retention.month_partitions(retention.ERASURE_TOMBSTONE_PARTITION, since, now):
        condition = Key("pk").eq(partition) & Key("sk").gte(start)
        for page in queries.pages(table.query, KeyConditionExpression=condition):
            found += page["Items"]
    return sorted(found, key=lambda tombstone: tombstone["sk"])


def reapply(tombstone, now):
    """Erase the tombstone's person again in the functions' table (TABLE_NAME): the receipt is made again
    if the restore predates it, the tombstone kept there too (a second restore still finds it). How many
    items were found and deleted."""
    reference = tombstone["reference"]
    requested = datetime.datetime.fromisoformat(tombstone["requested_at"])
    with contextlib.suppress(store.AlreadyExists):
        store.put_new(erasure.receipt_item(reference, requested, now), now)
    store.put(tombstone)
    keys, _ = store.subject_keys(tombstone["subject"])
    your_data.erase_everything(
        tombstone["subject"], {"pk": retention.ERASURE_RECEIPT_PARTITION, "sk": reference}
    )
    return len(keys)
