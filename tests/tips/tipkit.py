"""Test helpers for the daily-tip tests: a controlled clock, a recording poster, tips."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.knowledge.models import Tip
from bot.tips import TipScheduler

# Monday 2 March 2026, 12:00 UTC = 07:00 in New York (EST).
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand; returns aware UTC datetimes."""

    def __init__(self, now: datetime = START):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, now: datetime) -> None:
        self.now = now.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass(frozen=True)
class Sent:
    guild_id: int
    channel_id: int
    tip_id: str
    at: datetime


class FakePoster:
    """Records every post with the clock's time; `fail[guild]` makes that guild's sends raise."""

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.sent: list[Sent] = []
        self.calls: list[int] = []  # guild ids, every attempt (failed ones too)
        self.fail: dict[int, BaseException] = {}
        self.delay = 0.0
        self.block: asyncio.Event | None = None  # set: sends wait for it (a hung send)
        self.entered = asyncio.Event()
        self._next_id = 1000

    async def __call__(self, guild_id: int, channel_id: int, tip: Tip) -> int:
        self.calls.append(guild_id)
        self.entered.set()
        if self.block is not None:
            await self.block.wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        if guild_id in self.fail:
            raise self.fail[guild_id]
        self.sent.append(Sent(guild_id, channel_id, tip.id, self.clock()))
        self._next_id += 1
        return self._next_id

    def sent_to(self, guild_id: int) -> list[Sent]:
        return [s for s in self.sent if s.guild_id == guild_id]


def make_tips(count: int, prefix: str = "tip") -> list[Tip]:
    return [
        Tip(
            id=f"{prefix}-{i:02d}",
            category="cpt",
            text=f"Study tip number {i}: always read the CPT guidelines first.",
        )
        for i in range(count)
    ]


async def run_minutes(
    scheduler: TipScheduler, clock: FakeClock, until: datetime, step: timedelta | None = None
) -> None:
    """Tick once a minute (or every `step`) from the clock's time until `until` inclusive."""
    step = step or timedelta(minutes=1)
    while clock.now <= until:
        await scheduler.tick()
        clock.now += step


async def _tick_in_this_process(db_path: str, now_iso: str) -> None:
    """Child-process side of the multi-process test: tick twice, print guilds posted."""
    import os
    import sys

    from bot.tips import SqliteTipStore

    clock = FakeClock(datetime.fromisoformat(now_iso))
    poster = FakePoster(clock)
    poster.delay = 0.001
    tips = make_tips(5)
    async with SqliteTipStore(db_path) as store:
        scheduler = TipScheduler(store, poster, lambda: tips, clock, claimer=f"pid-{os.getpid()}")
        await scheduler.tick()
        clock.advance(minutes=1)
        await scheduler.tick()
    sys.stdout.write(" ".join(str(s.guild_id) for s in poster.sent))


if __name__ == "__main__":
    import sys

    asyncio.run(_tick_in_this_process(sys.argv[1], sys.argv[2]))
