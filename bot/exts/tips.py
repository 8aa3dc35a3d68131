"""Daily study tips: /tip for members, /tips for admins, and the one scheduler loop."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, get_args

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import UserError
from bot.exts._embeds import clip
from bot.knowledge.models import TIP_CATEGORY_LABELS, Tip, TipCategory
from bot.tips import (
    NoTipsError,
    PostFailure,
    SqliteTipStore,
    TipConfigError,
    TipScheduler,
    TipsNotConfiguredError,
    TipStatus,
    suggest_timezones,
)

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)

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


def stamp(moment: datetime | None, style: str = "f") -> str:
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
        self.store: SqliteTipStore | None = None
        self.scheduler: TipScheduler | None = None
        super().__init__()

    # -- lifecycle ----------------------------------------------------------------------------
    async def cog_load(self) -> None:
        settings = self.bot.settings
        self.store = await SqliteTipStore(
            settings.database_path or "data/tips.sqlite3"
        ).open()  # until the tips move to bot.store
        self.scheduler = TipScheduler(
            self.store,
            self._post,
            lambda: self.bot.engine.kb.tips,
            catchup=timedelta(hours=settings.tip_catchup_hours),
        )
        self.run_scheduler.change_interval(seconds=settings.tip_tick_seconds)
        self.run_scheduler.start()

    async def cog_unload(self) -> None:
        self.run_scheduler.cancel()
        if self.store is not None:
            await self.store.close()

    @tasks.loop(seconds=30)
    async def run_scheduler(self) -> None:
        assert self.scheduler is not None
        # A tick handles a bounded batch; a full one means more are due: go on at once, letting
        # interactions run between ticks, up to 10,000 servers a round.
        for _ in range(100):
            report = await self.scheduler.tick()
            if not report.more_due:
                break
            await asyncio.sleep(0)

    @run_scheduler.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    @run_scheduler.error
    async def _loop_error(
        self, error: BaseException
    ) -> None:  # tick() does not raise; belt and braces
        log.exception("Tip scheduler loop stopped", exc_info=error)

    async def _post(self, guild_id: int, channel_id: int, tip: Tip) -> int:
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        try:
            message = await channel.send(
                embed=tip_embed(tip, "Daily study tip"), allowed_mentions=NO_PINGS
            )
        except discord.HTTPException as exc:
            raise PostFailure.from_http(exc.status, exc.code, exc.text) from exc
        return message.id

    # -- events -------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        assert self.scheduler is not None
        status = await self.scheduler.status(channel.guild.id)
        if status is not None and status.channel_id == channel.id and not status.paused:
            await self.scheduler.pause(
                channel.guild.id,
                f"Paused: the tips channel #{channel.name} was deleted. Pick another with /tips setup.",
            )

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        assert self.scheduler is not None
        await self.scheduler.forget(guild.id)

    # -- checks -------------------------------------------------------------------------------
    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        if not interaction.permissions.manage_guild:
            raise app_commands.MissingPermissions(["manage_guild"])
        return True

    async def _status_embed(
        self, interaction: discord.Interaction, status: TipStatus
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
        assert self.scheduler is not None and interaction.guild is not None
        missing = missing_permissions(channel, interaction.guild.me)
        if missing:
            raise UserError(
                f"I can't post in {channel.mention}: I'm missing {', '.join(missing)} there. "
                "Give me those and try again."
            )
        try:
            status = await self.scheduler.configure(
                interaction.guild.id,
                channel_id=channel.id,
                post_time=time,
                timezone=timezone,
                skip_weekends=skip_weekends,
            )
        except TipConfigError as exc:
            raise UserError(str(exc)) from exc
        embed = await self._status_embed(interaction, status)
        embed.title = "Daily tips set up"
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @setup_tips.autocomplete("timezone")
    async def _timezones(self, interaction: discord.Interaction, current: str):
        return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current, limit=25)]

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Channel, time, next and last post, and a permission check."""
        assert self.scheduler is not None and interaction.guild is not None
        status = await self.scheduler.status(interaction.guild.id)
        if status is None:
            raise UserError("Daily tips are not set up here yet. Start with /tips setup.")
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        """Stop the daily tip until you resume it."""
        assert self.scheduler is not None and interaction.guild is not None
        status = await self._call(
            self.scheduler.pause(interaction.guild.id, f"Paused by {interaction.user}.")
        )
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        """Start the daily tip again."""
        assert self.scheduler is not None and interaction.guild is not None
        status = await self._call(self.scheduler.resume(interaction.guild.id))
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="weekends")
    @app_commands.describe(skip="True to skip Saturdays and Sundays")
    async def weekends(self, interaction: discord.Interaction, skip: bool) -> None:
        """Skip weekends, or not."""
        assert self.scheduler is not None and interaction.guild is not None
        status = await self._call(self.scheduler.set_skip_weekends(interaction.guild.id, skip))
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status), ephemeral=True
        )

    @app_commands.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the next tip in the tips channel now (the daily post still goes out)."""
        assert self.scheduler is not None and interaction.guild is not None
        try:
            posted = await self._call(self.scheduler.post_now(interaction.guild.id))
        except PostFailure as exc:
            raise UserError(f"Discord refused the post: {exc.message}") from exc
        await interaction.response.send_message(
            f"Posted tip `{posted.tip.id}`.", ephemeral=True, allowed_mentions=NO_PINGS
        )

    @staticmethod
    async def _call(coro):
        try:
            return await coro
        except TipsNotConfiguredError as exc:
            raise UserError("Daily tips are not set up here yet. Start with /tips setup.") from exc
        except NoTipsError as exc:
            raise UserError("There are no tips in the knowledge base right now.") from exc
        except TipConfigError as exc:
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
