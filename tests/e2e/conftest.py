"""Fixtures for end-to-end tests: a fake Discord, the spec checker, and a bot starter."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from discord.ext import commands

from .fake_discord import FakeDiscord
from .openapi_check import SpecChecker, default_spec_path

HERE = Path(__file__).resolve().parent

# Passed to bot factories that accept keyword arguments (Client options).
E2E_BOT_OPTIONS: dict[str, Any] = {"guild_ready_timeout": 0.05, "heartbeat_timeout": 10.0}

BotFactory = Callable[..., commands.Bot | Awaitable[commands.Bot]]
StartBot = Callable[..., Awaitable[commands.Bot]]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def _spec_checker_or_none() -> SpecChecker | None:
    try:
        return SpecChecker.load(default_spec_path())
    except FileNotFoundError:
        return None


@pytest.fixture(scope="session")
def spec_checker(_spec_checker_or_none: SpecChecker | None) -> SpecChecker:
    if _spec_checker_or_none is None:
        pytest.skip(f"Discord OpenAPI spec not found at {default_spec_path()}")
    return _spec_checker_or_none


@pytest.fixture
async def fake_discord(_spec_checker_or_none: SpecChecker | None) -> AsyncIterator[FakeDiscord]:
    """A running fake Discord that discord.py points at. At teardown every request the bot
    made is checked against Discord's OpenAPI spec (set `fake.check_spec = False` to opt out)."""
    fake = FakeDiscord(spec_checker=_spec_checker_or_none)
    await fake.start()
    try:
        with fake.patch_discord_py():
            yield fake
    finally:
        await fake.stop()
    if fake.errors:
        pytest.fail("the fake Discord crashed:\n  " + "\n  ".join(fake.errors))
    if _spec_checker_or_none is not None and fake.check_spec:
        problems = [p for rec in fake.requests for p in rec.problems]
        if problems:
            pytest.fail("requests Discord would reject:\n  " + "\n  ".join(problems))


@pytest.fixture
async def start_bot(fake_discord: FakeDiscord) -> AsyncIterator[StartBot]:
    """`bot = await start_bot(factory, timeout=5.0, **options)`: build the bot (the factory may be
    async; if it takes keyword arguments it gets E2E_BOT_OPTIONS | options), log it in against
    the fake and return once it is ready. Errors of `bot.start()` (e.g. discord.LoginFailure)
    are raised here. Teardown closes every bot and re-raises anything `start()` raised later."""
    running: list[tuple[commands.Bot, asyncio.Task[None]]] = []

    async def _start(factory: BotFactory, *, timeout: float = 5.0, **options: Any) -> commands.Bot:
        params = inspect.signature(factory).parameters.values()
        takes_kwargs = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params)
        made = factory(**(E2E_BOT_OPTIONS | options)) if takes_kwargs else factory()
        bot = await made if inspect.isawaitable(made) else made
        task = asyncio.create_task(bot.start(fake_discord.token), name="e2e-bot")
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when="FIRST_COMPLETED")
        if task in done:  # start() ended before ready: login refused, gateway error, ...
            ready.cancel()
            await bot.close()
            task.result()  # raises its exception
            raise RuntimeError("bot.start() returned before the bot was ready")
        running.append((bot, task))
        if ready not in done:
            ready.cancel()
            raise TimeoutError(f"the bot was not ready within {timeout} s")
        return bot

    yield _start
    for bot, task in reversed(running):
        await bot.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 5.0)  # re-raises a crash of bot.start()


# ------------------------------------------------------------------------------ medcode-bot
@pytest.fixture
def make_medcode(
    fake_discord: FakeDiscord, start_bot: StartBot, tmp_path: Path, engine: Any
) -> Callable[..., Awaitable[commands.Bot]]:
    """`bot = await make_medcode(**settings)`: the real MedcodeBot with every cog, logged in
    against the fake. Defaults: a tmp database, the fake's user ("alice") as owner, a per-user
    /ask rate that ordinary tests never reach, and the session's engine (pass
    `bot_engine=None` to load `knowledge_dir` as production does)."""
    from bot.bot import MedcodeBot
    from bot.settings import Settings

    async def _make(*, bot_engine: Any = engine, **overrides: Any) -> commands.Bot:
        values: dict[str, Any] = {
            "database_path": tmp_path / "db.sqlite3",
            "owner_ids": frozenset({int(fake_discord.user["id"])}),
            "ask_rate": 1000,
            "ask_per_seconds": 60.0,
        }
        settings = Settings(_env_file=None, **(values | overrides))
        return await start_bot(lambda **options: MedcodeBot(settings, bot_engine, **options))

    return _make


@pytest.fixture
async def medcode(make_medcode: Callable[..., Awaitable[commands.Bot]]) -> commands.Bot:
    """The real MedcodeBot, ready, its commands synced globally to the fake."""
    bot = await make_medcode()
    await bot.tree.sync()
    return bot
