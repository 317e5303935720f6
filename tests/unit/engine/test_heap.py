"""The daemon's heap settling (syncer.engine.heap): frozen survivors, and no garbage kept frozen."""

from __future__ import annotations

import gc
import weakref

from syncer.engine.heap import settle_heap


class _Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector can free it


def test_garbage_frozen_by_an_earlier_settle_is_collected_by_the_next() -> None:
    try:
        node = _Node()
        alive = weakref.ref(node)
        settle_heap()  # node is alive: it is frozen
        assert gc.get_freeze_count() > 0
        del node  # now cyclic garbage inside the permanent generation
        gc.collect()
        assert alive() is not None  # a frozen cycle is invisible to ordinary collections
        settle_heap()
        assert alive() is None
    finally:
        gc.unfreeze()
