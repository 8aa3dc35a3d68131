"""Daily-tip scheduler benchmark: the busiest minute of 10,000 servers, on SQLite or PostgreSQL.

    python benchmarks/bench_tips.py [--backend sqlite|postgres] [--guilds 10000] [--url URL]
                                    [--processes N]   # PostgreSQL: N processes, one shard each

Builds a fresh database of synthetic servers (a realistic spread of time zones, mostly
American, and of post times, clustered on the hour),
finds the minute with the most servers due, and runs the scheduler through it as the cog does
(ticks of at most 100 servers, back to back while batches are full), with a poster that sends
nothing. It measures:

  * the longest time the event loop was blocked during the minute: every callback the loop
    runs is timed, in CPU time and in wall time (target <= 20 ms);
  * each tick's wall time (most of it is waiting on the database, during which the loop
    serves other work), and the whole busiest minute's;
  * an idle tick (nothing due).

PostgreSQL: `--url` (an empty database), else a throwaway server is started with initdb/pg_ctl
as the tests do. Run by hand, never as a timed test; figures in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.knowledge.models import Tip
from bot.scheduling import Schedule, next_due
from bot.scheduling.tables import daily_schedules
from bot.store import Database
from bot.tips import DailyTips

# Tuesday 10 March 2026, 30 s past midnight UTC: no scheduled instant falls on a tick.
START = datetime(2026, 3, 10, 0, 0, 30, tzinfo=UTC)
ZONES = [  # (zone, weight): medical-coding study groups are mostly American
    ("America/New_York", 34), ("America/Chicago", 20), ("America/Los_Angeles", 12),
    ("America/Denver", 5), ("America/Phoenix", 2), ("America/Anchorage", 1),
    ("Pacific/Honolulu", 1), ("America/Puerto_Rico", 1), ("America/Toronto", 3),
    ("Asia/Manila", 8), ("Asia/Kolkata", 5), ("Europe/London", 3), ("Africa/Lagos", 2),
    ("Asia/Dubai", 1), ("Australia/Sydney", 1), ("UTC", 1),
]  # fmt: skip
POPULAR_TIMES = ["08:00", "09:00", "10:00", "12:00", "17:00", "18:00", "19:00", "20:00"]


def synthetic_schedules(count: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    zones, weights = zip(*ZONES, strict=True)
    rows = []
    for i in range(count):
        zone = rng.choices(zones, weights)[0]
        if rng.random() < 0.8:
            post_time = rng.choice(POPULAR_TIMES)
        else:
            post_time = f"{rng.randrange(24):02d}:{rng.choice([0, 15, 30, 45]):02d}"
        weekends = rng.random() < 0.2
        due = next_due(Schedule.parse(post_time, zone, weekends), START)
        guild_id = (rng.getrandbits(41) << 22) | i  # snowflake-like ids
        rows.append({
            "guild_id": guild_id, "kind": "tip", "channel_id": guild_id + 1,
            "post_time": post_time, "timezone": zone, "skip_weekends": weekends,
            "next_due_at": due.at_utc, "due_date": due.local_date, "failures": 0,
            "revision": 1, "created_at": START, "updated_at": START,
        })  # fmt: skip
    return rows


class LoopWatch:
    """The longest synchronous stretch on the event loop: every callback the loop runs
    (each step of each task) is timed, in wall time and in this thread's CPU time. The CPU
    figure leaves out the time the OS gave the core to other processes (this machine is
    shared, so the wall figure is an upper bound)."""

    def __init__(self) -> None:
        self.worst_wall = self.worst_cpu = 0.0
        self._original = asyncio.events.Handle._run

    def __enter__(self) -> LoopWatch:
        original, watch = self._original, self

        def timed(handle: asyncio.events.Handle) -> None:
            wall, cpu = time.perf_counter(), time.thread_time()
            original(handle)
            watch.worst_wall = max(watch.worst_wall, time.perf_counter() - wall)
            watch.worst_cpu = max(watch.worst_cpu, time.thread_time() - cpu)

        asyncio.events.Handle._run = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.events.Handle._run = self._original  # type: ignore[method-assign]


TIPS = [
    Tip(id=f"tip-{i:03d}", category="cpt", text=f"Study tip number {i}: read the guidelines.")
    for i in range(179)
]


async def populate(url: str, guilds: int) -> tuple[datetime, int]:
    """Fill an empty database; returns the busiest minute and how many servers are due then."""
    db = Database(url)
    await db.start()
    rows = synthetic_schedules(guilds)
    busiest_at, busiest = Counter(r["next_due_at"] for r in rows).most_common(1)[0]
    for row in rows:  # earlier ones are for the next day: only the busiest minute is due
        if row["next_due_at"] < busiest_at:  # type: ignore[operator]
            row["next_due_at"] += timedelta(days=1)  # type: ignore[operator]
            row["due_date"] += timedelta(days=1)  # type: ignore[operator]
    async with db.begin() as conn:
        for start in range(0, len(rows), 1000):
            await conn.execute(sa.insert(daily_schedules), rows[start : start + 1000])
    await db.close()
    return busiest_at, busiest  # type: ignore[return-value]


async def busiest_minute(
    url: str, at: datetime, shards: tuple[int, tuple[int, ...]] | None = None
) -> dict[str, float]:
    """One process's run through the minute, as the cog does it (optionally for its shards)."""
    db = Database(url)
    await db.start()
    now = [START]

    async def poster(guild_id: int, channel_id: int, tip: Tip, nonce: str | None) -> int:
        await asyncio.sleep(0)  # a send yields to the loop at least once
        return guild_id

    scheduler = DailyTips(db, lambda: TIPS, poster, clock=lambda: now[0], shards=shards).scheduler
    idle = []
    for _ in range(20):
        began = time.perf_counter()
        await scheduler.tick()
        idle.append((time.perf_counter() - began) * 1000)
    gc.collect()  # as the bot does once ready (bot/bot.py, bot/runner.py)
    gc.freeze()
    now[0] = at + timedelta(seconds=20)
    ticks: list[float] = []
    posted = 0
    with LoopWatch() as watch:
        began_minute, started = time.perf_counter(), time.time()
        while True:
            began = time.perf_counter()
            report = await scheduler.tick()
            ticks.append((time.perf_counter() - began) * 1000)
            posted += len(report.posted)
            if not report.more_due:
                break
            await asyncio.sleep(0)
        minute = (time.perf_counter() - began_minute) * 1000
    await db.close()
    return {
        "posted": posted, "idle": statistics.median(idle), "stall_cpu": watch.worst_cpu * 1000,
        "stall_wall": watch.worst_wall * 1000, "ticks": len(ticks),
        "tick_median": statistics.median(ticks), "tick_max": max(ticks), "minute": minute,
        "started": started, "ended": time.time(),
    }  # fmt: skip


