"""The real MedcodeBot answering /ask through the local fake Discord (tests/e2e/fake_discord.py).

    python benchmarks/bench_discord.py [--interactions 2000] [--rounds 3] [--rate 500,1000]

The fake runs in a child process (this script with --serve-fake), so the bot's process and its
CPU time are its own: on a 2-core machine the fake takes one core and the bot the other. The
fake's interaction callback is lean here (no request log, spec check or copies: about 0.3 ms of
CPU per interaction against the bot's 0.8-1 ms); login, gateway and sync are the test bed's. The bot
is built exactly as production builds it (`bot.runner._make_bot`: aiohttp
TCPConnector(limit=100), gc.set_threshold(10000, 10, 10); gc.freeze() once ready, in
MedcodeBot.on_ready), logs in, syncs its commands, then each round:

- burst: the fake sends N INTERACTION_CREATE events for /ask (varied questions from
  benchmarks/questions.txt, one member each, so the per-member cooldown is never hit) as fast as
  it can; "handled/s" = N / (last callback received - first event sent);
- paced: N more events at each offered `--rate` per second, for latency without a backlog.

Figures move by +-25 % with other load on the machine: run it when nothing else does.

Event-to-callback time is measured in the fake's process (one clock): from sending the gateway
frame to receiving the bot's POST /interactions/{id}/{token}/callback. Bot CPU is
time.process_time() of the bot's process over the burst. RSS is VmRSS from /proc/self/status.
Targets on a 2-core machine: >= 1,000 interactions/s, p99 <= 50 ms (paced at 1,000/s).
Loopback has no TLS or network latency: real-world figures are lower. Run by hand; never a timed
assertion in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # tests.e2e.fake_discord

from aiohttp import ClientSession, web  # noqa: E402

from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord  # noqa: E402

QUESTIONS = [q for q in (HERE / "questions.txt").read_text(encoding="utf-8").splitlines() if q]
Json = dict[str, Any]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def _json_response(data: Any, status: int = 200) -> web.Response:
    # exactly "application/json": discord.py does not parse "...; charset=utf-8"
    return web.Response(body=json.dumps(data).encode(), status=status,
                        headers={"Content-Type": "application/json"})  # fmt: skip


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


# ------------------------------------------------------------------ the fake's process
class BenchFake(FakeDiscord):
    """The test bed's fake, recording when each benchmark interaction's callback arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.interaction_deadline: float = 3.0  # as Discord: a later callback fails (404)
        self.users = (self.make_user(f"member{i}") for i in itertools.count())
        self.pending: set[str] = set()
        self.latency: dict[str, float] = {}
        self.outcome: dict[str, str] = {}
        self.last_callback = 0.0
        self.peers: set[Any] = set()  # the bot's HTTP connections seen in a run
        self.all_done = asyncio.Event()

    async def _http(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST" and request.path.endswith("/callback"):
            return await self._bench_callback(request)
        return await super()._http(request)  # login, gateway, sync: the test bed as it is

    async def _bench_callback(self, request: web.Request) -> web.Response:
        """The test bed's interaction callback, lean: no request log, no spec check, no copies
        (so the fake's CPU stays well below the bot's). Same answer shape as Discord's."""
        now = asyncio.get_running_loop().time()
        if request.transport is not None:
            self.peers.add(request.transport.get_extra_info("peername"))
        iid = request.match_info["tail"].split("/")[1]  # interactions/{id}/{token}/callback
        body = json.loads(await request.read())
        interaction = self.interactions.get(int(iid))
        if interaction is None or iid not in self.pending:
            return _json_response({"message": "Unknown interaction", "code": 10062}, 404)
        self.pending.discard(iid)
        age = now - self._dispatched_at[iid]
        self.latency[iid] = age
        self.last_callback = now
        data = body.get("data") or {}
        flags = data.get("flags") or 0
        description = ((data.get("embeds") or [{}])[0].get("description") or "").lower()
        if age > self.interaction_deadline:
            kind, status = "late (> 3 s: Discord drops it)", 404
        elif body.get("type") != 4:
            kind, status = f"callback type {body.get('type')}", 200
        elif "slow down" in description or "went wrong" in description:
            kind, status = "cooldown/error", 200
        elif flags & EPHEMERAL:
            kind, status = "unanswered (did you mean)", 200
        else:
            kind, status = "answered", 200
        self.outcome[iid] = kind
        if not self.pending:
            self.all_done.set()
        if status != 200:
            return _json_response({"message": "Unknown interaction", "code": 10062}, status)
        message = {
            "id": str(self.ids()), "channel_id": interaction["channel_id"], "type": 0,
            "content": data.get("content") or "", "author": self.bot_user,
            "timestamp": "2026-01-01T00:00:00+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": [], "mention_roles": [], "attachments": [],
            "embeds": data.get("embeds") or [], "components": data.get("components") or [],
            "pinned": False, "flags": flags, "guild_id": interaction.get("guild_id"),
        }  # fmt: skip
        info = {
            "id": iid, "type": 2, "response_message_id": message["id"],
            "response_message_loading": False, "response_message_ephemeral": bool(flags & 64),
        }  # fmt: skip
        return _json_response({"interaction": info, "resource": {"type": 4, "message": message}})

    async def run(self, n: int, rate: float | None, offset: int) -> Json:
        loop = asyncio.get_running_loop()
        payloads = []
        for i in range(n):
            question = QUESTIONS[(offset + i) % len(QUESTIONS)]
            data = self._command_data("ask", {"question": question}, None, None, False)
            payloads.append(self._interaction(2, data, user=next(self.users)))
        self.pending = {p["id"] for p in payloads}
        self.latency, self.outcome, self.peers = {}, {}, set()
        self.all_done.clear()
        for p in payloads:
            self.interactions[int(p["id"])] = p
        cpu = time.process_time()
        start = loop.time()
        for i, payload in enumerate(payloads):
            if rate:
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
            self._dispatched_at[payload["id"]] = loop.time()
            await self.dispatch("INTERACTION_CREATE", payload)
        sent = loop.time()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.all_done.wait(), 60)
        outcomes: dict[str, int] = {}
        for kind in self.outcome.values():
            outcomes[kind] = outcomes.get(kind, 0) + 1
        if self.pending:
            outcomes["no callback within 60 s"] = len(self.pending)
        result = {
            "n": n,
            "latencies_ms": [v * 1000 for v in self.latency.values()],
            "send_s": sent - start,
            "elapsed_s": self.last_callback - start,
            "outcomes": outcomes,
            "fake_cpu_s": time.process_time() - cpu,
            "connections": len(self.peers),
        }
        # keep the fake's own memory flat between rounds (no RESUME happens in a benchmark)
        self.requests.clear()
        self.messages.clear()
        self.interactions.clear()
        self._dispatched_at.clear()
        self._originals.clear()
        self._sent.clear()
        return result


