"""/me: a member's own settings (time zone, exam date, a daily DM reminder) and /me forget.

The reminder is one `tasks` loop over the members whose reminder is due (an indexed column
holds each member's next instant); bot.habits.reminders claims each before sending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import UserError
from bot.exts.habits import _views as views
from bot.habits.reminders import (
    DEFAULT_ZONE,
    DmClosed,
    next_occurrence,
    parse_exam_date,
    parse_local_time,
    parse_zone,
    send_due_reminders,
    zone_choices,
)
from bot.habits.repository import HabitsRepository, MemberPrefs
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)
CLEAR = ("none", "off", "clear", "-")


def utcnow() -> datetime:
    return datetime.now(UTC)


def schedule_reminder(prefs: MemberPrefs, now: datetime) -> MemberPrefs:
    """Where the reminder fires next after a change of time or zone; never a second time on a
    local date already claimed."""
    if prefs.reminder_time is None:
        return replace(prefs, reminder_next_at=None)
    zone = prefs.zone or ZoneInfo(DEFAULT_ZONE)
    at = parse_local_time(prefs.reminder_time)
    following = next_occurrence(at, zone, now)
    last = prefs.reminder_last_date
    if last is not None and following.astimezone(zone).date() <= last:
        following = next_occurrence(at, zone, following + timedelta(minutes=1))
    return replace(prefs, reminder_next_at=following, dm_closed_at=None)


class Me(commands.Cog):
    """A member's own study settings, and forgetting everything about them."""

    me = app_commands.Group(name="me", description="Your own study settings and data")

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        self.repo = HabitsRepository(bot.db)
        self.clock: Callable[[], datetime] = utcnow  # tests pass a controlled clock

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.ForgetButton)
        self.reminders.start()

    async def cog_unload(self) -> None:
        self.reminders.cancel()
        self.bot.remove_dynamic_items(views.ForgetButton)
        task = self.reminders.get_task()
        if task is not None and task is not asyncio.current_task():
            # Let a pass unwind (return its connection) before the bot closes the database:
            # an aiosqlite connection closed under it would wait for ever.
            await asyncio.wait([task], timeout=5)

    async def _store(self) -> HabitsRepository:
        if not await self.bot.db.ensure_started():
            raise StoreUnavailable(self.bot.db.last_error or "the database is not started")
        return self.repo

    async def _zones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in zone_choices(current)]

    @me.command(name="settings")
    @app_commands.describe(
        timezone="Your IANA time zone, e.g. America/Chicago (streaks and reminders use it)",
        exam_date="Your exam date, YYYY-MM-DD (reviews are spaced to finish before it); none to clear",
        reminder="A daily DM with your due reviews at this local time, HH:MM; off to stop",
    )
    @app_commands.autocomplete(timezone=_zones)
    async def settings(
        self,
        interaction: discord.Interaction,
        timezone: str | None = None,
        exam_date: str | None = None,
        reminder: str | None = None,
    ) -> None:
        """Show or change your time zone, exam date and daily review reminder."""
        repo, now = await self._store(), self.clock()
        prefs = await repo.prefs(interaction.user.id)
        changed = prefs
        if timezone is not None:
            changed = replace(changed, timezone=parse_zone(timezone).key)
        zone = changed.zone or ZoneInfo(DEFAULT_ZONE)
        if exam_date is not None:
            clear = exam_date.strip().casefold() in CLEAR
            today = now.astimezone(zone).date()
            changed = replace(
                changed, exam_date=None if clear else parse_exam_date(exam_date, today)
            )
        if reminder is not None:
            off = reminder.strip().casefold() in CLEAR
            at = None if off else parse_local_time(reminder).strftime("%H:%M")
            changed = replace(changed, reminder_time=at)
        if changed != prefs:
            if timezone is not None or reminder is not None:
                changed = schedule_reminder(changed, now)
            await repo.save_prefs(changed, now)
        await interaction.response.send_message(
            embed=self._settings_embed(changed, saved=changed != prefs),
            ephemeral=True,
            allowed_mentions=views.NO_PINGS,
        )

    @staticmethod
    def _settings_embed(prefs: MemberPrefs, *, saved: bool) -> discord.Embed:
        zone = prefs.timezone or f"not set (using {DEFAULT_ZONE}, or the server's for streaks)"
        exam = f"{prefs.exam_date:%d %B %Y}" if prefs.exam_date else "not set"
        if prefs.reminder_time is None:
            reminder = "off"
        elif prefs.dm_closed_at is not None:
            reminder = f"{prefs.reminder_time} — stopped: your DMs are closed to me (set it again)"
        else:
            reminder = f"daily at {prefs.reminder_time} your time, when reviews are due"
            if prefs.reminder_next_at:
                reminder += f"\nNext: {views.when(prefs.reminder_next_at)}"
        embed = discord.Embed(
            title="Your settings" + (" (saved)" if saved else ""), colour=views.REVIEW_COLOUR
        )
        embed.add_field(name="Time zone", value=zone, inline=False)
        embed.add_field(name="Exam date", value=exam, inline=False)
        embed.add_field(name="Review reminder", value=reminder, inline=False)
        embed.set_footer(text="/me forget deletes everything I store about you.")
        return embed

    @me.command(name="forget")
    async def forget(self, interaction: discord.Interaction) -> None:
        """Delete everything the bot stores about you (answers, reviews, settings)."""
        embed = discord.Embed(
            title="Delete everything about you?",
            description=(
                "This deletes your practice runs and answers, your review cards, your "
                "question-of-the-day answers (your place on leaderboards), and your settings, "
                "in every server. It cannot be undone."
            ),
            colour=views.WRONG_COLOUR,
        )
        button = views.ForgetButton(
            f"medcode:forget:{interaction.user.id}", "Delete everything", discord.ButtonStyle.danger
        )
        await interaction.response.send_message(
            embed=embed, view=views.view(button), ephemeral=True, allowed_mentions=views.NO_PINGS
        )

    async def on_press(self, interaction: discord.Interaction, params: dict[str, str]) -> None:
        if int(params["member"]) != interaction.user.id:
            raise UserError("Only the member who asked can confirm this.")
        removed = await (await self._store()).forget(interaction.user.id)
        embed = discord.Embed(
            title="Done: I no longer store anything about you",
            description=f"{removed} record(s) deleted.",
            colour=views.RIGHT_COLOUR,
        )
        await interaction.response.edit_message(embed=embed, view=views.view())

    # -- the reminder loop ----------------------------------------------------------------------
    @tasks.loop(seconds=60)
    async def reminders(self) -> None:
        if not await self.bot.db.ensure_started():
            return
        await self.send_reminders(self.clock())

    async def send_reminders(self, now: datetime) -> None:
        result = await send_due_reminders(self.repo, now, self._dm)
        if result.sent or result.closed or result.failed:
            log.info(
                "Review reminders: %d sent, %d DMs closed, %d failed",
                len(result.sent),
                len(result.closed),
                len(result.failed),
            )

    async def _dm(self, member_id: int, due: int) -> None:
        embed = discord.Embed(
            title="Time for a review",
            description=f"You have {due} review card(s) due. Use /review to go through them.",
            colour=views.REVIEW_COLOUR,
        )
        embed.set_footer(text="Turn this off with /me settings reminder:off")
        try:
            channel = await self.bot.create_dm(discord.Object(member_id))
            await channel.send(embed=embed, allowed_mentions=views.NO_PINGS)
        except discord.Forbidden as exc:  # 50007: DMs closed (or no shared server)
            raise DmClosed(str(exc)) from exc

    @reminders.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    @reminders.error
    async def _loop_error(self, error: BaseException) -> None:
        log.exception("The review reminder loop stopped", exc_info=error)


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(Me(bot))
