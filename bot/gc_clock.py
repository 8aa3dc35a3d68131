"""Collect the cyclic garbage on a clock, from the event loop, instead of by allocation count.

Every interaction leaves reference cycles behind (discord.py's Interaction and its response
point at each other), so the cyclic collector must run. Triggered by allocation count it runs
in the middle of a burst, dozens of times, each pass also scanning the objects of interactions
still in flight, which then survive into the older generations and are scanned again. On a
clock it runs between callbacks, a few times a second, over the garbage of many interactions at
once. Full collections run rarely: the long-lived heap is frozen once the bot is ready
(MedcodeBot.on_ready). The allocation count stays only as a backstop, for a loop that stalls.

Measured with benchmarks/bench_discord.py: see benchmarks/RESULTS.md (Discord).
"""

from __future__ import annotations

import gc

from discord.ext import tasks

YOUNG_EVERY = 0.1  # seconds between collections of the young generations (0 and 1)
FULL_EVERY = 600  # ticks between full collections (a minute)
BACKSTOP = (200_000, 1_000, 1_000)  # allocation thresholds, far beyond a tick's worth


class GCClock:
    def __init__(self, every: float = YOUNG_EVERY, full_every: int = FULL_EVERY) -> None:
        self.full_every = full_every
        self._ticks = 0
        self._loop = tasks.loop(seconds=every)(self._collect)
        self._previous = gc.get_threshold()

    async def start(self) -> None:
        """Take over from the allocation-count collector (an on_ready listener: idempotent)."""
        if not self._loop.is_running():
            self._previous = gc.get_threshold()
            gc.set_threshold(*BACKSTOP)
            self._loop.start()

    def stop(self) -> None:
        """Hand collection back to the allocation count, as it was before `start`."""
        if self._loop.is_running():
            self._loop.cancel()
            gc.set_threshold(*self._previous)

    async def _collect(self) -> None:
        self._ticks += 1
        gc.collect(2 if self._ticks % self.full_every == 0 else 1)
