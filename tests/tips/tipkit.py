"""Test helpers for the daily-post tests: a controlled clock, a recording poster, tips."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.knowledge.models import Tip
from bot.scheduling import DailyScheduler

# Monday 2 March 2026, 12:00 UTC = 07:00 in New York (EST).
START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NY = "America/New_York"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type, misc]


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
    nonce: str | None


class FakePoster:
    """Records every post with the clock's time; `fail[guild]` makes that guild's sends raise
    (an exception, or a list of them used one per attempt)."""

    def __init__(self, clock: FakeClock):
        self.clock = clock
        self.sent: list[Sent] = []
        self.calls: list[int] = []  # guild ids, every attempt (failed ones too)
        self.fail: dict[int, BaseException] = {}
        self.block: asyncio.Event | None = None  # set: sends wait for it (a hung send)
        self.entered = asyncio.Event()
        self.on_send: list[object] = []  # callables run at send time (to look at the database)
        self._next_id = 1000

    async def __call__(self, guild_id: int, channel_id: int, tip: Tip, nonce: str | None) -> int:
        self.calls.append(guild_id)
        self.entered.set()
        for check in self.on_send:
            await check(guild_id)  # type: ignore[operator]
        if self.block is not None:
            await self.block.wait()
        if guild_id in self.fail:
            raise self.fail[guild_id]
        self.sent.append(Sent(guild_id, channel_id, tip.id, self.clock(), nonce))
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
    scheduler: DailyScheduler, clock: FakeClock, until: datetime, step: timedelta | None = None
) -> None:
    """Tick once a minute (or every `step`) from the clock's time until `until` inclusive."""
    step = step or timedelta(minutes=1)
    while clock.now <= until:
        await scheduler.tick()
        clock.now += step
