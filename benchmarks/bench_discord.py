"""medcode-bot against a trivial reference bot, both answering /ask through the local fake Discord.

    python benchmarks/bench_discord.py [--interactions 2000] [--rounds 3] [--rate 500,1000]

Three kinds of process, so that each bot's CPU time and memory are its own: the fake Discord
(tests/e2e/fake_discord.py, this script with --serve-fake), and, one at a time, a bot (this
script with --serve-bot): either medcode-bot, built exactly as production builds it
(`bot.runner._make_bot`), or the reference bot of benchmarks/reference_bot.py, a stock
`commands.Bot` whose /ask replies "pong". Each round runs both bots, each in a fresh process,
alternating which goes first, against the same fake; ratios are taken within a round, so a
change in the machine's load between rounds moves both bots alike.

Each bot logs in, syncs its commands, answers a warm-up burst (by default as big as the burst:
a bot that has run a while has its connections open and its caches filled), then:
- burst: the fake sends N INTERACTION_CREATE events for /ask as fast as it can; "handled/s" is
  N / (last callback received - first event sent); bot CPU is time.process_time() of the bot's
  process over the burst, and its cyclic GC time is measured with gc.callbacks;
- paced: N more events at each offered `--rate` per second; event-to-callback time is measured in
  the fake's process (one clock), from sending the gateway frame to receiving the bot's
  POST /interactions/{id}/{token}/callback;
- RSS (VmRSS) of the bot's process after the burst and at the end.

Every interaction comes from a member of its own (a new user id each time: thousands of
members per run, as in a busy server, so the per-member cooldown is never what answers), with a
question from benchmarks/questions.txt. The fake checks every answer: medcode-bot's embed must be
exactly the one a fresh engine builds for that question (so every figure is there, and no
cooldown or error message), the reference bot's content "pong". It prints a digest of every
distinct request body, to show that a change to the bot left its answers as they were.

`--without cache,gc-clock` switches medcode-bot's levers off (the answer cache of
bot/exts/_answers.py, the GC clock of bot/gc_clock.py), to measure what each gives;
`--with lean-response` tries one in the benchmark only (the interaction callback without
`?with_response`, by patching discord.py's webhook adapter). Figures: benchmarks/RESULTS.md.

Targets (issue 12): burst throughput >= 1.0x the reference bot, CPU per interaction <= the
reference's, p99 <= 5 ms paced at 500/s. The machine's other load moves the figures: run it when
little else runs and quote medians. Loopback has no TLS or network latency: real-world figures
are lower. Run by hand; never a timed assertion in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import hashlib
import itertools
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # tests.e2e.fake_discord, benchmarks.reference_bot

from aiohttp import ClientSession, web  # noqa: E402

from tests.e2e.fake_discord import EPHEMERAL, FakeDiscord  # noqa: E402

QUESTIONS = [q for q in (HERE / "questions.txt").read_text(encoding="utf-8").splitlines() if q]
KINDS = ("reference", "medcode")
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


def fresh_embeds() -> dict[str, Json]:
    """The embed a freshly loaded engine answers each benchmark question with."""
    from bot.engine import Engine
    from bot.exts._embeds import answer_embed
    from bot.knowledge import load_knowledge
    from bot.settings import Settings

    engine = Engine(load_knowledge(Settings(_env_file=None).knowledge_dir))
    return {q: answer_embed(engine.answer(q)).to_dict() for q in QUESTIONS}  # type: ignore[misc]


# ------------------------------------------------------------------ the fake's process
class BenchFake(FakeDiscord):
    """The test bed's fake, recording when each benchmark interaction's callback arrives and
    whether it carries the expected answer."""

    def __init__(self) -> None:
        super().__init__()
        self.interaction_deadline: float = 3.0  # as Discord: a later callback fails (404)
        self.users = (self.make_user(f"member{i}") for i in itertools.count())
        self.expected = fresh_embeds()
        self.kind = "medcode"
        self.pending: dict[str, str] = {}  # interaction id -> its question
        self.latency: dict[str, float] = {}
        self.outcome: dict[str, str] = {}
        self.bodies: dict[str, bytes] = {}  # question -> the first callback body seen for it
        self.inconsistent = 0  # callbacks whose body differs from the first for that question
        self.last_callback = 0.0
        self.peers: set[Any] = set()  # the bot's HTTP connections seen in a run
        self.all_done = asyncio.Event()

    async def _http(self, request: web.Request) -> web.StreamResponse:
        if request.method == "POST" and request.path.endswith("/callback"):
            return await self._bench_callback(request)
        return await super()._http(request)  # login, gateway, sync: the test bed as it is

    def _judge(self, question: str, body: Json) -> str:
        data = body.get("data") or {}
        if body.get("type") != 4:
            return f"callback type {body.get('type')}"
        if self.kind == "reference":
            return "pong" if data.get("content") == "pong" else "not pong"
        embeds = data.get("embeds") or [{}]
        if embeds[0] != self.expected[question]:
            description = (embeds[0].get("description") or "").lower()
            if "slow down" in description or "went wrong" in description:
                return "cooldown/error"
            return "differs from a fresh engine's answer"
        if (data.get("flags") or 0) & EPHEMERAL:
            return "did you mean (as a fresh engine)"
        return "answered (as a fresh engine)"

    async def _bench_callback(self, request: web.Request) -> web.Response:
        """The test bed's interaction callback, lean: no request log, no spec check, no copies
        (so the fake's CPU stays well below the bot's). Same answer shape as Discord's:
        the created message only when asked for it (`with_response`), else 204."""
        now = asyncio.get_running_loop().time()
        if request.transport is not None:
            self.peers.add(request.transport.get_extra_info("peername"))
        iid = request.match_info["tail"].split("/")[1]  # interactions/{id}/{token}/callback
        raw = await request.read()
        body = json.loads(raw)
        interaction = self.interactions.get(int(iid))
        question = self.pending.pop(iid, None)
        if interaction is None or question is None:
            return _json_response({"message": "Unknown interaction", "code": 10062}, 404)
        age = now - self._dispatched_at[iid]
        self.latency[iid] = age
        self.last_callback = now
        first = self.bodies.setdefault(question, raw)
        self.inconsistent += first != raw
        self.outcome[iid] = self._judge(question, body)
        if not self.pending:
            self.all_done.set()
        if age > self.interaction_deadline:
            self.outcome[iid] = "late (> 3 s: Discord drops it)"
            return _json_response({"message": "Unknown interaction", "code": 10062}, 404)
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return web.Response(status=204)
        data = body.get("data") or {}
        flags = data.get("flags") or 0
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
        questions = {}
        for i in range(n):
            question = QUESTIONS[(offset + i) % len(QUESTIONS)]
            data = self._command_data("ask", {"question": question}, None, None, False)
            payload = self._interaction(2, data, user=next(self.users))
            payloads.append(payload)
            questions[payload["id"]] = question
        self.pending = questions
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

    def digest(self) -> Json:
        """What the bot sent, question by question, since the last call; then forgets it."""
        blob = b"\n".join(q.encode() + b"\t" + self.bodies[q] for q in sorted(self.bodies))
        result = {"sha256": hashlib.sha256(blob).hexdigest()[:16], "questions": len(self.bodies),
                  "inconsistent": self.inconsistent}  # fmt: skip
        self.bodies, self.inconsistent = {}, 0
        return result


async def serve_fake() -> None:
    fake = BenchFake()
    await fake.start()

    async def run(request: web.Request) -> web.Response:
        spec = await request.json()
        result = await fake.run(spec["n"], spec.get("rate"), spec.get("offset", 0))
        return web.json_response(result)

    async def info(request: web.Request) -> web.Response:
        if "kind" in request.query:
            fake.kind = request.query["kind"]
        return web.json_response({"api": fake.api_base, "gateway": fake.gateway_url,
                                  "token": fake.token})  # fmt: skip

    async def digest(request: web.Request) -> web.Response:
        return web.json_response(fake.digest())

    app = web.Application()
    app.router.add_post("/run", run)
    app.router.add_get("/info", info)
    app.router.add_get("/digest", digest)
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


# ------------------------------------------------------------------- a bot's process
class GCTimer:
    """Time spent in the cyclic garbage collector, by generation (gc.callbacks)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.count = [0, 0, 0]
        self._started = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._started
            self.count[info["generation"]] += 1

    def __enter__(self) -> GCTimer:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


