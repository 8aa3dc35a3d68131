"""GCClock: cyclic garbage is still collected (on the clock, not by allocation count)."""

from __future__ import annotations

import asyncio
import gc
import weakref

from bot.gc_clock import BACKSTOP, GCClock


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector can free it


async def test_cyclic_garbage_is_collected_while_the_clock_runs() -> None:
    before = gc.get_threshold()
    clock = GCClock(every=0.01)
    await clock.start()
    try:
        assert gc.get_threshold() == BACKSTOP  # the allocation count no longer decides
        node = Node()
        gone = asyncio.Event()
        weakref.finalize(node, gone.set)
        del node
        await asyncio.wait_for(gone.wait(), 10)  # freed by a tick, not by allocations
    finally:
        clock.stop()
    assert gc.get_threshold() == before


async def test_start_is_idempotent_and_stop_restores_the_thresholds() -> None:
    before = gc.get_threshold()
    clock = GCClock(every=0.01)
    await clock.start()
    await clock.start()  # on_ready again after a new session
    clock.stop()
    assert gc.get_threshold() == before
    clock.stop()
    assert gc.get_threshold() == before
