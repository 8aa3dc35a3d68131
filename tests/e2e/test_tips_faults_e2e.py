"""Daily tips when things go wrong, through the real discord.py client against the fake
Discord: 5xx after the message was created (D1), a refused connection (D8), and a database
that is broken or down when the bot starts (D7)."""

from __future__ import annotations

import json
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
from aiohttp import web

from bot.scheduling import Outcome

from .fake_discord import DEFAULT_MEMBER_PERMISSIONS, MANAGE_GUILD, FakeDiscord, _json

ADMIN = DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 08:00 in New York
DUE = START + timedelta(hours=1, seconds=20)


def answer_5xx_after_creating(fake: FakeDiscord, statuses: list[int]) -> None:
    """The fake creates the message, then answers the next `statuses` (a gateway timeout
    after the write), and, as Discord does for ``enforce_nonce``, answers a repeated nonce
    with the message it already created instead of creating another."""
    create = fake._create_message
    by_nonce: dict[str, Any] = {}

    async def created_then_failed(rec: Any, match: Any) -> web.Response:
        body = rec.json or {}
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce") and nonce in by_nonce:
            return _json(by_nonce[nonce])
        response = await create(rec, match)
        if nonce is not None and response.status == 200:
            by_nonce[nonce] = json.loads(response.body)  # type: ignore[arg-type]
        if statuses:
            status = statuses.pop(0)
            return _json({"message": f"{status}", "code": 0}, status)
        return response

    fake._routes = [
        (method, pattern, created_then_failed if handler == create else handler)
        for method, pattern, handler in fake._routes
    ]


def tip_messages(fake: FakeDiscord) -> list[Any]:
    general = fake.channel_ids["general"]
    return [
        m
        for m in fake.messages.values()
        if int(m["channel_id"]) == general
        and m.get("embeds")
        and m["embeds"][0]["title"].startswith("Daily study tip")
    ]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


async def tips_bot(make_medcode: Any, **settings: Any) -> tuple[Any, Any, Clock]:
    bot = await make_medcode(tip_tick_seconds=300, **settings)
    await bot.tree.sync()
    cog = bot.get_cog("Tips")
    clock = cog.scheduler.clock = Clock()
    return bot, cog, clock


async def setup_general(fake: FakeDiscord) -> dict[str, Any]:
    options = {
        "channel": fake.channel_ids["general"],
        "time": "09:00",
        "timezone": "America/New_York",
    }
    return await fake.send_slash_command("tips setup", options, permissions=ADMIN)


async def test_a_502_after_creating_the_message_posts_one_tip(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    """D1: discord.py re-sends on 502 by itself; the nonce makes Discord drop the repeat."""
    _, cog, clock = await tips_bot(make_medcode)
    await setup_general(fake_discord)
    answer_5xx_after_creating(fake_discord, [502])
    clock.now = DUE
    report = await cog.scheduler.tick()
    assert report.outcomes == {fake_discord.guild_id: Outcome.POSTED}
    posts = [
        r for r in fake_discord.requests if r.method == "POST" and r.path.endswith("/messages")
    ]
    assert len(posts) == 2 and all(p.json["enforce_nonce"] for p in posts)
    assert posts[0].json["nonce"] == posts[1].json["nonce"]
    assert len(tip_messages(fake_discord)) == 1


async def test_a_503_after_creating_the_message_is_unconfirmed_not_retried(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    """D1: the scheduler used to retry a 5xx twice more: three tips."""
    _, cog, clock = await tips_bot(make_medcode)
    await setup_general(fake_discord)
    answer_5xx_after_creating(fake_discord, [503, 503, 503])
    clock.now = DUE
    for _ in range(10):
        await cog.scheduler.tick()
        clock.now += timedelta(minutes=3)
    assert len(tip_messages(fake_discord)) == 1
    body = await fake_discord.send_slash_command("tips status", permissions=ADMIN)
    fields = {f["name"]: f["value"] for f in body["data"]["embeds"][0]["fields"]}
    assert fields["Last error"].startswith("Unconfirmed") and "503" in fields["Last error"]


async def test_a_refused_connection_at_post_time_is_retried(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    """D8: nothing reached Discord, so the day is not given up."""
    _, cog, clock = await tips_bot(make_medcode)
    await setup_general(fake_discord)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    clock.now = DUE
    base = discord.http.Route.BASE
    discord.http.Route.BASE = f"http://127.0.0.1:{closed_port}/api/v10"
    try:
        report = await cog.scheduler.tick()
    finally:
        discord.http.Route.BASE = base
    assert report.outcomes == {fake_discord.guild_id: Outcome.RETRY}
    clock.now += timedelta(minutes=2)
    assert (await cog.scheduler.tick()).posted == [fake_discord.guild_id]
    assert len(tip_messages(fake_discord)) == 1


async def test_a_corrupt_database_leaves_ask_working_and_tips_recover(
    fake_discord: FakeDiscord, make_medcode: Any, tmp_path: Path
) -> None:
    """D7: the bot used to die at start-up with a traceback, /ask included."""
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"not a database" * 5000)
    bot, cog, _ = await tips_bot(make_medcode, database_path=path)
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert "$55,000" in json.dumps(body)
    body = await setup_general(fake_discord)
    assert body["data"]["flags"] & 64
    assert "database is unavailable" in body["data"]["embeds"][0]["description"]
    body = await fake_discord.send_slash_command("tips status", permissions=ADMIN)
    assert "database is unavailable" in body["data"]["embeds"][0]["description"]

    path.unlink()  # the operator restores the file (here: a fresh one)
    bot.db._retry_at = 0.0  # the loop's back-off has run out
    await cog.run_scheduler.coro(cog)  # one iteration of the tips loop
    assert bot.db.available
    body = await setup_general(fake_discord)
    assert body["data"]["embeds"][0]["title"] == "Daily tips set up"


async def test_postgresql_down_at_start_up_leaves_ask_working(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/medcode"
    await tips_bot(make_medcode, database_url=url)
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert "$55,000" in json.dumps(body)
    body = await fake_discord.send_slash_command("tips status", permissions=ADMIN)
    assert "database is unavailable" in body["data"]["embeds"][0]["description"]
