"""The local server's heap (local/heap.py): full collections walk only what is new since the last."""

import gc
import weakref

import pytest

from local.heap import _freeze_survivors, keep_full_collections_short, stop_freezing


class Held:
    """An object the collector tracks, that a weak reference can watch."""


@pytest.fixture
def freezing():
    """Freezing on for one test, and afterwards as it was (the tests' own process freezes: conftest.py)."""
    was_on = _freeze_survivors in gc.callbacks
    keep_full_collections_short()
    yield
    if not was_on:
        stop_freezing()


def test_what_survives_a_full_collection_is_left_out_of_the_next(freezing):
    survivors = [Held() for _ in range(1_000)]
    frozen_before = gc.get_freeze_count()
    gc.collect()
    assert gc.get_freeze_count() >= frozen_before + len(survivors)


def test_a_frozen_object_no_longer_held_is_still_freed(freezing):
    held = Held()
    gc.collect()
    watched = weakref.ref(held)
    del held
    assert watched() is None


def test_a_cycle_made_after_a_collection_is_still_collected(freezing):
    gc.collect()
    cycle = Held()
    cycle.itself = cycle
    watched = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert watched() is None


def test_asking_twice_freezes_once_and_stopping_undoes_it(freezing):
    keep_full_collections_short()
    assert gc.callbacks.count(_freeze_survivors) == 1
    stop_freezing()
    try:
        assert _freeze_survivors not in gc.callbacks
        assert gc.get_freeze_count() == 0
    finally:
        keep_full_collections_short()