LEVERS = ("cache", "gc-clock")
EXPERIMENTS = ("lean-response",)


def with_experiments(experiments: list[str]) -> None:
    """Levers tried in the benchmark only (e.g. --with lean-response), to see what they give."""
    if "lean-response" in experiments:
        # The callback without ?with_response: Discord answers 204, discord.py parses nothing.
        from discord.http import Route
        from discord.interactions import InteractionCallbackResponse
        from discord.webhook.async_ import AsyncWebhookAdapter

        def create_interaction_response(
            self: Any, interaction_id: int, token: str, *, session: Any, proxy: Any = None,
            proxy_auth: Any = None, params: Any,
        ) -> Any:  # fmt: skip
            route = Route("POST", "/interactions/{webhook_id}/{webhook_token}/callback",
                          webhook_id=interaction_id, webhook_token=token)  # fmt: skip
            return self.request(route, session=session, proxy=proxy, proxy_auth=proxy_auth,
                                payload=params.payload)  # fmt: skip

        update = InteractionCallbackResponse._update

        def _update(self: Any, data: Any) -> None:
            if data:
                return update(self, data)
            self.id, self._thinking, self._ephemeral = self._parent.id, False, False
            self.message_id = self.activity_id = self.resource = None

        AsyncWebhookAdapter.create_interaction_response = create_interaction_response
        InteractionCallbackResponse._update = _update