async def serve_fake() -> None:
    fake = BenchFake()
    await fake.start()

    async def run(request: web.Request) -> web.Response:
        spec = await request.json()
        result = await fake.run(spec["n"], spec.get("rate"), spec.get("offset", 0))
        return web.json_response(result)

    async def info(request: web.Request) -> web.Response:
        return web.json_response({"api": fake.api_base, "gateway": fake.gateway_url,
                                  "token": fake.token})  # fmt: skip

    app = web.Application()
    app.router.add_post("/run", run)
    app.router.add_get("/info", info)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"CONTROL http://127.0.0.1:{port}", flush=True)
    try:
        await asyncio.Event().wait()  # until the parent terminates us
    finally:
        await runner.cleanup()
        await fake.stop()


# ------------------------------------------------------------------- the bot's process
async def bench(args: argparse.Namespace) -> None:
    from bot.runner import _make_bot, point_at_discord
    from bot.settings import Settings

    child = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-fake", stdout=asyncio.subprocess.PIPE
    )
    assert child.stdout is not None
    line = (await asyncio.wait_for(child.stdout.readline(), 30)).decode().strip()
    control = line.removeprefix("CONTROL ")
    session = ClientSession()
    scratch = tempfile.TemporaryDirectory(prefix="bench-discord-")  # the tips database
    bot = None
    try:
        async with session.get(f"{control}/info") as response:
            info = await response.json()
        rss_before_start = rss_mb()
        settings = Settings(
            _env_file=None,
            database_path=Path(scratch.name) / "db.sqlite3",
            discord_api_base=info["api"],
            discord_gateway=info["gateway"],
        )
        point_at_discord(settings)  # as `medcode-bot run` does, then builds the bot:
        bot = _make_bot(settings)
        task = asyncio.create_task(bot.start(info["token"]))
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        await asyncio.sleep(0.2)  # on_ready (gc.collect + gc.freeze) has run
        synced = await bot.tree.sync()
        rss_ready = rss_mb()

        async def run(n: int, rate: float | None, offset: int) -> Json:
            payload = {"n": n, "rate": rate, "offset": offset}
            async with session.post(f"{control}/run", json=payload) as response:
                return await response.json()

        print(
            f"medcode-bot /ask through the fake Discord (fake in its own process), "
            f"{args.interactions:,} interactions x {args.rounds} round(s); {len(synced)} commands "
            f"synced; gc threshold {gc.get_threshold()}, {gc.get_freeze_count():,} objects frozen"
        )
        await run(args.warmup, None, 0)  # warm the connection pool and the caches
        rates = [float(r) for r in args.rate.split(",")]
        bursts: list[Json] = []
        paced: dict[float, list[Json]] = {rate: [] for rate in rates}
        rss_burst = 0.0
        for round_ in range(args.rounds):
            offset = 1 + round_ * 37
            cpu = time.process_time()
            burst = await run(args.interactions, None, offset)
            burst["bot_cpu_s"] = time.process_time() - cpu
            bursts.append(burst)
            rss_burst = rss_burst or rss_mb()  # after the first burst
            for k, rate in enumerate(rates):
                paced[rate].append(await run(args.interactions, rate, offset + 11 * (k + 1)))
        rss_after = rss_mb()
        total = args.warmup + args.rounds * args.interactions * (1 + len(rates))

        def row(label: str, values: list[float], spec: str) -> None:
            cells = " ".join(f"{format(v, spec):>9}" for v in values)
            median = format(statistics.median(values), spec) if len(values) > 1 else ""
            print(f"{label:36} {cells} {median:>9}")

        def pct(results: list[Json], q: float) -> list[float]:
            return [percentile(r["latencies_ms"], q) for r in results]

        header = " ".join(f"{'round ' + str(i + 1):>9}" for i in range(args.rounds))
        print(f"{'':36} {header} {'median':>9}")
        row("burst: handled/s", [b["n"] / b["elapsed_s"] for b in bursts], ",.0f")
        row("burst: event->callback p50 ms", pct(bursts, 50), ".0f")
        row("burst: event->callback p99 ms", pct(bursts, 99), ".0f")
        row("burst: bot CPU ms per interaction", [b["bot_cpu_s"] * 1e3 / b["n"] for b in bursts],
            ".3f")  # fmt: skip
        row("burst: fake CPU ms per interaction",
            [b["fake_cpu_s"] * 1e3 / b["n"] for b in bursts], ".3f")  # fmt: skip
        row("burst: bot's HTTP connections", [b["connections"] for b in bursts], ".0f")
        for rate in rates:
            row(f"paced {rate:,.0f}/s: p50 ms", pct(paced[rate], 50), ".1f")
            row(f"paced {rate:,.0f}/s: p99 ms", pct(paced[rate], 99), ".1f")
            row(f"paced {rate:,.0f}/s: max ms", [max(r["latencies_ms"]) for r in paced[rate]],
                ".1f")  # fmt: skip
        outcomes: dict[str, int] = {}
        for result in itertools.chain(bursts, *paced.values()):
            for kind, count in result["outcomes"].items():
                outcomes[kind] = outcomes.get(kind, 0) + count
        print("callbacks: " + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())))
        print(f"bot RSS: {rss_before_start:.0f} MB before start, {rss_ready:.0f} MB ready, "
              f"{rss_burst:.0f} MB after the first burst, {rss_after:.0f} MB after "
              f"{total:,} interactions")  # fmt: skip
        handled = statistics.median(b["n"] / b["elapsed_s"] for b in bursts)
        p99 = statistics.median(pct(paced[max(rates)], 99))
        rate = max(rates)
        print(
            f"targets: burst >= 1,000/s {'met' if handled >= 1000 else 'NOT met'} "
            f"({handled:,.0f}/s); p99 <= 50 ms paced at {rate:,.0f}/s "
            f"{'met' if p99 <= 50 else 'NOT met'} ({p99:.0f} ms)"
        )
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        if bot is not None and not bot.is_closed():
            await bot.close()
        await session.close()
        child.terminate()
        await child.wait()
        scratch.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rate", default="500,1000", help="offered rates of the paced phases, events/s"
    )
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.serve_fake:
        asyncio.run(serve_fake())
    else:
        asyncio.run(bench(args))


if __name__ == "__main__":
    main()
