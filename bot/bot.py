"""The Discord client: a commands.Bot that owns the settings, the engine and one error handler."""

from __future__ import annotations

import gc
import logging
import math
import time
import traceback

import discord
from discord import app_commands
from discord.ext import commands

from bot.engine import Engine
from bot.errors import UserError
from bot.exts import walk_extensions
from bot.knowledge import load_knowledge
from bot.practice import QuestionBank, load_bank, load_knowledge_and_bank
from bot.settings import Settings
from bot.store import Database, StoreUnavailable

log = logging.getLogger(__name__)

ERROR_COLOUR = discord.Colour.red()
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
                where = f"component {(interaction.data or {}).get('custom_id', '?')}"
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


class MedcodeBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        bank: QuestionBank | None = None,
        **options,
    ) -> None:
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
        self.db = Database(settings.database_url)

    async def setup_hook(self) -> None:
        try:
            await self.db.start()
        except StoreUnavailable as exc:  # the bot still answers; features that need it retry
            log.error("database unavailable at start-up (%s): %s", self.db, exc.detail)
        for extension in walk_extensions():
            await self.load_extension(extension)
        log.info("Loaded %d extension(s)", len(self.extensions))

    async def close(self) -> None:
        await super().close()
        await self.db.close()

    async def on_message(self, message: discord.Message) -> None:
        """Text commands are not used: the ask cog answers mentions itself."""

    async def on_ready(self) -> None:
        log.info("Ready as %s in %d server(s)", self.user, len(self.guilds))
        # Long-lived objects (knowledge base, caches) need no cyclic GC passes: see
        # README.md (Benchmarks) and ../shared/notes/performance.md.
        gc.collect()
        gc.freeze()

    def reload_knowledge(self) -> Engine:
        """Validate `knowledge/` and the question bank again and swap both in; on any error in
        either, the old engine and bank both stay."""
        kb, bank = load_knowledge_and_bank(
            self.settings.knowledge_dir, self.settings.question_bank_dir
        )
        engine = Engine(kb)
        self.engine, self.bank = engine, bank
        log.info("Knowledge base reloaded: %s; %s", engine.kb.summary(), bank.summary())
        return engine
