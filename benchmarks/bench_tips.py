"""Daily-tip scheduler benchmark: one tick against 10,000 configured guilds on SQLite.

    python benchmarks/bench_tips.py [--guilds 10000] [--hours 48] [--idle-runs 50]

Builds a temporary database of synthetic guilds (a realistic spread of time zones, mostly
American, and of post times, clustered on the hour), then measures, with a no-op poster:

  (a) an idle tick: nothing is due (the common case, every ~minute, all day);
  (b) minute-by-minute ticks over `--hours` hours, each posting the guilds due that minute:
      the typical tick (the median) and the busiest ticks (e.g. ~500 guilds due at 09:00
      New York). Day 1 is every guild's first tip ever (each starts its tip rotation);
      day 2 is the steady state.

It also counts asyncio tasks before, during and after ticks, to show that no per-guild tasks
exist (during a tick there are at most `concurrency` short-lived workers).
Target: <= 50 ms a tick - idle, typical, and the busiest. Run by hand; never a timed test.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.knowledge.models import Tip
from bot.tips import Schedule, SqliteTipStore, TipScheduler, format_post_time, next_due
from bot.tips.store import ts

TARGET_MS = 50.0
# Tuesday 10 March 2026, 30 s past midnight UTC: no scheduled instant falls on a tick.
START = datetime(2026, 3, 10, 0, 0, 30, tzinfo=UTC)

ZONES = [  # (zone, weight): medical-coding study groups are mostly American
    ("America/New_York", 34),
    ("America/Chicago", 20),
    ("America/Los_Angeles", 12),
    ("America/Denver", 5),
    ("America/Phoenix", 2),
    ("America/Anchorage", 1),
    ("Pacific/Honolulu", 1),
    ("America/Puerto_Rico", 1),
    ("America/Toronto", 3),
    ("Asia/Manila", 8),
    ("Asia/Kolkata", 5),
    ("Europe/London", 3),
    ("Africa/Lagos", 2),
    ("Asia/Dubai", 1),
    ("Australia/Sydney", 1),
    ("UTC", 1),
]
POPULAR_TIMES = ["08:00", "09:00", "10:00", "12:00", "17:00", "18:00", "19:00", "20:00"]


def synthetic_tips(count: int) -> list[Tip]:
    return [
        Tip(id=f"tip-{i:03d}", category="cpt", text=f"Synthetic study tip {i}: " + "x" * 40)
        for i in range(count)
    ]


def build_database(path: Path, guilds: int, seed: int = 7) -> float:
    """Insert `guilds` configured guilds with their next due instant; returns seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    zones, weights = zip(*ZONES, strict=True)
    stamp = ts(START)
    rows = []
    for i in range(guilds):
        zone = rng.choices(zones, weights)[0]
        if rng.random() < 0.6:
            post_time = rng.choice(POPULAR_TIMES)
        else:
            post_time = (
                f"{rng.randint(6, 22):02d}:{rng.choice([0, 15, 30, 45, rng.randint(0, 59)]):02d}"
            )
        skip = rng.random() < 0.3
        schedule = Schedule.parse(post_time, zone, skip)
        due = next_due(schedule, START)
        guild_id = 10**17 + i
        rows.append(
            (
                guild_id,
                guild_id + 1,
                format_post_time(schedule.post_time),
                zone,
                int(skip),
                ts(due.at_utc),
                due.local_date.isoformat(),
                stamp,
                stamp,
            )
        )
    with sqlite3.connect(path) as db:
        db.executemany(
            """
            INSERT INTO guild_config (guild_id, channel_id, post_time, timezone, skip_weekends,
                                      next_due_utc, due_date, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            rows,
        )
    return time.perf_counter() - started


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class TaskWatch:
    """A no-op poster that records how many asyncio tasks exist while it runs.

    It counts them on every 16th call only: counting walks every task and would cost the
    tick more than the rest of a send. A task per guild would show in any sample.
    """

    peak: int = 0
    calls: int = 0
    message_id: int = 0

    async def __call__(self, guild_id: int, channel_id: int, tip: Tip) -> int:
        if self.calls % 16 == 0:
            self.peak = max(self.peak, len(asyncio.all_tasks()))
        self.calls += 1
        self.message_id += 1
        return self.message_id


@dataclass
class Sample:
    ms: float
    due: int
    posted: int
    at: datetime = START
    chunks: int = 0


@dataclass
class Results:
    idle: list[Sample] = field(default_factory=list)
    busy: list[Sample] = field(default_factory=list)
    tasks_before: int = 0
    tasks_after: int = 0


async def measure(path: Path, args: argparse.Namespace) -> tuple[Results, TaskWatch]:
    tips = synthetic_tips(120)
    clock = Clock(START)
    poster = TaskWatch()
    results = Results()
    async with SqliteTipStore(path) as store:
        scheduler = TipScheduler(
            store,
            poster,
            lambda: tips,
            clock,
            catchup=timedelta(hours=6),
            claimer="bench",
            concurrency=args.concurrency,
            **({"batch_size": args.batch_size} if args.batch_size else {}),
        )
        await scheduler.tick()  # warm-up (connection, statement cache)
        results.tasks_before = len(asyncio.all_tasks())

        for _ in range(args.idle_runs):
            started = time.perf_counter()
            report = await scheduler.tick()
            results.idle.append(Sample((time.perf_counter() - started) * 1000, report.due, 0))

        for minute in range(1, args.hours * 60 + 1):
            clock.now = START + timedelta(minutes=minute)
            while True:  # as the cog does: tick again at once while the batch was full
                started = time.perf_counter()
                report = await scheduler.tick()
                elapsed = (time.perf_counter() - started) * 1000
                results.busy.append(
                    Sample(elapsed, report.due, len(report.posted), clock.now, report.chunks)
                )
                if not report.more_due:
                    break
        results.tasks_after = len(asyncio.all_tasks())
    return results, poster


def stats(samples: list[Sample]) -> tuple[float, float, float]:
    ms = sorted(s.ms for s in samples)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return statistics.median(ms), p95, ms[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guilds", type=int, default=10_000)
    parser.add_argument("--hours", type=int, default=48)
    parser.add_argument("--idle-runs", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=0, help="default: the scheduler's")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "data" / "bench-tips.sqlite3"

        async def create() -> None:
            async with SqliteTipStore(path):
                pass

        asyncio.run(create())
        build_s = build_database(path, args.guilds)
        results, poster = asyncio.run(measure(path, args))

    working = [s for s in results.busy if s.due]
    posted = sum(s.posted for s in results.busy)

    def day_of(sample: Sample) -> int:
        return (sample.at - START).days + 1

    busiest = {
        day: max((s for s in working if day_of(s) == day), key=lambda s: s.ms)
        for day in sorted({day_of(s) for s in working})
    }

    def row(label: str, samples: list[Sample]) -> str:
        if not samples:
            return f"{label:<34}{0:>7}"
        med, p95, top = stats(samples)
        due = statistics.median(s.due for s in samples)
        return f"{label:<34}{len(samples):>7}{due:>13.0f}{med:>11.2f}{p95:>9.2f}{top:>10.2f}"

    python = sys.version.split()[0]
    print(f"tips scheduler benchmark: {args.guilds:,} guilds, SQLite (WAL), Python {python}")
    print(
        f"database built in {build_s:.1f} s; {args.hours} h of minute ticks posted "
        f"{posted:,} tips with a no-op poster (concurrency={args.concurrency})"
    )
    print()
    print(
        f"{'tick':<34}{'ticks':>7}{'guilds/tick':>13}{'median ms':>11}{'p95 ms':>9}{'max ms':>10}"
    )
    print("-" * 84)
    print(row("(a) idle: none due", results.idle))
    print(row(f"(b) every minute for {args.hours} h", results.busy))
    print(row("    only ticks with guilds due", working))
    print()
    minutes: dict[datetime, list[Sample]] = {}
    for sample in working:
        minutes.setdefault(sample.at, []).append(sample)
    worst_at, worst = max(minutes.items(), key=lambda kv: sum(s.ms for s in kv[1]))
    print(
        f"busiest minute in all: {sum(s.ms for s in worst):.2f} ms over {len(worst)} tick(s) at "
        f"{worst_at:%H:%M} UTC, {sum(s.posted for s in worst)} posted (a tick handles at most "
        "batch_size guilds, then the loop ticks again at once)"
    )
    print("busiest tick of each day (the minute, UTC; guilds due; claim-send-record chunks):")
    for day, peak in busiest.items():
        what = "first tips: rotations start" if day == 1 else "steady state"
        print(
            f"    day {day} ({what}): {peak.ms:7.2f} ms at {peak.at:%H:%M}, "
            f"{peak.due} due, {peak.posted} posted, {peak.chunks} chunk(s)"
        )
    if posted:
        per_guild = sum(s.ms for s in working) / posted
        print(f"\nper posted guild: {per_guild:.3f} ms (all ticks with guilds due)")
    no_extra = results.tasks_before == results.tasks_after and poster.peak <= 1 + args.concurrency
    print(
        f"asyncio tasks: {results.tasks_before} before, {results.tasks_after} after, at most "
        f"{poster.peak} during a tick -> "
        + ("no per-guild tasks" if no_extra else "UNEXPECTED TASKS")
    )
    idle = statistics.median(s.ms for s in results.idle)
    typical = statistics.median(s.ms for s in results.busy)
    worst = max((s.ms for s in busiest.values()), default=0.0)
    checks = {"idle": idle, "typical": typical, "busiest": worst}
    ok = all(ms <= TARGET_MS for ms in checks.values()) and no_extra
    print(
        f"target <= {TARGET_MS:.0f} ms a tick: "
        + ", ".join(
            f"{name} {ms:.2f} ms {'ok' if ms <= TARGET_MS else 'OVER'}"
            for name, ms in checks.items()
        )
        + " -> "
        + ("PASS" if ok else "FAIL")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
