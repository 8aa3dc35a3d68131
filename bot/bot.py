"""The Discord client: a commands.Bot that owns the settings, the engine and one error handler."""

from __future__ import annotations

import asyncio
import gc
import logging
import math
import time
import traceback
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.engine import Engine
from bot.errors import UserError
from bot.exts import walk_extensions
from bot.gaps import GapLog, GapRecorder
from bot.knowledge import load_knowledge
from bot.practice import QuestionBank, load_bank, load_knowledge_and_bank
from bot.settings import Settings
from bot.store import Database, StoreUnavailable

log = logging.getLogger(__name__)

ERROR_COLOUR = discord.Colour.red()
# The client's default for every message it sends: the bot never pings. Nothing overrides it.
NO_PINGS = discord.AllowedMentions.none()
APOLOGY = "Sorry, something went wrong on my side. It has been logged."
UNKNOWN_INTERACTION = 10062  # Discord's JSON error code


def cooldown_message(retry_after: float) -> str:
    """Whole seconds, rounded up: never "try again in 0 s"."""
    return f"Slow down a little: try again in {max(1, math.ceil(retry_after))} s."


def error_embed(message: str) -> discord.Embed:
    return discord.Embed(description=message[:4096], colour=ERROR_COLOUR)


class MedcodeTree(app_commands.CommandTree):
    """The one error handler for every application command, and for the components (buttons)
    whose callbacks hand their errors to it."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError | Exception
    ) -> None:
        original = getattr(error, "original", error)
        if isinstance(original, discord.NotFound) and original.code == UNKNOWN_INTERACTION:
            # Answered after Discord's 3-second window (the bot lagged, or an old event was
            # replayed): nothing reaches the member now. No traceback, no doomed reply: under
            # overload both would only add to the lag.
            log.warning("Interaction %s expired before it was answered", interaction.id)
            return
        if isinstance(original, UserError):
            message = str(original)
        elif isinstance(error, app_commands.CommandOnCooldown):
            message = cooldown_message(error.retry_after)
        elif isinstance(error, app_commands.MissingPermissions):
            message = "You need the **Manage Server** permission for this command."
        elif isinstance(error, app_commands.BotMissingPermissions):
            perms = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
            message = f"I am missing a permission here: {perms}."
        elif isinstance(error, app_commands.NoPrivateMessage):
            message = "This command works in a server, not in DMs."
        elif isinstance(error, app_commands.CheckFailure):
            message = str(error) or "You can't use this command here."
        elif isinstance(error, app_commands.TransformerError):
            message = f"I couldn't understand {error.value!r} for that option."
        else:
            if interaction.command is not None:
                where = f"/{interaction.command.qualified_name}"
            else:
                data: dict[str, Any] = dict(interaction.data or {})
                where = f"component {data.get('custom_id', '?')}"
            log.error(
                "Unexpected error in %s (guild %s, user %s):\n%s",
                where,
                interaction.guild_id,
                interaction.user.id,
                "".join(traceback.format_exception(original)),
            )
            message = APOLOGY
        await self.reply(interaction, message)

    @staticmethod
    async def reply(interaction: discord.Interaction, message: str) -> None:
        embed = error_embed(message)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(embed=embed, ephemeral=True)
            else:
                await interaction.response.send_message(embed=embed, ephemeral=True)
        except discord.HTTPException:
            log.warning("Could not deliver an error message for interaction %s", interaction.id)


def _load_engine_and_bank(settings: Settings) -> tuple[Engine, QuestionBank]:
    kb, bank = load_knowledge_and_bank(settings.knowledge_dir, settings.question_bank_dir)
    return Engine(kb), bank


class MedcodeBot(commands.AutoShardedBot):
    """Auto-sharded even as one process: the same class runs one shard, every shard Discord
    recommends, or the shards `settings.shard_ids` of `settings.shard_count` (README.md,
    "Several processes")."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        bank: QuestionBank | None = None,
        **options: Any,
    ) -> None:
        if settings.shard_count is not None:
            options.setdefault("shard_count", settings.shard_count)
        if settings.shard_ids is not None:
            options.setdefault("shard_ids", list(settings.shard_ids))
        intents = discord.Intents.none()
        intents.guilds = True
        intents.guild_messages = True  # mentions of the bot carry their content without the
        intents.dm_messages = True  # privileged message-content intent; DMs always do
        options.setdefault("allowed_mentions", NO_PINGS)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents,
            tree_cls=MedcodeTree,
            help_command=None,
            owner_ids=set(settings.owner_ids) or None,
            **options,
        )
        self.settings = settings
        self.engine = engine or Engine(load_knowledge(settings.knowledge_dir))
        self.bank = bank if bank is not None else load_bank(settings.question_bank_dir)
        self.started_at = time.monotonic()
        self._heap_frozen = False
        self._launching: set[asyncio.Task[None]] = set()
        self._shutting_down = False
        self.db = Database(settings.database_url)
        # Questions it could not answer, noted on the answer path and written by a task.
        self.gaps = GapRecorder(GapLog(self.db), enabled=settings.gap_log)

    async def launch_shard(
        self, gateway: yarl.URL, shard_id: int, *, initial: bool = False
    ) -> None:
        # Shut down while shards are still starting (discord.py waits 5 s between IDENTIFYs):
        # close() cancels the launch, which would otherwise fail on the closed session, log a
        # traceback and retry forever.
        if self._shutting_down:
            return
        launch = asyncio.create_task(super().launch_shard(gateway, shard_id, initial=initial))
        self._launching.add(launch)
        try:
            await launch
        except asyncio.CancelledError:
            if not self._shutting_down:
                raise
        finally:
            self._launching.discard(launch)

    async def setup_hook(self) -> None:
        try:
            await self.db.start()
        except StoreUnavailable as exc:  # the bot still answers; features that need it retry
            log.error("database unavailable at start-up (%s): %s", self.db, exc.detail)
        for extension in walk_extensions():
            await self.load_extension(extension)
        log.info("Loaded %d extension(s)", len(self.extensions))

    async def close(self) -> None:
        self._shutting_down = True
        for launch in self._launching:
            launch.cancel()
        await super().close()
        await self.db.close()

    async def on_message(self, message: discord.Message) -> None:
        """Text commands are not used: the ask cog answers mentions itself."""

    async def on_ready(self) -> None:
        shards = ",".join(map(str, sorted(self.shards)))
        log.info(
            "Ready as %s in %d server(s), shard(s) %s of %s",
            self.user,
            len(self.guilds),
            shards,
            self.shard_count,
        )
        # Long-lived objects (knowledge base, caches) need no cyclic GC passes: see
        # README.md (Benchmarks) and ../shared/notes/performance.md. Once: on_ready fires
        # again after every reconnect, and the heap built since is not all long-lived.
        if not self._heap_frozen:
            self._heap_frozen = True
            gc.collect()
            gc.freeze()

    async def reload_knowledge(self) -> Engine:
        """Validate `knowledge/` and the question bank again and swap both in; on any error in
        either, the old engine and bank both stay.

        Loading runs in a worker thread: a large or hostile knowledge base must not stall the
        event loop (every interaction and the tip scheduler) while it is read."""
        engine, bank = await asyncio.to_thread(_load_engine_and_bank, self.settings)
        self.engine, self.bank = engine, bank
        log.info("Knowledge base reloaded: %s; %s", engine.kb.summary(), bank.summary())
        return engine
