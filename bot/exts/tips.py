"""Daily study tips: /tip for members, /tips for admins, and the one scheduler loop."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import TYPE_CHECKING, get_args

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.exts._daily_admin import (
    DailyPostAdmin,
    DailyWording,
    daily_command,
    send_post,
    stamp,
    timezone_choices,
)
from bot.exts._embeds import clip
from bot.knowledge.models import TIP_CATEGORY_LABELS, Tip, TipCategory
from bot.scheduling import DailyStatus
from bot.store import StoreUnavailable
from bot.tips import DailyTips, NoTipsError

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)

TIP_COLOUR = discord.Colour.gold()
CATEGORY_LABELS = TIP_CATEGORY_LABELS
CATEGORY_CHOICES = [
    app_commands.Choice(name=CATEGORY_LABELS.get(c, c), value=c) for c in get_args(TipCategory)
]


def tip_embed(tip: Tip, title: str = "Study tip") -> discord.Embed:
    label = CATEGORY_LABELS.get(tip.category, tip.category)
    embed = discord.Embed(
        title=f"{title} · {label}", description=clip(tip.text, 4096), colour=TIP_COLOUR
    )
    footer = f"Source: {tip.source} · tip {tip.id}" if tip.source else f"tip {tip.id}"
    embed.set_footer(text=clip(footer, 2048))
    return embed


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Tips(DailyPostAdmin, group_name="tips"):
    """Daily study tips for this server (Manage Server)."""

    wording = DailyWording(
        not_set_up="Daily tips are not set up here yet. Start with /tips setup.",
        active_title="Daily tips: Active",
        paused_title="Daily tips: Paused",
        posted="Posted tip `{}`.",
        loop_stopped="Tip scheduler loop stopped",
        forget_failed="guild %s: could not forget its tips: %s",
    )
    colour = TIP_COLOUR
    daily: DailyTips

    def __init__(self, bot: MedcodeBot) -> None:
        # Nothing touches the database here: the bot comes up whatever state it is in.
        daily = DailyTips(
            bot.db,
            lambda: self.bot.engine.kb.tips,
            self._post,
            catchup=timedelta(hours=bot.settings.tip_catchup_hours),
        )
        super().__init__(bot, daily)

    async def _post(self, guild_id: int, channel_id: int, tip: Tip, nonce: str | None) -> int:
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        return await send_post(channel, nonce, embed=tip_embed(tip, "Daily study tip"))

    async def _post_now(self, guild_id: int) -> str:
        try:
            posted = await self.daily.post_now(guild_id)
        except NoTipsError as exc:
            raise UserError("There are no tips in the knowledge base right now.") from exc
        return posted.tip.id

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

    # -- admin commands -------------------------------------------------------------------------
    async def _schedule_fields(
        self, embed: discord.Embed, guild: discord.Guild, status: DailyStatus
    ) -> None:
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

    @app_commands.command(name="setup")
    @app_commands.describe(
        channel="Where the daily tip goes",
        time="Local time, e.g. 09:00 or 5:30pm",
        timezone="IANA time zone, e.g. America/New_York",
        skip_weekends="Skip Saturdays and Sundays",
    )
    @app_commands.autocomplete(timezone=timezone_choices)
    async def setup_tips(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64],
        skip_weekends: bool | None = None,
    ) -> None:
        """Post a study tip every day in a channel, at a local time."""
        status = await self._configure(interaction, channel, time, timezone, skip_weekends)
        await self._reply(interaction, status, "Daily tips set up")

    status = daily_command("status", "Channel, time, next and last post, and a permission check.")
    pause = daily_command("pause", "Stop the daily tip until you resume it.")
    resume = daily_command("resume", "Start the daily tip again.")

    @app_commands.command(name="weekends")
    @app_commands.describe(skip="True to skip Saturdays and Sundays")
    async def weekends(self, interaction: discord.Interaction, skip: bool) -> None:
        """Skip weekends, or not."""
        assert interaction.guild is not None
        status = await self._call(self.scheduler.set_skip_weekends(interaction.guild.id, skip))
        await self._reply(interaction, status)

    now = daily_command(
        "now", "Post the next tip in the tips channel now (the daily post still goes out)."
    )


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
        await interaction.response.send_message(embed=tip_embed(random.choice(tips)))


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(TipCommand(bot))
    await bot.add_cog(Tips(bot))
