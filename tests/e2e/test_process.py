"""`medcode-bot run` and `medcode-bot sync` as real processes against the fake Discord:
clean exit on SIGTERM, a clear message for a rejected token, never the token in the output."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest

from .fake_discord import FakeDiscord

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def env_for(fake: FakeDiscord, tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    env.update(
        DISCORD_TOKEN=fake.token,
        MEDCODE_DISCORD_API_BASE=fake.api_base,
        MEDCODE_DISCORD_GATEWAY=fake.gateway_url,
        MEDCODE_DATABASE_PATH=str(tmp_path / "tips.sqlite3"),
        MEDCODE_LOG_LEVEL="INFO",
    )
    return env


async def spawn(fake: FakeDiscord, tmp_path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=env_for(fake, tmp_path),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_run_logs_in_and_stops_cleanly_on_sigterm(fake_discord: FakeDiscord, tmp_path):
    proc = await spawn(fake_discord, tmp_path, "run")
    try:
        for _ in range(300):  # up to 15 s for the interpreter, imports and IDENTIFY
            if fake_discord.identify is not None:
                break
            await asyncio.sleep(0.05)
        assert fake_discord.identify is not None, "the bot never identified"
        assert fake_discord.identify["intents"] & (1 << 15) == 0  # no message-content intent
        await asyncio.sleep(0.3)  # READY and GUILD_CREATE
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
    text = (out + err).decode()
    assert proc.returncode == 0, text
    assert "SIGTERM received: shutting down" in text
    assert "Traceback" not in text
    assert fake_discord.token not in text


async def test_rejected_token_is_a_clear_message_and_exit_1(fake_discord: FakeDiscord, tmp_path):
    fake_discord.reject_token = True
    proc = await spawn(fake_discord, tmp_path, "run")
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 1
    assert "Discord rejected the token" in err.decode()
    assert "Traceback" not in err.decode()
    assert fake_discord.token not in (out + err).decode()


async def test_sync_registers_commands_on_demand(fake_discord: FakeDiscord, tmp_path):
    proc = await spawn(fake_discord, tmp_path, "sync", "--guild", str(fake_discord.guild_id))
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode == 0, err.decode()
    names = {c["name"] for c in fake_discord.guild_commands[fake_discord.guild_id]}
    assert {"ask", "state", "compare", "tips", "tip", "kb"} <= names
    assert f"to server {fake_discord.guild_id}" in out.decode()
    assert not fake_discord.global_commands  # a guild sync touches nothing global
