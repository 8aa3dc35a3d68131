"""`medcode-bot run --shard-count N --shards ...` as a real process: bad shard options and
SQLite shared by several processes are refused with a clear message (exit 2) before anything
reaches Discord; good ones IDENTIFY as those shards."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from .fake_discord import FakeDiscord

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

EXIT_USAGE = 2


def env_for(fake: FakeDiscord, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    env.update(
        DISCORD_TOKEN=fake.token,
        MEDCODE_DISCORD_API_BASE=fake.api_base,
        MEDCODE_DISCORD_GATEWAY=fake.gateway_url,
        MEDCODE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'medcode.sqlite3'}",
        MEDCODE_LOG_LEVEL="INFO",
    )
    return env | extra


async def run(fake: FakeDiscord, tmp_path: Path, *args: str, **env: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, cwd=tmp_path,
        env=env_for(fake, tmp_path, **env), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 30)
    assert proc.returncode is not None
    return proc.returncode, (out + err).decode()


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--shard-count", "2", "--shards", "2"], {},
         "shard ids must be 0 to 1 with a shard count of 2, not 2"),
        (["--shard-count", "2", "--shards", "0,-1"], {},
         "shard ids must be 0 to 1 with a shard count of 2, not -1"),
        (["--shard-count", "3", "--shards", "1,1"], {}, "a shard id is given twice"),
        (["--shards", "0"], {}, "shard ids need a shard count (--shard-count or MEDCODE_SHARD_COUNT"),
        (["--shard-count", "0"], {}, "greater than or equal to 1"),
        (["--shard-count", "2", "--shards", "zero"], {}, "expected shard ids like 0,1"),
        ([], {"MEDCODE_SHARD_COUNT": "2", "MEDCODE_SHARD_IDS": "0,5"},
         "shard ids must be 0 to 1 with a shard count of 2, not 5"),
        (["--shards", "4"], {"MEDCODE_SHARD_COUNT": "4"},
         "shard ids must be 0 to 3 with a shard count of 4, not 4"),
    ],
)  # fmt: skip
async def test_bad_shard_options_are_refused_before_discord(
    fake_discord: FakeDiscord,
    tmp_path: Path,
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    code, output = await run(fake_discord, tmp_path, *args, **env)
    assert code == EXIT_USAGE, output
    assert message in output
    assert "Traceback" not in output
    assert fake_discord.token not in output  # pydantic's errors quote their input
    assert not fake_discord.requests and not fake_discord.gateway_frames


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--shard-count", "2", "--shards", "1"], {}),
        ([], {"MEDCODE_SHARD_COUNT": "4", "MEDCODE_SHARD_IDS": "0,1"}),
    ],
)
async def test_sqlite_with_other_processes_running_shards_is_refused(
    fake_discord: FakeDiscord, tmp_path: Path, args: list[str], env: dict[str, str]
) -> None:
    code, output = await run(fake_discord, tmp_path, *args, **env)
    assert code == EXIT_USAGE, output
    assert "cannot share a SQLite database" in output
    assert "postgresql+asyncpg://" in output  # what to do instead
    assert "Traceback" not in output
    assert not fake_discord.requests and not fake_discord.gateway_frames
    assert not (tmp_path / "medcode.sqlite3").exists()  # refused before opening anything


async def test_sqlite_with_every_shard_in_this_process_runs(
    fake_discord: FakeDiscord, tmp_path: Path
) -> None:
    """Two shards, both here: one process, so SQLite is fine; it IDENTIFYs as shard 0 of 2.
    A SIGTERM while shard 1 still waits its turn to IDENTIFY (discord.py spaces them 5 s
    apart) stops it at once and cleanly: no retry loop on the closed session."""
    fake_discord.add_guilds(4)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--shard-count", "2", "--shards", "0,1",
        cwd=tmp_path, env=env_for(fake_discord, tmp_path), stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake_discord.wait_until(lambda: 0 in fake_discord.sessions, timeout=30)
        assert fake_discord.sessions[0].identify["shard"] == [0, 2]
        proc.send_signal(signal.SIGTERM)
        out, err = await asyncio.wait_for(proc.communicate(), 15)
    finally:
        if proc.returncode is None:
            proc.kill()
    output = (out + err).decode()
    assert proc.returncode == 0, output
    assert 1 not in fake_discord.sessions  # shard 1 never connected
    assert "Traceback" not in output
    assert not any(r.path == "/gateway/bot" for r in fake_discord.requests)  # count was given


async def test_no_gateway_address_is_a_clear_message_and_exit_1(
    fake_discord: FakeDiscord, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no shard count set, the bot asks Discord for one (GET /gateway/bot) first."""

    async def refuse(rec: Any, match: Any) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    routes = [(m, p, refuse if p.pattern == "/gateway/bot" else h)
              for m, p, h in fake_discord._routes]  # fmt: skip
    monkeypatch.setattr(fake_discord, "_routes", routes)
    code, output = await run(fake_discord, tmp_path)
    assert code == 1, output
    assert "Could not reach Discord: no gateway address" in output
    assert "Traceback" not in output
    assert any(r.path == "/gateway/bot" for r in fake_discord.requests)
