"""The admin side every kind of daily post shares (/tips, /qotd): status, pause, resume, now,
the Manage Server check, the status embed's common fields and the scheduler loop.

A kind of post subclasses `DailyPostAdmin` (a GroupCog: its name and docstring are the
group's), sets `wording` and `colour`, declares its own /setup and picks the shared commands
with `daily_command`, each with its own description. discord.py collects app commands by
walking the class's MRO, so a command object must stand in the subclass itself for it to
carry that subclass's description; the callbacks are the base's methods.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import UserError
from bot.exts._embeds import clip
from bot.scheduling import (
    DailyScheduler,
    DailyStatus,
    NotConfiguredError,
    PostFailure,
    PostUnconfirmed,
    ScheduleError,
    ShardFilter,
    classify_http,
    suggest_timezones,
)
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

T = TypeVar("T")
NEEDED = ("view_channel", "send_messages", "embed_links")
NO_PINGS = discord.AllowedMentions.none()
SharedCommand = Literal["status", "pause", "resume", "now"]


@dataclass(frozen=True)
class DailyWording:
    """How the admin replies and the logs of one kind of daily post name it."""

    not_set_up: str  # the refusal before /<group> setup
    active_title: str  # the status embed's title
    paused_title: str
    posted: str  # the /<group> now reply; {} is the id of what was posted
    loop_stopped: str  # logged if the loop dies
    forget_failed: str  # logged (server id, detail) when a removed server's data stays


class DailyPost(Protocol):
    """The Discord-free side of one kind of daily post (bot.tips, bot.habits.qotd)."""

    scheduler: DailyScheduler

    async def forget(self, guild_id: int) -> None: ...


def stamp(moment: datetime | None, style: discord.utils.TimestampStyle = "f") -> str:
    if moment is None:
        return "—"
    return discord.utils.format_dt(moment.astimezone(UTC), style)


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    perms = channel.permissions_for(me)
    return [name.replace("_", " ") for name in NEEDED if not getattr(perms, name)]


async def timezone_choices(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    """Autocomplete for the `timezone` option of each /<group> setup."""
    return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current, limit=25)]


async def send_post(channel: discord.PartialMessageable, nonce: str | None, **fields: Any) -> int:
    """Send a daily post and return its message id, or raise what the scheduler expects:
    `PostFailure` when nothing was sent, `PostUnconfirmed` when it may have been."""
    if nonce is not None:  # discord.py sends enforce_nonce: Discord drops a repeat of the day's
        fields["nonce"] = nonce
    try:
        message = await channel.send(**fields)
    except discord.HTTPException as exc:
        raise classify_http(exc.status, exc.code, exc.text) from exc
    except aiohttp.ClientConnectorError as exc:  # no connection, so nothing was sent
        raise PostFailure("transient", f"{type(exc).__name__}: {exc}") from exc
    except (aiohttp.ClientError, OSError) as exc:  # it may have reached Discord
        raise PostUnconfirmed(f"{type(exc).__name__}: {exc}") from exc
    return int(message.id)


class DailyPostAdmin(commands.GroupCog):
    """Base of the daily-post admin cogs. A subclass also sets guild_only and Manage Server as
    its default permissions; `interaction_check` enforces both whatever a server changes."""

    wording: ClassVar[DailyWording]
    colour: ClassVar[discord.Colour]

    def __init__(self, bot: MedcodeBot, daily: DailyPost) -> None:
        self.bot = bot
        self.daily = daily
        self.scheduler = daily.scheduler
        self.log = logging.getLogger(type(self).__module__)
        super().__init__()

    # -- what each kind of post adds --------------------------------------------------------------
    async def _schedule_fields(
        self, embed: discord.Embed, guild: discord.Guild, status: DailyStatus
    ) -> None:
        """The status fields between Time and Last skipped day."""
        raise NotImplementedError

    async def _post_now(self, guild_id: int) -> str:
        """Post outside the schedule; return the id of what was posted."""
        raise NotImplementedError

    # -- lifecycle ----------------------------------------------------------------------------
    async def cog_load(self) -> None:
        self.run_scheduler.change_interval(seconds=self.bot.settings.tip_tick_seconds)
        self.run_scheduler.start()

    async def cog_unload(self) -> None:
        self.run_scheduler.cancel()
        task = self.run_scheduler.get_task()
        if task is not None and task is not asyncio.current_task():
            # Let a tick unwind (return its connections) before the bot closes the database.
            await asyncio.wait([task], timeout=5)

    @tasks.loop(seconds=30)
    async def run_scheduler(self) -> None:
        # The database may have been down at start-up: try again (with a back-off) first.
        if not await self.bot.db.ensure_started():
            return
        await self.tick()

    async def tick(self) -> None:
        """Post what is due. A tick handles a bounded batch; a full one means more are due: go
        on at once, letting interactions run between ticks, up to 10,000 servers a round.
        Only this process's shards: another process posts for the others."""
        self.scheduler.shards = self._own_shards()
        for _ in range(100):
            report = await self.scheduler.tick()
            if not report.more_due:
                break
            await asyncio.sleep(0)

    def _own_shards(self) -> ShardFilter | None:
        """The shards whose servers this process posts for (None: all of them)."""
        count = self.bot.shard_count
        ids = getattr(self.bot, "shard_ids", None)
        if ids is None and self.bot.shard_id is not None:
            ids = [self.bot.shard_id]
        if not count or ids is None:
            return None
        return count, tuple(ids)

    @run_scheduler.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    @run_scheduler.error
    async def _loop_error(self, error: BaseException) -> None:  # tick() does not raise
        self.log.exception(self.wording.loop_stopped, exc_info=error)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        try:
            await self.daily.forget(guild.id)
        except StoreUnavailable as exc:
            self.log.warning(self.wording.forget_failed, guild.id, exc.detail)

    # -- checks and replies ---------------------------------------------------------------------
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def _status_embed(
        self, interaction: discord.Interaction, status: DailyStatus, title: str | None = None
    ) -> discord.Embed:
        guild = interaction.guild
        assert guild is not None
        state_title = self.wording.paused_title if status.paused else self.wording.active_title
        embed = discord.Embed(title=title or state_title, colour=self.colour)
        embed.add_field(name="Channel", value=f"<#{status.channel_id}>")
        embed.add_field(name="Time", value=f"{status.post_time} {status.timezone}")
        await self._schedule_fields(embed, guild, status)
        if status.last_skip_date:
            embed.add_field(
                name="Last skipped day",
                value=clip(
                    f"{status.last_skip_date.isoformat()}: {status.last_skip_reason or ''}", 1024
                ),
                inline=False,
            )
        if status.last_error:
            embed.add_field(name="Last error", value=clip(status.last_error, 1024), inline=False)
        embed.add_field(
            name="Permission check", value=permission_check(guild, status.channel_id), inline=False
        )
        return embed

    async def _reply(
        self, interaction: discord.Interaction, status: DailyStatus, title: str | None = None
    ) -> None:
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status, title),
            ephemeral=True,
            allowed_mentions=NO_PINGS,
        )

    async def _configure(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: str,
        timezone: str,
        skip_weekends: bool | None = None,
    ) -> DailyStatus:
        """The part of /<group> setup every kind shares: refuse a channel the bot cannot post
        in, then save the schedule."""
        assert interaction.guild is not None
        missing = missing_permissions(channel, interaction.guild.me)
        if missing:
            raise UserError(
                f"I can't post in {channel.mention}: I'm missing {', '.join(missing)} there. "
                "Give me those and try again."
            )
        return await self._call(
            self.scheduler.configure(
                interaction.guild.id,
                channel_id=channel.id,
                post_time=time,
                timezone=timezone,
                skip_weekends=skip_weekends,
            )
        )

    async def _call(self, call: Awaitable[T]) -> T:
        try:
            return await call
        except NotConfiguredError as exc:
            raise UserError(self.wording.not_set_up) from exc
        except ScheduleError as exc:
            raise UserError(str(exc)) from exc

    # -- the shared commands (made into commands per subclass by daily_command) ---------------
    async def _status(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        found = await self.scheduler.status(interaction.guild.id)
        if found is None:
            raise UserError(self.wording.not_set_up)
        await self._reply(interaction, found)

    async def _pause(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        status = await self._call(
            self.scheduler.pause(interaction.guild.id, f"Paused by {interaction.user}.")
        )
        await self._reply(interaction, status)

    async def _resume(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        await self._reply(
            interaction, await self._call(self.scheduler.resume(interaction.guild.id))
        )

    async def _now(self, interaction: discord.Interaction) -> None:
        assert interaction.guild is not None
        try:
            posted = await self._call(self._post_now(interaction.guild.id))
        except PostFailure as exc:
            raise UserError(f"Discord refused the post: {exc.message}") from exc
        except PostUnconfirmed as exc:
            raise UserError(f"Discord did not confirm the post: {exc}") from exc
        await interaction.response.send_message(
            self.wording.posted.format(posted), ephemeral=True, allowed_mentions=NO_PINGS
        )


def permission_check(guild: discord.Guild, channel_id: int) -> str:
    """Whether the bot can post in the channel, as the status embed says it."""
    channel = guild.get_channel(channel_id)
    if channel is None:
        return "I can't see that channel: it was deleted or I have no access."
    missing = missing_permissions(channel, guild.me)
    return (
        "OK: I can view, send and embed links there."
        if not missing
        else "Missing: " + ", ".join(missing)
    )


_CALLBACKS = {
    "status": DailyPostAdmin._status,
    "pause": DailyPostAdmin._pause,
    "resume": DailyPostAdmin._resume,
    "now": DailyPostAdmin._now,
}


def daily_command(
    name: SharedCommand, description: str
) -> app_commands.Command[DailyPostAdmin, [], None]:
    """A shared command with this subclass's description; assign it in the class body (the
    attribute name binds it to each instance, as a decorated method would be)."""
    return app_commands.Command(name=name, description=description, callback=_CALLBACKS[name])
