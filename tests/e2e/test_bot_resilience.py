"""Failures the real MedcodeBot must survive: a bug in a command, a button or a mention, a 429,
a gateway RECONNECT, a rejected token (bot.start, bot.runner, `medcode-bot run`)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.bot import MedcodeBot
from bot.settings import Settings

from .fake_discord import FakeDiscord
from .medcode_support import embed, fields, is_ephemeral

APOLOGY = "Sorry, something went wrong on my side. It has been logged."


def fail_once(target: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `target.name` raise RuntimeError("boom") on its next call only."""
    original = getattr(target, name)
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return original(*args, **kwargs)

    monkeypatch.setattr(target, name, flaky)


def error_logs(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


# ------------------------------------------------------------------------ the error handler
async def test_a_failing_command_is_logged_and_apologised_for(
    fake_discord: FakeDiscord,
    medcode: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fail_once(medcode.engine, "reply", monkeypatch)
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert is_ephemeral(body)
    assert embed(body)["description"] == APOLOGY

    [record] = error_logs(caplog)
    assert record.name == "bot.bot"
    message = record.getMessage()
    assert message.startswith("Unexpected error in /ask (guild ")
    assert "Traceback (most recent call last)" in message and "RuntimeError: boom" in message
    assert "boom" not in str(body)  # the member sees no internals

    # the bot keeps working
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert not is_ephemeral(body)
    assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")


async def test_a_failing_look_up_goes_through_the_same_handler(
    fake_discord: FakeDiscord,
    medcode: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fail_once(medcode.engine, "entry_answer", monkeypatch)
    body = await fake_discord.send_slash_command("state", {"name": "state-ca"})
    assert is_ephemeral(body) and embed(body)["description"] == APOLOGY
    assert "Unexpected error in /state" in error_logs(caplog)[0].getMessage()
    body = await fake_discord.send_slash_command("state", {"name": "state-ca"})
    assert fields(body)["Mean annual salary"] == "$62,300"


async def test_a_failing_button_is_logged_and_apologised_for(
    fake_discord: FakeDiscord,
    medcode: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fail_once(medcode.engine, "entry_answer", monkeypatch)
    body = await fake_discord.click_button("medcode:suggest:cred-crc")
    assert is_ephemeral(body) and embed(body)["description"] == APOLOGY
    [record] = error_logs(caplog)
    message = record.getMessage()
    assert message.startswith("Unexpected error in component medcode:suggest:cred-crc (guild ")
    assert "RuntimeError: boom" in message
    body = await fake_discord.click_button("medcode:suggest:cred-crc")
    assert embed(body)["title"] == "CRC: Certified Risk Adjustment Coder"


async def test_a_failing_mention_is_logged_and_apologised_for(
    fake_discord: FakeDiscord,
    medcode: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    general = fake_discord.channel_ids["general"]
    fail_once(medcode.engine, "reply", monkeypatch)
    await fake_discord.send_message_create("what does CRC pay")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert reply.json["content"] == APOLOGY
    assert reply.json["allowed_mentions"]["parse"] == []
    [record] = error_logs(caplog)
    assert record.getMessage().startswith("Unexpected error answering a mention in channel")
    assert "RuntimeError: boom" in (record.exc_text or "")
    await fake_discord.send_message_create("what does CRC pay")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert fields(reply.json)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")


async def test_cooldown_message_never_says_zero_seconds(
    fake_discord: FakeDiscord, medcode: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wait under half a second (patched in: the real one depends on the clock)."""
    monkeypatch.setattr(medcode.get_cog("Ask"), "_retry_after", lambda obj: 0.3)
    limited = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert is_ephemeral(limited)
    assert embed(limited)["description"] == "Slow down a little: try again in 1 s."
    await fake_discord.send_message_create("what does CRC pay")
    note = await fake_discord.wait_for_request("POST", r"^/channels/\d+/messages$")
    assert note.json["content"] == "Slow down a little: try again in 1 s."


# ----------------------------------------------------------------------- Discord trouble
async def test_a_429_on_the_callback_is_survived(fake_discord: FakeDiscord, medcode: Any) -> None:
    fake_discord.inject_429("POST", r"/callback$", times=2, retry_after=0.05)
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
    statuses = [r.status for r in fake_discord.requests if r.path.endswith("/callback")]
    assert statuses == [429, 429, 200]
    assert fake_discord.original_message()["embeds"][0]["title"].startswith("CRC")


async def test_a_global_429_on_a_mention_reply_is_survived(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    general = fake_discord.channel_ids["general"]
    fake_discord.inject_429("POST", rf"^/channels/{general}/messages$", is_global=True)
    await fake_discord.send_message_create("what does CRC pay")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert reply.status == 200 and embed(reply.json)["title"].startswith("CRC")


async def test_after_a_gateway_reconnect_the_next_interaction_works(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    await fake_discord.reconnect()
    ops = [f["op"] for f in fake_discord.gateway_frames]
    assert ops.count(6) == 1 and ops.count(2) == 1  # resumed, not identified again
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
    # an interaction sent while the bot is away is replayed on RESUME and answered
    reconnecting = asyncio.create_task(fake_discord.reconnect())
    await asyncio.sleep(0)
    body = await fake_discord.send_slash_command("state", {"name": "state-ca"})
    await reconnecting
    assert fields(body)["Mean annual salary"] == "$62,300"


# ----------------------------------------------------------------------------- bad tokens
async def test_a_rejected_token_raises_login_failure(
    fake_discord: FakeDiscord, start_bot: Any, tmp_path: Path
) -> None:
    fake_discord.reject_token = True
    settings = Settings(_env_file=None, database_path=tmp_path / "db.sqlite3")
    with pytest.raises(discord.LoginFailure):
        await start_bot(lambda **options: MedcodeBot(settings, **options))
    assert not fake_discord.gateway_frames  # never got as far as the gateway


async def run_runner(settings: Settings) -> int:
    from bot import runner

    thresholds = gc.get_threshold()
    try:
        return await runner._run(settings)  # Route.BASE points at the fake (fixture)
    finally:
        gc.set_threshold(*thresholds)  # _make_bot tunes the GC for production


async def test_runner_exits_1_with_a_clear_message_on_a_rejected_token(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(
        _env_file=None, discord_token="not-the-token", database_path=tmp_path / "db.sqlite3"
    )
    assert await run_runner(settings) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "Discord rejected the token: check DISCORD_TOKEN."
    assert "Traceback" not in captured.err + captured.out
    assert not error_logs(caplog)
    assert [r.path for r in fake_discord.requests] == ["/users/@me"]
    assert fake_discord.requests[0].status == 401


async def test_runner_exits_1_when_the_gateway_refuses_the_token(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """REST accepts the token, the gateway closes with 4004 (e.g. the token was reset)."""

    async def refuse(ws: Any, data: Any) -> None:
        await ws.close(code=4004, message=b"Authentication failed.")

    monkeypatch.setattr(fake_discord, "_on_identify", refuse)
    settings = Settings(
        _env_file=None, discord_token=fake_discord.token, database_path=tmp_path / "db.sqlite3"
    )
    assert await run_runner(settings) == 1
    captured = capsys.readouterr()
    assert captured.err.strip() == "Discord rejected the token: check DISCORD_TOKEN."
    assert "Traceback" not in captured.err + captured.out


async def test_runner_exits_1_when_discord_is_unreachable(
    fake_discord: FakeDiscord, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await fake_discord.stop()  # nothing listens on its port any more
    settings = Settings(
        _env_file=None, discord_token=fake_discord.token, database_path=tmp_path / "db.sqlite3"
    )
    assert await run_runner(settings) == 1
    err = capsys.readouterr().err
    assert err.startswith("Could not reach Discord: ClientConnectorError")
    assert "Traceback" not in err


async def test_the_production_process_answers_ask(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """`medcode-bot run` in its own process (runner._make_bot: bounded connector, GC tuning;
    pointed at the fake by its settings) answers /ask, then stops cleanly on SIGTERM.
    (test_process.py covers run/sync/bad-token as processes; this adds an answer.)"""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    env |= {
        "DISCORD_TOKEN": fake_discord.token,
        "MEDCODE_DISCORD_API_BASE": fake_discord.api_base,
        "MEDCODE_DISCORD_GATEWAY": fake_discord.gateway_url,
        "MEDCODE_DATABASE_PATH": str(tmp_path / "cli.sqlite3"),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(30):
            while fake_discord.identify is None:  # noqa: ASYNC110 (polling the fake's record)
                await asyncio.sleep(0.05)
        # `run` does not sync: the fake makes up the command's id, as for an unsynced command
        body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
        assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    assert "SIGTERM received: shutting down" in err.decode()
    assert "Traceback" not in (out + err).decode()


async def test_an_expired_interaction_is_a_warning_not_a_traceback(
    fake_discord: FakeDiscord, medcode: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Answered after Discord's 3-second window (a lagging bot, a replayed event): Discord says
    10062 Unknown interaction. Nothing can reach the member any more, so no second request and
    no traceback (under overload, formatting one per late interaction only adds to the lag)."""
    fake_discord.interaction_deadline = 0.0  # every answer is late
    await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    await asyncio.sleep(0.05)  # room for a (wrong) second attempt to show up
    token = fake_discord.last_interaction["token"]
    attempts = [r for r in fake_discord.requests if token in r.path]
    assert [(r.method, r.status) for r in attempts] == [("POST", 404)]
    assert not error_logs(caplog)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("expired before it was answered" in w for w in warnings), warnings

    fake_discord.interaction_deadline = 3.0
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
