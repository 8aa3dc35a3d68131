"""/progress (a member's accuracy, mocks, streak, reviews and a chart) and /leaderboard (a
server's question of the day). The chart is drawn in a worker thread: matplotlib takes tens of
milliseconds a figure, which the event loop must not wait for."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.exts.habits import _views as views
from bot.habits.charts import progress_chart
from bot.habits.leaderboard import Period, period_start, rank
from bot.habits.report import load_report, member_zone, report_lines
from bot.habits.repository import HabitsRepository
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

FORMER_MEMBER = "a former member"
PERIOD_TITLES: dict[Period, str] = {
    "week": "the last 7 days",
    "month": "the last 30 days",
    "all": "all time",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Progress(commands.Cog):
    """A member's progress and a server's question-of-the-day leaderboard."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        self.repo = HabitsRepository(bot.db)
        self.clock: Callable[[], datetime] = utcnow  # tests pass a controlled clock

    async def _ready(self) -> None:
        if not await self.bot.db.ensure_started():
            raise StoreUnavailable(self.bot.db.last_error or "the database is not started")

    @app_commands.command(name="progress")
    async def progress(self, interaction: discord.Interaction) -> None:
        """Your accuracy by section (weakest first), mock scores, streak, reviews and a chart."""
        await self._ready()
        await interaction.response.defer(ephemeral=True, thinking=True)
        member, now = interaction.user.id, self.clock()
        zone = await member_zone(self.bot.db, member, interaction.guild_id)
        report = await load_report(self.bot.db, self.bot.bank, member, now, zone)
        embed = views.lines_embed("Your progress", report_lines(report), views.REVIEW_COLOUR)
        if not report.progress.answered:
            await interaction.followup.send(embed=embed, ephemeral=True)
            return
        png = await asyncio.to_thread(progress_chart, report.progress)
        embed.set_image(url="attachment://progress.png")
        await interaction.followup.send(
            embed=embed,
            file=discord.File(io.BytesIO(png), filename="progress.png"),
            ephemeral=True,
            allowed_mentions=views.NO_PINGS,
        )

    @app_commands.command(name="leaderboard")
    @app_commands.describe(period="The last week, the last month, or all time (default: week)")
    @app_commands.guild_only()
    async def leaderboard(
        self, interaction: discord.Interaction, period: Literal["week", "month", "all"] = "week"
    ) -> None:
        """This server's question-of-the-day leaderboard: right answers, then accuracy."""
        await self._ready()
        if interaction.guild_id is None:
            raise UserError("The leaderboard belongs to a server: use it there.")
        scores = await self.repo.qotd_scores(
            interaction.guild_id, period_start(period, self.clock())
        )
        names = {member: name for member, _, _, name in scores}
        board = rank((m, right, answered) for m, right, answered, _ in scores)
        if not board:
            lines = ["Nobody has answered the question of the day in this period yet."]
        else:
            lines = [
                f"**{s.place}.** {discord.utils.escape_markdown(names.get(s.member_id) or FORMER_MEMBER)}"
                f" — {s.correct}/{s.answered} right"
                for s in board
            ]
        embed = views.lines_embed(
            f"Question of the day · {PERIOD_TITLES[period]}", lines, views.QOTD_COLOUR
        )
        embed.set_footer(text="Ties share a place. Only the question of the day counts.")
        await interaction.response.send_message(embed=embed, allowed_mentions=views.NO_PINGS)


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(Progress(bot))
