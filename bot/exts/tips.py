"""Daily study tips: /tip for members, /tips for admins, and the one scheduler loop."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar, get_args

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import UserError
from bot.exts._embeds import clip
from bot.knowledge.models import TIP_CATEGORY_LABELS, Tip, TipCategory
from bot.scheduling import (
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
from bot.tips import DailyTips, NoTipsError

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_PINGS = discord.AllowedMentions.none()
TIP_COLOUR = discord.Colour.gold()
CATEGORY_LABELS = TIP_CATEGORY_LABELS
CATEGORY_CHOICES = [
    app_commands.Choice(name=CATEGORY_LABELS.get(c, c), value=c) for c in get_args(TipCategory)
]
NEEDED = ("view_channel", "send_messages", "embed_links")


def tip_embed(tip: Tip, title: str = "Study tip") -> discord.Embed:
    label = CATEGORY_LABELS.get(tip.category, tip.category)
    embed = discord.Embed(
        title=f"{title} · {label}", description=clip(tip.text, 4096), colour=TIP_COLOUR
    )
    footer = f"Source: {tip.source} · tip {tip.id}" if tip.source else f"tip {tip.id}"
    embed.set_footer(text=clip(footer, 2048))
    return embed


def stamp(moment: datetime | None, style: discord.utils.TimestampStyle = "f") -> str:
    if moment is None:
        return "—"
    return discord.utils.format_dt(moment.astimezone(UTC), style)


def missing_permissions(channel: discord.abc.GuildChannel, me: discord.Member) -> list[str]:
    perms = channel.permissions_for(me)
    return [name.replace("_", " ") for name in NEEDED if not getattr(perms, name)]


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Tips(commands.GroupCog, group_name="tips"):
    """Daily study tips for this server (Manage Server)."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        settings = bot.settings
        # Nothing touches the database here: the bot comes up whatever state it is in.
        self.tips = DailyTips(
            bot.db,
            lambda: self.bot.engine.kb.tips,
            self._post,
            catchup=timedelta(hours=settings.tip_catchup_hours),
        )
        self.scheduler = self.tips.scheduler
        super().__init__()

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
        self.scheduler.shards = self._own_shards()
        # A tick handles a bounded batch; a full one means more are due: go on at once, letting
        # interactions run between ticks, up to 10,000 servers a round.
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
        log.exception("Tip scheduler loop stopped", exc_info=error)

    async def _post(self, guild_id: int, channel_id: int, tip: Tip, nonce: str | None) -> int:
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        embed = tip_embed(tip, "Daily study tip")
        try:
            if nonce is None:
                message = await channel.send(embed=embed, allowed_mentions=NO_PINGS)
            else:  # discord.py sends enforce_nonce: Discord drops a repeat of the same day's
                message = await channel.send(embed=embed, allowed_mentions=NO_PINGS, nonce=nonce)
        except discord.HTTPException as exc:
            raise classify_http(exc.status, exc.code, exc.text) from exc
        except aiohttp.ClientConnectorError as exc:  # no connection, so nothing was sent
            raise PostFailure("transient", f"{type(exc).__name__}: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:  # it may have reached Discord
            raise PostUnconfirmed(f"{type(exc).__name__}: {exc}") from exc
        return message.id

    # -- events -------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        try:
            status = await self.scheduler.status(channel.guild.id)
            if status is not None and status.channel_id == channel.id and not status.paused:
                await self.scheduler.pause(
                    channel.guild.id,
                    f"Paused: the tips channel #{channel.name} was deleted. "
                    "Pick another with /tips setup.",
                )
        except StoreUnavailable as exc:
            log.warning("guild %s: could not pause tips: %s", channel.guild.id, exc.detail)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        try:
            await self.tips.forget(guild.id)
        except StoreUnavailable as exc:
            log.warning("guild %s: could not forget its tips: %s", guild.id, exc.detail)

    # -- checks -------------------------------------------------------------------------------
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def _status_embed(
        self, interaction: discord.Interaction, status: DailyStatus
    ) -> discord.Embed:
        guild = interaction.guild
        assert guild is not None
        channel = guild.get_channel(status.channel_id)
        state = "Paused" if status.paused else "Active"
        embed = discord.Embed(title=f"Daily tips: {state}", colour=TIP_COLOUR)
        embed.add_field(name="Channel", value=f"<#{status.channel_id}>")
        embed.add_field(name="Time", value=f"{status.post_time} {status.timezone}")
        embed.add_field(name="Weekends", value="skipped" if status.skip_weekends else "included")
        if status.paused:
            embed.add_field(
                name="Why paused",
                value=clip(status.paused_reason or "Paused by an admin.", 1024),
                inline=False,
            )
        else:
            local = (
                status.next_post_local.strftime("%a %d %b %H:%M") if status.next_post_local else "—"
            )
            retry = " (a retry)" if status.retrying else ""
            embed.add_field(
                name="Next post",
                value=f"{local} {status.timezone}{retry}\n{stamp(status.next_post_utc, 'R')}",
                inline=False,
            )
        last = (
            f"{status.last_post_date.isoformat()} ({stamp(status.last_posted_at, 'R')})"
            if status.last_post_date
            else "none yet"
        )
        embed.add_field(name="Last post", value=last, inline=False)
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
        if channel is None:
            check = "I can't see that channel: it was deleted or I have no access."
        else:
            missing = missing_permissions(channel, guild.me)
            check = (
                "OK: I can view, send and embed links there."
                if not missing
                else ("Missing: " + ", ".join(missing))
            )
        embed.add_field(name="Permission check", value=check, inline=False)
        return embed

    # -- admin commands -------------------------------------------------------------------------
    @app_commands.command(name="setup")
    @app_commands.describe(
        channel="Where the daily tip goes",
        time="Local time, e.g. 09:00 or 5:30pm",
        timezone="IANA time zone, e.g. America/New_York",
        skip_weekends="Skip Saturdays and Sundays",
    )
    async def setup_tips(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64],
        skip_weekends: bool | None = None,
    ) -> None:
        """Post a study tip every day in a channel, at a local time."""
        assert interaction.guild is not None
        missing = missing_permissions(channel, interaction.guild.me)
        if missing:
            raise UserError(
                f"I can't post in {channel.mention}: I'm missing {', '.join(missing)} there. "
                "Give me those and try again."
            )
        status = await self._call(
            self.scheduler.configure(
                interaction.guild.id,
                channel_id=channel.id,
                post_time=time,
                timezone=timezone,
                skip_weekends=skip_weekends,
            )
        )
        embed = await self._status_embed(interaction, status)
        embed.title = "Daily tips set up"
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @setup_tips.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current, limit=25)]

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Channel, time, next and last post, and a permission check."""
        assert interaction.guild is not None
        status = await self.scheduler.status(interaction.guild.id)
        if status is None:
            raise UserError("Daily tips are not set up here yet. Start with /tips setup.")
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        """Stop the daily tip until you resume it."""
        assert interaction.guild is not None
        status = await self._call(
            self.scheduler.pause(interaction.guild.id, f"Paused by {interaction.user}.")
        )
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        """Start the daily tip again."""
        assert interaction.guild is not None
        status = await self._call(self.scheduler.resume(interaction.guild.id))
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="weekends")
    @app_commands.describe(skip="True to skip Saturdays and Sundays")
    async def weekends(self, interaction: discord.Interaction, skip: bool) -> None:
        """Skip weekends, or not."""
        assert interaction.guild is not None
        status = await self._call(self.scheduler.set_skip_weekends(interaction.guild.id, skip))
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the next tip in the tips channel now (the daily post still goes out)."""
        assert interaction.guild is not None
        try:
            posted = await self._call(self.tips.post_now(interaction.guild.id))
        except PostFailure as exc:
            raise UserError(f"Discord refused the post: {exc.message}") from exc
        except PostUnconfirmed as exc:
            raise UserError(f"Discord did not confirm the post: {exc}") from exc
        await interaction.response.send_message(
            f"Posted tip `{posted.tip.id}`.", ephemeral=True, allowed_mentions=NO_PINGS
        )

    @staticmethod
    async def _call(call: Awaitable[T]) -> T:
        try:
            return await call
        except NotConfiguredError as exc:
            raise UserError("Daily tips are not set up here yet. Start with /tips setup.") from exc
        except NoTipsError as exc:
            raise UserError("There are no tips in the knowledge base right now.") from exc
        except ScheduleError as exc:
            raise UserError(str(exc)) from exc


class TipCommand(commands.Cog):
    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot

    @app_commands.command(name="tip")
    @app_commands.describe(category="Only tips of this kind")
    @app_commands.choices(category=CATEGORY_CHOICES)
    async def tip(self, interaction: discord.Interaction, category: str | None = None) -> None:
        """A study tip for the CPC, CCS or CRC, now."""
        tips = [t for t in self.bot.engine.kb.tips if category is None or t.category == category]
        if not tips:
            raise UserError("There are no tips of that kind right now.")
        await interaction.response.send_message(
            embed=tip_embed(random.choice(tips)), allowed_mentions=NO_PINGS
        )


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(TipCommand(bot))
    await bot.add_cog(Tips(bot))
