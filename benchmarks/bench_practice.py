"""Practice buttons through the local fake Discord, and the store after 100,000 answers.

    python benchmarks/bench_practice.py [--backends sqlite,postgresql] [--runs 1000]
                                        [--presses 5000] [--rate 500] [--answers 100000]

For each backend (SQLite file; PostgreSQL started here with initdb/pg_ctl as the tests do but
durable, fsync on, or --postgres-url):

1. The real bot (`bot.runner._make_bot`, as production) logs in to the test bed's fake Discord,
   which runs in a child process (this script with --serve-fake) so the bot's CPU is its own.
2. `--runs` members each get an active 20-question quiz in the store.
3. The fake presses buttons at `--rate` a second, each to a run whose previous press has been
   answered (a member presses again once they see the feedback), round-robin: an answer
   button (A), then that run's "Next question", and so on. If every run is still waiting, the
   next press waits too, so an overloaded bot shows as an achieved rate below the offered one. Each press is a component interaction (type 3) carrying the button's custom_id on a
   message, exactly what Discord sends; the bot reads the run from the store, applies the
   press, writes it back (compare-and-set, plus the answer row) and edits the message (type 7).
   Latency is measured in the fake: gateway frame sent -> callback POST received.
4. The history is filled to `--answers` answered questions (100 members x 1,000, in batches),
   then the rows and the bytes the practice tables take are read back, with the time of the
   per-member reads issue 9 makes (history, section totals).

The machine is shared: figures move with other load. Run by hand, never in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # tests.e2e.fake_discord
sys.path.insert(0, str(HERE))  # bench_discord

import sqlalchemy as sa  # noqa: E402
import yaml  # noqa: E402
from aiohttp import ClientSession, web  # noqa: E402
from bench_discord import BenchFake, _json_response, percentile, rss_mb  # noqa: E402

Json = dict[str, Any]
QUIZ_LENGTH = 20
SECTIONS = ROOT / "knowledge" / "questions" / "sections.yaml"


# ------------------------------------------------------------------ the fake's process
class PracticeFake(BenchFake):
    """Presses buttons instead of running /ask; the callback answers as Discord does for an
    UPDATE_MESSAGE (type 7)."""

    def __init__(self) -> None:
        super().__init__()
        self.on_callback: Any = lambda iid: None
        self.bench_users: list[Json] = []
        self.sending = False  # all_done means every press sent and answered

    async def _bench_callback(self, request: web.Request) -> web.Response:
        now = asyncio.get_running_loop().time()
        iid = request.match_info["tail"].split("/")[1]
        body = json.loads(await request.read())
        interaction = self.interactions.get(int(iid))
        if interaction is None or iid not in self.pending:
            why = "unknown" if interaction is None else "answered before"
            age = now - self._dispatched_at.get(iid, now)
            print(f"fake: rejected callback for {iid} ({why}, {age:.1f} s)", file=sys.stderr)
            return _json_response({"message": "Unknown interaction", "code": 10062}, 404)
        self.pending.discard(iid)
        self.on_callback(iid)
        self.latency[iid] = now - self._dispatched_at[iid]
        self.last_callback = now
        data = body.get("data") or {}
        if body.get("type") == 7:
            title = ((data.get("embeds") or [{}])[0].get("title") or "").split(" ")[0]
            kind = {"Right!": "feedback", "Not": "feedback", "Question": "next question"}.get(
                title, f"edit: {title}"
            )
        else:
            embed = (data.get("embeds") or [{}])[0]
            kind = f"type {body.get('type')}: {(embed.get('description') or '')[:60]}"
        self.outcome[iid] = kind
        if not self.pending and not self.sending:
            self.all_done.set()
        message = dict(interaction["message"])
        message["embeds"] = data.get("embeds") or []
        message["components"] = data.get("components") or []
        info = {
            "id": iid,
            "type": 3,
            "response_message_id": message["id"],
            "response_message_loading": False,
            "response_message_ephemeral": True,
        }
        resource = {"type": body.get("type"), "message": message}
        return _json_response({"interaction": info, "resource": resource})

    def users_for(self, n: int) -> list[Json]:
        self.bench_users = [self.make_user(f"member{i}") for i in range(n)]
        return self.bench_users

    def press(self, run_id: int, user: Json, step: int) -> Json:
        index, action = divmod(step, 2)
        custom_id = f"medcode:quiz:{run_id}:{index}:{'A' if action == 0 else 'next'}"
        button = {"type": 2, "style": 1, "label": "A", "custom_id": custom_id}
        message = self._new_message(
            self.channel_ids["general"],
            {"components": [{"type": 1, "components": [button]}], "flags": 64},
        )
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interaction(3, data, user=user, message=message)

    async def presses(self, runs: list[int], total: int, rate: float) -> Json:
        """`total` presses offered at `rate` a second, each to a run whose last press has had
        its answer (a member presses again only once they see the feedback): round-robin over
        the idle runs. When every run is waiting, the press waits too (the rate achieved is
        then below the rate offered, and reported)."""
        loop = asyncio.get_running_loop()
        self.latency, self.outcome = {}, {}
        self.pending = set()
        self.all_done.clear()
        idle: collections.deque[int] = collections.deque(range(len(runs)))
        steps = [0] * len(runs)
        owner: dict[str, int] = {}
        kinds: dict[str, int] = {}
        self.released = asyncio.Event()
        self.on_callback = lambda iid: (idle.append(owner[iid]), self.released.set())
        cpu = time.process_time()
        start = loop.time()
        self.sending = True
        for i in range(total):
            delay = start + i / rate - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            while not idle:
                self.released.clear()
                await self.released.wait()
            k = idle.popleft()
            payload = self.press(runs[k], self.bench_users[k], steps[k])
            owner[payload["id"]], kinds[payload["id"]] = k, steps[k] % 2
            steps[k] += 1
            self.interactions[int(payload["id"])] = payload
            self.pending.add(payload["id"])
            self._dispatched_at[payload["id"]] = loop.time()
            await self.dispatch("INTERACTION_CREATE", payload)
        sent = loop.time()
        self.sending = False
        if not self.pending:
            self.all_done.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_done.wait(), 120)
        outcomes: dict[str, int] = {}
        for kind in self.outcome.values():
            outcomes[kind] = outcomes.get(kind, 0) + 1
        if self.pending:
            outcomes["no callback within 120 s"] = len(self.pending)
            for iid in self.pending:
                late = self.interactions[int(iid)]["data"]["custom_id"]
                print(f"fake: no callback for {late}", file=sys.stderr)
        result = {
            "answer_ms": [v * 1000 for k, v in self.latency.items() if kinds[k] == 0],
            "next_ms": [v * 1000 for k, v in self.latency.items() if kinds[k] == 1],
            "offered_s": sent - start,
            "outcomes": outcomes,
            "fake_cpu_s": time.process_time() - cpu,
        }
        self.requests.clear()
        self.interactions.clear()
        self.messages.clear()
        self._dispatched_at.clear()
        self._sent.clear()
        return result


async def serve_fake() -> None:
    fake = PracticeFake()
    await fake.start()

    async def info(request: web.Request) -> web.Response:
        return web.json_response({"api": fake.api_base, "gateway": fake.gateway_url,
                                  "token": fake.token})  # fmt: skip

    async def users(request: web.Request) -> web.Response:
        n = int((await request.json())["n"])
        return web.json_response([int(u["id"]) for u in fake.users_for(n)])

    async def presses(request: web.Request) -> web.Response:
        spec = await request.json()
        return web.json_response(await fake.presses(spec["runs"], spec["total"], spec["rate"]))

    app = web.Application()
    app.router.add_get("/info", info)
    app.router.add_post("/users", users)
    app.router.add_post("/presses", presses)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"CONTROL http://127.0.0.1:{port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await fake.stop()


# ------------------------------------------------------------------- the bot's process
def write_bank(directory: Path, per_section: int = 15) -> Path:
    """A generated bank the size of the real one (21 x 15 = 315 questions)."""
    directory.mkdir(parents=True)
    (directory / "sections.yaml").write_text(SECTIONS.read_text())
    sections = [s["id"] for s in yaml.safe_load(SECTIONS.read_text())["sections"]]
    questions = [
        {
            "id": f"{s}-{n}",
            "section": s,
            "kind": "case",
            "difficulty": 2,
            "code_set": "CPT 2026",
            "question": f"Benchmark question {n} of {s}: " + "x " * 200,
            "options": [f"option {i} " + "y " * 40 for i in range(4)],
            "answer": "ABCD"[n % 4],
            "rationale": "Why. " * 120,
            "source": "Benchmark fixture",
        }
        for s in sections
        for n in range(per_section)
    ]
    (directory / "bank.yaml").write_text(yaml.safe_dump({"questions": questions}))
    return directory


async def store_size(db: Any, backend: str) -> tuple[dict[str, int], int]:
    from bot.practice.tables import practice_answers, practice_runs

    async with db.connect() as conn:
        rows = {
            t.name: (await conn.execute(sa.select(sa.func.count()).select_from(t))).scalar_one()
            for t in (practice_runs, practice_answers)
        }
        if backend == "sqlite":
            query = "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE '%practice%'"
            try:
                size = (await conn.exec_driver_sql(query)).scalar_one()
            except Exception:  # SQLite without the dbstat table: the whole file
                size = None
            if size is None:
                pages = (await conn.exec_driver_sql("PRAGMA page_count")).scalar_one()
                page = (await conn.exec_driver_sql("PRAGMA page_size")).scalar_one()
                size = pages * page
        else:
            size = (
                await conn.exec_driver_sql(
                    "SELECT pg_total_relation_size('practice_answers') "
                    "+ pg_total_relation_size('practice_runs')"
                )
            ).scalar_one()
    return rows, int(size)


async def fill_answers(db: Any, target: int, sections: list[str]) -> float:
    """History rows up to `target`: 100 members, one answer every few minutes."""
    from bot.practice.tables import practice_answers

    async with db.connect() as conn:
        have = (
            await conn.execute(sa.select(sa.func.count()).select_from(practice_answers))
        ).scalar_one()
    rng = random.Random(1)
    start, t0 = datetime(2026, 1, 1, tzinfo=UTC), time.perf_counter()
    missing, batch, n = target - have, [], 0
    while n < missing:
        member = 10_000_000_000_000_000 + n % 100
        section = sections[rng.randrange(len(sections))]
        batch.append({
            "member_id": member, "question_id": f"{section}-{rng.randrange(15)}",
            "answered_at": start + timedelta(minutes=3 * n), "section": section,
            "correct": rng.random() < 0.7, "source": "quiz", "run_id": n // 10,
        })  # fmt: skip
        n += 1
        if len(batch) == 2000 or n == missing:
            async with db.begin() as conn:
                await conn.execute(practice_answers.insert(), batch)
            batch = []
    return time.perf_counter() - t0


async def bench_backend(args: argparse.Namespace, backend: str, url: str, session: Any,
                        control: str, info: Json) -> None:  # fmt: skip
    from bot.practice import runs as r
    from bot.practice.repository import PracticeRepository
    from bot.runner import _make_bot, point_at_discord
    from bot.settings import Settings

    scratch = tempfile.TemporaryDirectory(prefix="bench-practice-")
    bank_dir = write_bank(Path(scratch.name) / "questions")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{Path(scratch.name) / 'db.sqlite3'}"
    settings = Settings(
        _env_file=None, database_url=url, questions_dir=bank_dir,
        discord_api_base=info["api"], discord_gateway=info["gateway"],
    )  # fmt: skip
    point_at_discord(settings)
    bot = _make_bot(settings)
    task = asyncio.create_task(bot.start(info["token"]))
    try:
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        await asyncio.sleep(0.2)
        async with session.post(f"{control}/users", json={"n": args.runs}) as response:
            members = await response.json()
        repo = PracticeRepository(bot.db)
        now, rng = datetime.now(UTC), random.Random(7)
        ids = list(bot.bank.questions)
        run_ids = []
        for member in members:
            run = r.new_quiz(member, rng.sample(ids, QUIZ_LENGTH), now)
            run_ids.append((await repo.start(run)).id)
        cpu = time.process_time()
        payload = {"runs": run_ids, "total": args.presses, "rate": args.rate}
        async with session.post(f"{control}/presses", json=payload) as response:
            result = await response.json()
        cpu = time.process_time() - cpu
        answer, nxt = result["answer_ms"], result["next_ms"]
        both = answer + nxt
        print(f"\n## {backend}: {args.presses:,} presses offered at {args.rate:,.0f}/s over "
              f"{args.runs:,} active quiz runs: sent in {result['offered_s']:.1f} s, "
              f"{len(both) / result['offered_s']:,.0f}/s achieved")  # fmt: skip
        for label, values in (("answer -> feedback", answer), ("Next -> question", nxt),
                              ("all presses", both)):  # fmt: skip
            if values:
                print(f"{label:22} p50 {percentile(values, 50):6.1f} ms   p99 "
                      f"{percentile(values, 99):6.1f} ms   max {max(values):6.1f} ms   "
                      f"(n={len(values):,})")  # fmt: skip
        print(f"bot CPU per press: {cpu * 1e3 / max(1, len(both)):.2f} ms (the fake's: "
              f"{result['fake_cpu_s'] * 1e3 / max(1, len(both)):.2f} ms); "
              f"RSS {rss_mb():.0f} MB")  # fmt: skip
        print(
            "callbacks: " + ", ".join(f"{k} {v:,}" for k, v in sorted(result["outcomes"].items()))
        )
        seconds = await fill_answers(bot.db, args.answers, list(bot.bank.sections))
        rows, size = await store_size(bot.db, backend)
        print(
            f"store after filling to {args.answers:,} answers ({seconds:.1f} s): "
            + ", ".join(f"{name} {count:,} rows" for name, count in rows.items())
            + f"; practice tables {size / 1e6:.1f} MB "
            f"({size / max(1, rows['practice_answers']):.0f} bytes an answer, indexes included)"
        )
        member = 10_000_000_000_000_000
        reads = []
        for i in range(50):
            t0 = time.perf_counter()
            await repo.history(member + i)
            await repo.section_totals(member + i)
            reads.append((time.perf_counter() - t0) * 1000)
        print(f"a member's history (1,000 answers) + section totals: p50 "
              f"{statistics.median(reads):.1f} ms")  # fmt: skip
    finally:
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
        scratch.cleanup()


async def bench(args: argparse.Namespace) -> None:
    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-fake", stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    control = (await asyncio.wait_for(child.stdout.readline(), 30)).decode().strip()
    control = control.removeprefix("CONTROL ")
    session = ClientSession()
    server = None
    try:
        async with session.get(f"{control}/info") as response:
            info = await response.json()
        print(
            f"medcode-bot practice buttons through the fake Discord, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        )
        for backend in args.backends.split(","):
            url = ""
            if backend == "postgresql":
                url = args.postgres_url
                if not url:
                    sys.path.insert(0, str(ROOT / "tests"))
                    from pgserver import LocalPostgres, postgres_bindir

                    bindir = postgres_bindir()
                    if bindir is None:
                        print("\n## postgresql: skipped (no initdb/pg_ctl)")
                        continue
                    server = LocalPostgres(bindir, durable=True)
                    url = server.start()
            await bench_backend(args, backend, url, session, control, info)
    finally:
        await session.close()
        child.terminate()
        await child.wait()
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--presses", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--answers", type=int, default=100_000)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(serve_fake() if args.serve_fake else bench(args))


if __name__ == "__main__":
    main()