def without(levers: list[str]) -> None:
    """Switch levers off, to measure what each gives (e.g. --without cache)."""
    if "cache" in levers:
        from bot.exts import _answers

        def uncached(self: Any, engine: Any, question: str) -> Any:
            answer = engine.answer(question)
            return _answers.Reply(answer, _answers.answer_embed(answer))

        _answers.AnswerCache.reply = uncached  # type: ignore[method-assign]
    if "gc-clock" in levers:
        from bot import gc_clock

        async def allocation_count_gc(self: Any) -> None:
            pass  # the runner's threshold stays: (10000, 10, 10)

        gc_clock.GCClock.start = allocation_count_gc  # type: ignore[method-assign]


def build_bot(kind: str, info: Json, scratch: Path, args: argparse.Namespace) -> Any:
    import discord
    import yarl

    if kind == "reference":
        from benchmarks.reference_bot import make_reference_bot

        discord.http.Route.BASE = info["api"]
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(info["gateway"])
        return make_reference_bot()
    from bot.runner import _make_bot, point_at_discord
    from bot.settings import Settings

    without(args.without)  # before the bot is built
    with_experiments(args.with_)

    settings = Settings(
        _env_file=None,
        database_path=scratch / "db.sqlite3",
        discord_api_base=info["api"],
        discord_gateway=info["gateway"],
    )
    point_at_discord(settings)  # as `medcode-bot run` does, then builds the bot:
    return _make_bot(settings)


async def serve_bot(args: argparse.Namespace) -> None:
    """Log one bot in, run the warm-up, the burst and the paced phases, print a JSON line."""
    session = ClientSession()
    scratch = tempfile.TemporaryDirectory(prefix="bench-discord-")  # the tips database
    bot = None

    async def run(n: int, rate: float | None, offset: int) -> Json:
        payload = {"n": n, "rate": rate, "offset": offset}
        async with session.post(f"{args.control}/run", json=payload) as response:
            return await response.json()

    try:
        async with session.get(f"{args.control}/info", params={"kind": args.serve_bot}) as r:
            info = await r.json()
        bot = build_bot(args.serve_bot, info, Path(scratch.name), args)
        task = asyncio.create_task(bot.start(info["token"]))
        await asyncio.wait_for(bot.wait_until_ready(), 30)
        await asyncio.sleep(0.2)  # medcode-bot's on_ready (gc.collect + gc.freeze) has run
        await bot.tree.sync()
        result: Json = {"kind": args.serve_bot, "rss_ready": rss_mb(),
                        "gc_threshold": gc.get_threshold(), "frozen": gc.get_freeze_count()}  # fmt: skip
        warmup = await run(args.warmup, None, args.offset)  # fill the connection pool, caches
        result["warmup_outcomes"] = warmup["outcomes"]
        cpu = time.process_time()
        with GCTimer() as timer:
            burst = await run(args.interactions, None, args.offset + 1)
        burst["bot_cpu_s"] = time.process_time() - cpu
        burst["gc_s"], burst["gc_count"] = timer.seconds, timer.count
        result["burst"] = burst
        result["rss_burst"] = rss_mb()
        result["paced"] = {}
        for k, rate in enumerate(args.rates):
            paced = await run(args.interactions, rate, args.offset + 11 * (k + 1))
            result["paced"][str(rate)] = paced
        result["rss_end"] = rss_mb()
        cog = bot.get_cog("Ask")
        if cog is not None and hasattr(cog, "answers"):
            info = cog.answers.cache_info()
            result["cache"] = {"hits": info.hits, "misses": info.misses}
        async with session.get(f"{args.control}/digest") as r:
            result["digest"] = await r.json()
        print("RESULT " + json.dumps(result), flush=True)
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    finally:
        if bot is not None and not bot.is_closed():
            await bot.close()
        await session.close()
        scratch.cleanup()