def _in_a_process(url: str, at: datetime, shards: tuple[int, tuple[int, ...]]) -> dict[str, float]:
    gc.set_threshold(10_000, 10, 10)
    return asyncio.run(busiest_minute(url, at, shards))


def bench(url: str, guilds: int, processes: int) -> dict[str, object]:
    at, due = asyncio.run(populate(url, guilds))
    if processes == 1:
        runs = [asyncio.run(busiest_minute(url, at))]
    else:  # one process per shard, all on the same database, at the same time
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(processes, mp_context=context) as pool:
            shards = [(processes, (n,)) for n in range(processes)]
            runs = list(pool.map(_in_a_process, [url] * processes, [at] * processes, shards))
    whole = (max(r["ended"] for r in runs) - min(r["started"] for r in runs)) * 1000
    return {
        "servers": guilds,
        "processes": processes,
        "busiest minute": f"{at:%H:%M} UTC, {due} due, {sum(r['posted'] for r in runs):.0f} posted",
        "idle tick (median of 20)": " / ".join(f"{r['idle']:.1f} ms" for r in runs),
        "longest event-loop stall (CPU)": " / ".join(f"{r['stall_cpu']:.1f} ms" for r in runs)
        + " (target <= 20 ms)",
        "longest event-loop stall (wall)": " / ".join(f"{r['stall_wall']:.1f} ms" for r in runs),
        "ticks": " / ".join(f"{r['ticks']:.0f}" for r in runs),
        "tick wall time": " / ".join(
            f"median {r['tick_median']:.0f} ms, max {r['tick_max']:.0f} ms" for r in runs
        ),
        "whole busiest minute": f"{whole:.0f} ms",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--guilds", type=int, default=10_000)
    parser.add_argument("--url", help="an empty database to use instead of a fresh one")
    parser.add_argument(
        "--processes", type=int, default=1, help="PostgreSQL: that many processes, one per shard"
    )
    args = parser.parse_args()
    gc.set_threshold(10_000, 10, 10)  # as bot/runner.py does
    server = None
    with tempfile.TemporaryDirectory() as scratch:
        url = args.url
        if url is None and args.backend == "sqlite":
            url = f"sqlite+aiosqlite:///{scratch}/bench.sqlite3"
        elif url is None:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from pgserver import LocalPostgres, postgres_bindir

            bindir = postgres_bindir()
            if bindir is None:
                print("PostgreSQL binaries not found; pass --url", file=sys.stderr)
                return 1
            server = LocalPostgres(bindir, durable=True)
            url = server.start()
        try:
            results = bench(url, args.guilds, args.processes)
        finally:
            if server is not None:
                server.stop()
    print(f"backend: {args.backend}")
    for name, value in results.items():
        print(f"{name}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
