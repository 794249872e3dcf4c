"""Steps done once however often a request is sent (a mail to staff, a confirmation mail): the item the
step belongs to holds a lease on it while one attempt runs, and a mark once it is done. An attempt
whose answer was lost cannot block the step for ever: its lease runs out."""

import contextlib
import time

from jtec_forms import clock, store

# How long one attempt may hold a step before a resend may take it over. The 503s that ask for a resend
# say to wait as long (web.RETRY_AFTER_SECONDS is this), so the resend finds the lease run out.
STEP_LEASE_SECONDS = 30
# How long a twin (a double click) waits for the other's lease before answering 503.
TWIN_WAIT_SECONDS = 5


CLAIMED, DONE, BUSY = "claimed", "done", "busy"


def lease(step, now):
    """The attribute that holds `step`'s lease from `now`: written into a new item, it lets the request
    that creates the item do the step without claiming it first (one call fewer, `run(..., held=True)`)."""
    return {f"{step}_lease": int(now.timestamp()) + STEP_LEASE_SECONDS}


def claim(key, step, now, lease_seconds):
    """Take the lease to do `step` for the item at `key` (a mail to send once, say): CLAIMED for the one
    caller that may do it now, DONE once it was done, BUSY while another caller's lease runs. A lease
    whose caller died, or whose answer was lost, runs out and can be taken again."""
    try:
        store._conditional(
            store.table().update_item,
            Key=key,
            UpdateExpression="SET #lease = :until",
            ConditionExpression=(
                "attribute_exists(pk) AND attribute_not_exists(#done) AND (attribute_not_exists(#lease) OR #lease <= :now)"
            ),
            ExpressionAttributeNames={"#lease": f"{step}_lease", "#done": step},
            ExpressionAttributeValues={
                ":until": int(now.timestamp()) + lease_seconds,
                ":now": int(now.timestamp()),
            },
        )
    except store.ConditionFailed:
        item = store._call(store.table().get_item, Key=key, ConsistentRead=True).get("Item")
        if item is None:
            raise store.Gone() from None
        return DONE if item.get(step) else BUSY
    return CLAIMED


def finish(key, step):
    """Record that the claimed `step` is done; store.Gone if the item was deleted meanwhile (never recreates it)."""
    store._conditional(
        store.table().update_item,
        store.Gone,
        Key=key,
        UpdateExpression="SET #done = :yes REMOVE #lease",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeNames={"#done": step, "#lease": f"{step}_lease"},
        ExpressionAttributeValues={":yes": True},
    )


def release(key, step):
    """Give up the lease on a step that failed, so a retry does it at once (nothing, if the item is gone)."""
    with contextlib.suppress(store.Gone):
        store._conditional(
            store.table().update_item,
            store.Gone,
            Key=key,
            UpdateExpression="REMOVE #lease",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#lease": f"{step}_lease"},
        )


def run(record_key, step, work, held=False):
    """Run `work` once per enquiry, however often it is sent: the submission record holds a lease on the
    step while it runs and marks it done after. `work` returns None when it did its job, or a note when
    it did not (the lease is given back, so sending the enquiry again tries again). A twin's running
    lease is waited for a few seconds, as for a double-click. `held`: this request wrote the record
    with the step's lease in it (`lease`), so it holds the lease already."""
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    state = CLAIMED if held else claim(record_key, step, clock.now(), STEP_LEASE_SECONDS)
    while state == BUSY:
        if time.monotonic() > deadline:
            raise store.StoreUnavailable(f"{step} in progress", saved=None)
        time.sleep(0.1)
        state = claim(record_key, step, clock.now(), STEP_LEASE_SECONDS)
    if state == DONE:
        return None
    try:
        note = work()
    except Exception:
        release(record_key, step)
        raise
    if note is None:
        finish(record_key, step)
    else:
        release(record_key, step)
    return note