# -------------------------------------------------------------------- the orchestrator
async def run_bot_process(kind: str, control: str, args: argparse.Namespace, offset: int) -> Json:
    command = [sys.executable, __file__, "--serve-bot", kind, "--control", control,
               "--interactions", str(args.interactions), "--warmup", str(args.warmup),
               "--rate", args.rate, "--offset", str(offset),
               "--without", ",".join(args.without), "--with", ",".join(args.with_)]  # fmt: skip
    child = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    out, _ = await child.communicate()
    for line in out.decode().splitlines():
        if line.startswith("RESULT "):
            return json.loads(line.removeprefix("RESULT "))
    raise RuntimeError(f"the {kind} bot's process ended ({child.returncode}) without a result")


def report(results: dict[str, list[Json]], args: argparse.Namespace) -> None:
    rounds = args.rounds

    def row(label: str, values: list[float], spec: str) -> None:
        cells = " ".join(f"{format(v, spec):>9}" for v in values)
        median = format(statistics.median(values), spec) if len(values) > 1 else ""
        print(f"{label:44} {cells} {median:>9}")

    def burst_rate(r: Json) -> float:
        return r["burst"]["n"] / r["burst"]["elapsed_s"]

    def cpu_ms(r: Json) -> float:
        return r["burst"]["bot_cpu_s"] * 1e3 / r["burst"]["n"]

    def pct(r: Json, rate: float, q: float) -> float:
        return percentile(r["paced"][str(rate)]["latencies_ms"], q)

    header = " ".join(f"{'round ' + str(i + 1):>9}" for i in range(rounds))
    print(f"{'':44} {header} {'median':>9}")
    for kind in KINDS:
        rs = results[kind]
        print(f"-- {kind}")
        row("burst: handled/s", [burst_rate(r) for r in rs], ",.0f")
        row("burst: bot CPU ms per interaction", [cpu_ms(r) for r in rs], ".3f")
        row("burst: of which cyclic GC ms per interaction",
            [sum(r["burst"]["gc_s"]) * 1e3 / r["burst"]["n"] for r in rs], ".3f")  # fmt: skip
        row("burst: GC passes (gen 0+1+2)", [sum(r["burst"]["gc_count"]) for r in rs], ".0f")
        row("burst: fake CPU ms per interaction",
            [r["burst"]["fake_cpu_s"] * 1e3 / r["burst"]["n"] for r in rs], ".3f")  # fmt: skip
        row("burst: event->callback p99 ms",
            [percentile(r["burst"]["latencies_ms"], 99) for r in rs], ".0f")  # fmt: skip
        row("burst: bot's HTTP connections", [r["burst"]["connections"] for r in rs], ".0f")
        for rate in args.rates:
            row(f"paced {rate:,.0f}/s: p50 ms", [pct(r, rate, 50) for r in rs], ".2f")
            row(f"paced {rate:,.0f}/s: p99 ms", [pct(r, rate, 99) for r in rs], ".2f")
            row(f"paced {rate:,.0f}/s: max ms",
                [max(r["paced"][str(rate)]["latencies_ms"]) for r in rs], ".1f")  # fmt: skip
        if all("cache" in r for r in rs):
            row("answer cache hit rate %",
                [100 * r["cache"]["hits"] / max(1, r["cache"]["hits"] + r["cache"]["misses"])
                 for r in rs], ".1f")  # fmt: skip
        row("RSS MB: ready", [r["rss_ready"] for r in rs], ".0f")
        row("RSS MB: after the burst", [r["rss_burst"] for r in rs], ".0f")
        row("RSS MB: at the end", [r["rss_end"] for r in rs], ".0f")
        outcomes: dict[str, int] = {}
        for r in rs:
            for phase in [r["burst"], *r["paced"].values()]:
                for kind_, count in phase["outcomes"].items():
                    outcomes[kind_] = outcomes.get(kind_, 0) + count
        print("   callbacks: " + ", ".join(f"{k} {v:,}" for k, v in sorted(outcomes.items())))
        warm: dict[str, int] = {}
        for r in rs:
            for kind_, count in r["warmup_outcomes"].items():
                warm[kind_] = warm.get(kind_, 0) + count
        print("   warm-up callbacks: " + ", ".join(f"{k} {v:,}" for k, v in sorted(warm.items())))
        digests = sorted({r["digest"]["sha256"] for r in rs})
        inconsistent = sum(r["digest"]["inconsistent"] for r in rs)
        print(f"   request bodies: digest {', '.join(digests)} over "
              f"{rs[0]['digest']['questions']} questions; {inconsistent} differed from the "
              f"first body sent for the same question")  # fmt: skip
    ours, ref = results["medcode"], results["reference"]
    print("-- medcode-bot / reference, within each round")
    throughput = [burst_rate(o) / burst_rate(r) for o, r in zip(ours, ref, strict=True)]
    cpu = [cpu_ms(o) / cpu_ms(r) for o, r in zip(ours, ref, strict=True)]
    row("burst throughput ratio", throughput, ".2f")
    row("CPU per interaction ratio", cpu, ".2f")
    verdicts = [
        f"throughput >= 1.0x {'met' if statistics.median(throughput) >= 1 else 'NOT met'}",
        f"CPU <= 1.0x {'met' if statistics.median(cpu) <= 1 else 'NOT met'}",
    ]
    if 500.0 in args.rates:
        p99 = statistics.median(pct(o, 500.0, 99) for o in ours)
        verdicts.append(f"p99 <= 5 ms at 500/s {'met' if p99 <= 5 else 'NOT met'} ({p99:.2f} ms)")
    print("targets: " + "; ".join(verdicts), flush=True)


