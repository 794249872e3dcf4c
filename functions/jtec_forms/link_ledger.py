"""The single-use ledger: an emailed link works once. Its use is recorded under the link's own random
nonce (no personal data, outside every person's partition, so an erasure never makes a used link work
again), alone or in the same transaction as what the link does."""

from jtec_forms import retention, store


def _ledger_key(nonce):
    """Where a link's use is recorded: under the link's own random nonce, outside every person's partition,
    so an erasure never deletes it (it holds no personal data) and a used link stays used."""
    key = retention.USED_LINK.sort_key + nonce
    return {"pk": key, "sk": key}


def link_used(nonce):
    """True once the link with this nonce has been used (its ledger entry outlives the link)."""
    return "Item" in store._call(store.table().get_item, Key=_ledger_key(nonce), ConsistentRead=True)


def _use_link(nonce, now, purpose=None):
    """The ledger entry that makes a link single-use: written only if the nonce was never recorded. With
    a `purpose`, it says what the link was for and when it was used (the auditor's report counts access
    reports given by them)."""
    said = {"purpose": purpose, "used_at": now.isoformat(timespec="seconds")} if purpose else {}
    return {
        "Put": {
            "TableName": store.table().name,
            "Item": {
                **_ledger_key(nonce),
                **said,
                "kind": retention.USED_LINK.kind,
                store.TTL_ATTRIBUTE: retention.epoch_seconds(retention.USED_LINK.expires_at(now)),
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def use_link(nonce, now, purpose=None):
    """Record that a link was used, once: store.LinkAlreadyUsed if it was used before."""
    store._conditional(store.table().put_item, store.LinkAlreadyUsed, **_use_link(nonce, now, purpose)["Put"])


def replace_using_link(nonce, now, previous, item, deleting=()):
    """Use a link once and, in the same transaction, replace `previous` with `item`, provided the stored
    item is still `previous` (same status and expiry): what was decided from it still holds; and delete
    the items at the keys `deleting`, if they are there."""
    condition = "#status = :status AND " + (
        f"{store.TTL_ATTRIBUTE} = :expires"
        if store.TTL_ATTRIBUTE in previous
        else f"attribute_not_exists({store.TTL_ATTRIBUTE})"
    )
    values = {":status": previous["status"]}
    if store.TTL_ATTRIBUTE in previous:
        values[":expires"] = previous[store.TTL_ATTRIBUTE]
    put_step = {
        "Put": {
            "TableName": store.table().name,
            "Item": item,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": values,
        }
    }
    deletes = [("item", {"Delete": {"TableName": store.table().name, "Key": key}}) for key in deleting]
    store._transact([("link", _use_link(nonce, now)), ("item", put_step), *deletes])


def delete_using_link(nonce, now, key):
    """Use a link once and delete the item at `key` (whatever it holds, if anything), together."""
    delete_step = {"Delete": {"TableName": store.table().name, "Key": key}}
    store._transact([("link", _use_link(nonce, now)), ("item", delete_step)])
