"""Keeps Python's full garbage collections short in the long-running local server.

Everything the embedded AWS holds (every item of the table, every mail sent) lives in the server's own
heap, so the heap grows with the table. A full collection (generation 2) walks every object that can be
in a reference cycle, and holds every thread while it does: in `bench/load.py` its pauses grew from
170 to 410 ms over 2,000 enquiries, one every 15 s, and each pause landed on every request in flight
(the p99 of the last 500 requests was twice the first 500's).

After each full collection, what survived it is moved out of the collector's sight (`gc.freeze`): the
next full collection walks only what was made since, so a pause stays in proportion to the traffic
between two collections, not to everything stored. What is frozen is still freed by reference counting
(a deleted item, a mail cleared from the outbox); only a reference cycle that forms among frozen objects
is never collected, so the load benchmark's peak memory (docs/performance.md) is the check on it.
"""

import gc


def _freeze_survivors(phase, info):
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


def keep_full_collections_short():
    """From now on, freeze what survives each full collection (once per process, however often called)."""
    if _freeze_survivors not in gc.callbacks:
        gc.callbacks.append(_freeze_survivors)


def stop_freezing():
    """Undo `keep_full_collections_short` (the tests call both in their own process)."""
    if _freeze_survivors in gc.callbacks:
        gc.callbacks.remove(_freeze_survivors)
    gc.unfreeze()