async def bench(args: argparse.Namespace) -> None:
    fake = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-fake", stdout=asyncio.subprocess.PIPE
    )
    assert fake.stdout is not None
    try:
        line = (await asyncio.wait_for(fake.stdout.readline(), 60)).decode().strip()
        control = line.removeprefix("CONTROL ")
        print(
            f"/ask through the fake Discord (in its own process; each bot in its own), "
            f"{args.interactions:,} interactions a phase, {args.rounds} round(s); "
            f"{len(QUESTIONS)} questions; medcode-bot without: {', '.join(args.without) or '-'}, "
            f"with: {', '.join(args.with_) or '-'}; "
            f"load average {os.getloadavg()[0]:.2f}",
            flush=True,
        )
        results: dict[str, list[Json]] = {kind: [] for kind in KINDS}
        for round_ in range(args.rounds):
            order = KINDS if round_ % 2 == 0 else KINDS[::-1]
            for kind in order:
                results[kind].append(await run_bot_process(kind, control, args, round_ * 37))
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
        report(results, args)
    finally:
        fake.terminate()
        await fake.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--interactions", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rate", default="500,1000", help="offered rates of the paced phases, events/s"
    )
    parser.add_argument(
        "--warmup", type=int, help="interactions of the warm-up burst (default: --interactions)"
    )
    parser.add_argument(
        "--without", default="", help=f"medcode-bot's levers to switch off: {', '.join(LEVERS)}"
    )
    parser.add_argument(
        "--with", dest="with_", default="", help=f"experiments: {', '.join(EXPERIMENTS)}"
    )
    parser.add_argument("--serve-fake", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--serve-bot", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--control", help=argparse.SUPPRESS)
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rate.split(",")]
    args.without = [lever for lever in args.without.split(",") if lever]
    args.with_ = [lever for lever in args.with_.split(",") if lever]
    if unknown := set(args.without) - set(LEVERS) | set(args.with_) - set(EXPERIMENTS):
        parser.error(f"unknown lever(s): {', '.join(sorted(unknown))}")
    args.warmup = args.interactions if args.warmup is None else args.warmup
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord.client").setLevel(logging.ERROR)  # no voice: no PyNaCl warning
    # the reference bot logs every late (404) answer with its traceback: counted instead
    logging.getLogger("discord.app_commands.tree").setLevel(logging.CRITICAL)
    if args.serve_fake:
        asyncio.run(serve_fake())
    elif args.serve_bot:
        asyncio.run(serve_bot(args))
    else:
        asyncio.run(bench(args))


if __name__ == "__main__":
    main()
