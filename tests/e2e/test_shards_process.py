"""Two real `medcode-bot run` processes, one shard each, against the fake Discord and one real
PostgreSQL: 200 servers due at the same minute get exactly one tip each, from the process that
owns the server's shard; a process killed with SIGKILL mid-batch and restarted posts nothing
twice and loses only what README.md ("What a hard crash can lose") says it can."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from bot.scheduling import DailyScheduler
from bot.scheduling.tables import daily_posts, daily_schedules
from bot.store import Database
from bot.tips import KIND

from .fake_discord import FakeDiscord, FakeGuild, shard_of

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.postgres,
    pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals"),
]

SERVERS, SHARDS = 200, 2
MESSAGES = r"^/channels/\d+/messages$"
WORKERS = 8  # DailyScheduler's concurrency: README's bound on what a crash can lose
STEP = 30.0  # seconds any one step may take on a loaded machine (normally 1-5 s)


class NoContent:
    """The test only configures schedules; the bot processes post."""

    def ready(self) -> bool:
        return False

    async def pick(self, conn: Any, guild_id: int) -> str:
        raise AssertionError("not used")

    async def post(self, guild_id: int, channel_id: int, item_id: str, nonce: str) -> int:
        raise AssertionError("not used")


class BotProcess:
    """`medcode-bot run --shard-count 2 --shards N`, its requests tagged `client`."""

    def __init__(self, fake: FakeDiscord, url: str, shard: int, client: str, logs: Path):
        self.fake, self.url, self.shard, self.client = fake, url, shard, client
        self.log_path = logs / f"{client}.log"
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
        env |= {
            "DISCORD_TOKEN": self.fake.token,
            "MEDCODE_DISCORD_API_BASE": self.fake.api_base_for(self.client),
            "MEDCODE_DISCORD_GATEWAY": self.fake.gateway_url_for(self.client),
            "MEDCODE_DATABASE_URL": self.url,
            "MEDCODE_LOG_LEVEL": "INFO",
        }
        with self.log_path.open("ab") as log:  # a file: a pipe nobody reads could fill up
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run",
                "--shard-count", str(SHARDS), "--shards", str(self.shard),
                cwd=self.log_path.parent, env=env, stdin=asyncio.subprocess.DEVNULL,
                stdout=log, stderr=log,
            )  # fmt: skip

    def log(self) -> str:
        if not self.log_path.exists():
            return "(not started)"
        return self.log_path.read_text(errors="replace")[-4000:]

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        try:
            return await asyncio.wait_for(self.proc.wait(), STEP)
        except TimeoutError:
            self.proc.kill()
            raise

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid


@pytest.fixture
async def postgres(fresh_postgres_url: str) -> AsyncIterator[Database]:
    db = Database(fresh_postgres_url)
    await db.start()  # migrated, as `medcode-bot db upgrade` would before several processes
    try:
        yield db
    finally:
        await db.close()


async def configure_due_now(db: Database, guilds: list[FakeGuild]) -> None:
    """Every server's tip at this minute (UTC), configured a little before it: so the minute
    has come when the bots start and every server is due at once, with no waiting."""
    minute = datetime.now(UTC).replace(second=0, microsecond=0)
    before = minute - timedelta(seconds=30)
    scheduler = DailyScheduler(db, KIND, NoContent(), clock=lambda: before)
    for guild in guilds:
        await scheduler.configure(
            guild.id,
            channel_id=guild.channel_ids["tips"],
            post_time=minute.strftime("%H:%M"),
            timezone="UTC",
        )


async def posts_by_status(db: Database) -> dict[int, tuple[str, str | None]]:
    async with db.connect() as conn:
        rows = await conn.execute(
            sa.select(daily_posts.c.guild_id, daily_posts.c.status, daily_posts.c.claimer)
        )
        return {row.guild_id: (row.status, row.claimer) for row in rows}


async def due_now(db: Database) -> int:
    """Schedules still due: zero once the processes have looked at every server."""
    now = datetime.now(UTC)
    async with db.connect() as conn:
        query = sa.select(sa.func.count()).where(daily_schedules.c.next_due_at <= now)
        return int((await conn.execute(query)).scalar_one())


async def settle(done: Any, what: str) -> None:
    """Poll the database until `done()` holds."""
    try:
        async with asyncio.timeout(STEP):
            while not await done():  # noqa: ASYNC110 (polling the database)
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"not within {STEP} s: {what}") from None


def senders(fake: FakeDiscord, channel_id: int) -> list[str | None]:
    """The clients whose create-message requests for the channel Discord accepted."""
    path = f"/channels/{channel_id}/messages"
    return [r.client for r in fake.requests if r.path == path and r.status == 200]


async def test_two_processes_post_once_each_even_across_a_sigkill(
    fake_discord: FakeDiscord, postgres: Database, fresh_postgres_url: str, tmp_path: Path
) -> None:
    guilds = fake_discord.add_guilds(SERVERS)
    by_shard = {s: [g for g in guilds if shard_of(g.id, SHARDS) == s] for s in range(SHARDS)}
    assert all(len(owned) >= SERVERS // 4 for owned in by_shard.values())  # spread over both
    await configure_due_now(postgres, guilds)
    assert await due_now(postgres) == SERVERS

    # Shard 1's process gets 30 posts through, then Discord "hangs" on the rest: it is killed
    # mid-batch with sends in flight.
    hold = fake_discord.hold("POST", MESSAGES, client="shard1", after=30)
    first = BotProcess(fake_discord, fresh_postgres_url, 0, "shard0", tmp_path)
    second = BotProcess(fake_discord, fresh_postgres_url, 1, "shard1", tmp_path)
    restarted = BotProcess(fake_discord, fresh_postgres_url, 1, "shard1-again", tmp_path)
    try:
        await asyncio.gather(first.start(), second.start())

        def shard0_done() -> bool:
            return all(fake_discord.messages_in(g.channel_ids["tips"]) for g in by_shard[0])

        try:
            await fake_discord.wait_until(lambda: shard0_done() and hold.waiting > 0, STEP)
        except TimeoutError:
            raise AssertionError(
                f"not within {STEP} s: shard 0's servers all posted ({shard0_done()}) and "
                f"shard 1's process stuck mid-batch ({hold.waiting} held)"
            ) from None
        assert await second.stop(signal.SIGKILL) == -signal.SIGKILL
        # Of the posts in flight, Discord never got the first two; it created the others, and
        # the dead process never knew.
        in_flight = hold.waiting
        hold.release(drop=2)
        killed = f":{second.pid}:"
        claims = {g for g, (status, claimer) in (await posts_by_status(postgres)).items()
                  if status == "claimed" and killed in (claimer or "")}  # fmt: skip
        assert claims and len(claims) <= WORKERS, claims  # the sends that were in flight

        await restarted.start()

        async def all_looked_at() -> bool:
            return await due_now(postgres) == 0

        await settle(all_looked_at, "the restarted process handles every server due")
        # any second post would have been sent by now: the due servers were all handled
        await asyncio.sleep(0.5)

        posts = await posts_by_status(postgres)
        for shard, owned in by_shard.items():
            for guild in owned:
                channel = guild.channel_ids["tips"]
                sent = fake_discord.messages_in(channel)
                assert len(sent) <= 1, f"{guild.name} got {len(sent)} tips"  # never twice
                owner = {0: {"shard0"}, 1: {"shard1", "shard1-again"}}[shard]
                assert set(senders(fake_discord, channel)) <= owner, guild.name
                if guild.id in claims:  # unconfirmed: posted if Discord got it, never re-sent
                    assert posts[guild.id][0] == "claimed"
                    assert "shard1-again" not in senders(fake_discord, channel)
                else:
                    assert len(sent) == 1, f"{guild.name} lost its tip"
                    assert posts[guild.id][0] == "sent"
                    assert sent[0]["embeds"][0]["title"].startswith("Daily study tip")
        lost = [g for g in guilds if not fake_discord.messages_in(g.channel_ids["tips"])]
        assert {g.id for g in lost} <= claims  # README: what a hard crash can lose
        assert len(lost) >= min(2, in_flight)  # (the dropped posts are among them)
        assert len(senders_of(fake_discord, "shard1-again")) > 0  # the restart took over
        assert not senders_of(fake_discord, "shard1-again") & {g.id for g in by_shard[0]}

        assert await first.stop() == 0, first.log()
        assert await restarted.stop() == 0, restarted.log()
    except BaseException:
        for process in (first, second, restarted):
            if process.proc is not None and process.proc.returncode is None:
                process.proc.kill()
                await process.proc.wait()
        print("\n".join(f"--- {p.client}\n{p.log()}" for p in (first, second, restarted)))
        raise
    for process in (first, restarted):
        assert "Traceback" not in process.log(), process.log()


def senders_of(fake: FakeDiscord, client: str) -> set[int]:
    """The guilds `client` created messages in."""
    channels = {int(r.path.split("/")[2]) for r in fake.requests
                if r.client == client and r.status == 200 and r.path.endswith("/messages")}  # fmt: skip
    return {int(fake.channels[c]["guild_id"]) for c in channels}
