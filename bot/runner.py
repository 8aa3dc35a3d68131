"""Start the bot (or just sync its commands) with clean errors and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys

import aiohttp
import discord
import yarl

from bot.bot import MedcodeBot
from bot.settings import Settings

log = logging.getLogger(__name__)


def point_at_discord(settings: Settings) -> None:
    """Send HTTP and the gateway somewhere else than discord.com when the settings say so."""
    if settings.discord_api_base:
        discord.http.Route.BASE = settings.discord_api_base.rstrip("/")
    if settings.discord_gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.discord_gateway)


def _make_bot(settings: Settings) -> MedcodeBot:
    # A bounded connection pool and a higher gen-0 GC threshold: see README.md (Benchmarks).
    gc.set_threshold(10_000, 10, 10)
    return MedcodeBot(settings, connector=aiohttp.TCPConnector(limit=100))


async def _run(settings: Settings) -> int:
    point_at_discord(settings)
    bot = _make_bot(settings)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def stop(signame: str) -> None:
        if not closing:
            log.info("%s received: shutting down", signame)
            closing.append(loop.create_task(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(sig, stop, sig.name)
    token = settings.discord_token.get_secret_value()  # type: ignore[union-attr]
    try:
        async with bot:
            await bot.start(token)
        for task in closing:  # start() returns mid-close: let it finish (the database too)
            await task
    except discord.LoginFailure:
        print("Discord rejected the token: check DISCORD_TOKEN.", file=sys.stderr)
        return 1
    except discord.PrivilegedIntentsRequired:
        print("Discord refused a privileged intent; this bot needs none.", file=sys.stderr)
        return 1
    except discord.ConnectionClosed as exc:  # the gateway ended the session for good
        if exc.code == 4004:  # e.g. the token was reset while the bot ran
            print("Discord rejected the token: check DISCORD_TOKEN.", file=sys.stderr)
        else:
            print(f"Discord closed the gateway: {exc.code} {exc.reason}".rstrip(), file=sys.stderr)
        return 1
    except (aiohttp.ClientError, OSError) as exc:
        print(f"Could not reach Discord: {exc.__class__.__name__}: {exc}", file=sys.stderr)
        return 1
    return 0


def run_bot(settings: Settings) -> int:
    return asyncio.run(_run(settings))


async def _sync(settings: Settings, guild_id: int | None) -> int:
    point_at_discord(settings)
    bot = MedcodeBot(settings)
    token = settings.discord_token.get_secret_value()  # type: ignore[union-attr]
    try:
        async with bot:
            await bot.login(token)  # runs setup_hook: every cog and its commands are loaded
            guild = discord.Object(guild_id) if guild_id else None
            if guild is not None:
                bot.tree.copy_global_to(guild=guild)
            synced = await bot.tree.sync(guild=guild)
    except discord.LoginFailure:
        print("Discord rejected the token: check DISCORD_TOKEN.", file=sys.stderr)
        return 1
    except discord.HTTPException as exc:
        print(f"Discord refused the commands: {exc}", file=sys.stderr)
        return 1
    where = f"server {guild_id}" if guild_id else "all servers (global; may take a while to show)"
    print(f"Synced {len(synced)} command(s) to {where}: " + ", ".join(c.name for c in synced))
    return 0


def sync_commands(settings: Settings, guild_id: int | None = None) -> int:
    return asyncio.run(_sync(settings, guild_id))
