"""Study habits: the question of the day under a rush, the due-card query, chart rendering.

    python benchmarks/bench_habits.py [--backends sqlite,postgresql] [--members 5000]
                                      [--seconds 60] [--cards 1000000] [--charts 20]

For each backend (a SQLite file; PostgreSQL started here with initdb/pg_ctl as the tests do,
fsync off, or --postgres-url):

1. **QOTD rush.** One post; `--members` distinct members answer it spread evenly over
   `--seconds` (default 5,000 in a minute), each press doing what the cog does after Discord
   delivers it: the post from the process's memory, the one-answer insert with its history
   row, review card and streak day in one transaction, and the ephemeral reply's embed.
   Press-to-reply is measured around that (the fake Discord's gateway and HTTP are not in it:
   bench_practice.py measures those for practice presses). A tenth of the members press twice
   at once: rows written must still equal the members.
2. **Due cards.** `--cards` review cards over `--cards / 10` members, then the /review queries
   (due cards of a member, their count, the next due date) for 1,000 random members.
3. **Charts** (once, not per backend): `progress_chart` and `range_chart`, `--charts` times.

The machine is shared: figures move with other load. Run by hand, never in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # tests.conftest

import sqlalchemy as sa  # noqa: E402

from bot.exts.habits import _views as views  # noqa: E402
from bot.habits.charts import progress_chart, range_chart  # noqa: E402
from bot.habits.progress import AnswerRow, MockScore, build_progress  # noqa: E402
from bot.habits.qotd import QotdRepository  # noqa: E402
from bot.habits.repository import HabitsRepository  # noqa: E402
from bot.habits.tables import qotd_answers, review_cards, streak_days  # noqa: E402
from bot.practice import load_bank  # noqa: E402
from bot.practice.tables import practice_answers  # noqa: E402
from bot.store import Database  # noqa: E402

NOW = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def count(db: Database, table: sa.Table, *where: sa.ColumnElement[bool]) -> int:
    async with db.connect() as conn:
        query = sa.select(sa.func.count()).select_from(table)
        return int(await conn.scalar(query.where(*where) if where else query) or 0)


async def qotd_rush(db: Database, members: int, seconds: float) -> None:
    bank = load_bank(ROOT / "knowledge" / "questions")
    question = next(iter(bank.questions.values()))
    section = bank.section_name(question.section)
    repo = QotdRepository(db)
    post = await repo.open_post(1, question.id, 2, "bench", NOW, NOW + timedelta(hours=12))
    latencies: list[float] = []
    doubles = 0

    async def press(member: int, letter: str) -> None:
        start = time.perf_counter()
        answered = await repo.answer(post, question, member, letter, NOW, f"m{member}", "UTC")
        if answered.recorded:
            views.qotd_feedback(question, letter).to_dict()
        latencies.append(time.perf_counter() - start)

    tasks = []
    gap = seconds / members
    began = time.perf_counter()
    for index in range(members):
        member = 10**17 + index
        letter = "ABCD"[index % 4]
        due = began + index * gap
        if (delay := due - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(press(member, letter)))
        if index % 10 == 0:  # a double press, at the same moment
            doubles += 1
            tasks.append(asyncio.create_task(press(member, "ABCD"[(index + 1) % 4])))
    await asyncio.gather(*tasks)
    took = time.perf_counter() - began
    rows = await count(db, qotd_answers)
    history = await count(db, practice_answers, practice_answers.c.source == "qotd")
    cards = await count(db, review_cards)
    days = await count(db, streak_days)
    ms = [v * 1000 for v in latencies]
    print(
        f"- QOTD rush: {members} members (+{doubles} double presses) over {took:.1f} s "
        f"({section}): press-to-reply p50 {pct(ms, 50):.1f} ms, p99 {pct(ms, 99):.1f} ms, "
        f"max {max(ms):.1f} ms; rows written: {rows} answers, {history} history rows, "
        f"{cards} review cards, {days} streak days ({'OK' if rows == members else 'WRONG'})"
    )


async def due_cards(db: Database, cards: int) -> None:
    members = max(cards // 10, 1)
    began = time.perf_counter()
    batch = 20_000
    state = {"card_id": 0, "state": 1, "step": 0, "stability": None, "difficulty": None,
             "due": NOW.isoformat(), "last_review": None}  # fmt: skip
    for start in range(0, cards, batch):
        rows = [
            {
                "member_id": 10**17 + (i % members),
                "question_id": f"q-{i // members}",
                "due": NOW + timedelta(hours=(i * 7919) % (24 * 60) - 12 * 60),
                "state": state,
                "reviews": 1,
                "updated_at": NOW,
            }
            for i in range(start, min(start + batch, cards))
        ]
        async with db.begin() as conn:
            await conn.execute(review_cards.insert(), rows)
    filled = time.perf_counter() - began
    repo = HabitsRepository(db)
    timings: dict[str, list[float]] = {"due_cards": [], "due_count": [], "next_due": []}
    rng = random.Random(1)
    for _ in range(1000):
        member = 10**17 + rng.randrange(members)
        for name, call in (
            ("due_cards", lambda m=member: repo.due_cards(m, NOW)),
            ("due_count", lambda m=member: repo.due_count(m, NOW)),
            ("next_due", lambda m=member: repo.next_due(m)),
        ):
            start = time.perf_counter()
            await call()
            timings[name].append((time.perf_counter() - start) * 1000)
    parts = ", ".join(
        f"{name} p50 {pct(v, 50):.2f} ms / p99 {pct(v, 99):.2f} ms" for name, v in timings.items()
    )
    print(f"- Due cards: {cards:,} cards, {members:,} members (filled in {filled:.0f} s): {parts}")


def charts(times: int) -> None:
    answers = [
        AnswerRow(f"s{i % 21}", i % 3 != 0, NOW - timedelta(days=i % 56)) for i in range(5000)
    ]
    mocks = [MockScore(NOW - timedelta(days=i), 70 + i, 100) for i in range(5)]
    progress = build_progress(
        answers, {f"s{i}": f"Section {i}" for i in range(21)}, mocks, zone=UTC
    )
    rows = [(f"Level {i}", 40_000 + 5_000 * i, 50_000 + 6_000 * i) for i in range(7)]
    for name, draw in (("progress_chart", lambda: progress_chart(progress)),
                       ("range_chart", lambda: range_chart("Career levels", rows))):  # fmt: skip
        spent, size = [], 0
        for _ in range(times):
            start = time.perf_counter()
            size = len(draw())
            spent.append((time.perf_counter() - start) * 1000)
        print(
            f"- {name}: median {statistics.median(spent):.0f} ms, max {max(spent):.0f} ms, "
            f"{size / 1024:.0f} KiB PNG"
        )


async def bench_backend(args: argparse.Namespace, backend: str, url: str) -> None:
    print(f"\n## {backend}")
    db = Database(url)
    await db.start()
    try:
        await qotd_rush(db, args.members, args.seconds)
        await due_cards(db, args.cards)
    finally:
        await db.close()


async def bench(args: argparse.Namespace) -> None:
    print(f"bench_habits {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, python {sys.version.split()[0]}")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "sqlite":
                await bench_backend(args, backend, f"sqlite+aiosqlite:///{tmp}/bench.sqlite3")
                continue
            url, server = args.postgres_url, None
            if url is None:
                from tests.conftest import _LocalPostgres, _postgres_bindir

                bindir = _postgres_bindir()
                if bindir is None:
                    print("\n## postgresql: skipped (no initdb/pg_ctl)")
                    continue
                server = _LocalPostgres(bindir)
                url = server.start()
            try:
                await bench_backend(args, backend, url)
            finally:
                if server is not None:
                    server.stop()
    print("\n## charts")
    charts(args.charts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--cards", type=int, default=1_000_000)
    parser.add_argument("--charts", type=int, default=20)
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
