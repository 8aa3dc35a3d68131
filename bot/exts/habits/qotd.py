"""The question of the day: /qotd for admins, the A–D buttons for everyone, one loop.

The posting is the daily tips' scheduler (bot.scheduling.DailyScheduler) with the kind
"qotd": the same claim-before-send, catch-up, DST and failure handling, not a copy, and the
same admin commands (bot.exts._daily_admin). The loop also reveals the posts whose time came
(bot.habits.qotd).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord
from discord import app_commands

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
from bot.exts.habits import _views as views
from bot.habits import qotd
from bot.practice import Question
from bot.scheduling import DailyStatus
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)
POST_MEMORY = 1_000  # posts kept in memory: a press reads none from the store
NOT_SET_UP = "The question of the day is not set up here yet. Start with /qotd setup."


def utcnow() -> datetime:
    return datetime.now(UTC)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class QuestionOfTheDay(DailyPostAdmin, group_name="qotd"):
    """A graded question of the day in this server (setup needs Manage Server)."""

    wording = DailyWording(
        not_set_up=NOT_SET_UP,
        active_title="Question of the day: active",
        paused_title="Question of the day: paused",
        posted="Posted question `{}`.",
        loop_stopped="The question-of-the-day loop stopped",
        forget_failed="guild %s: could not forget its question of the day: %s",
    )
    colour = views.QOTD_COLOUR
    daily: qotd.QuestionOfTheDay

    def __init__(self, bot: MedcodeBot) -> None:
        self.clock: Callable[[], datetime] = utcnow  # tests pass a controlled clock
        daily = qotd.QuestionOfTheDay(
            bot.db,
            lambda: self.bot.bank,
            self._post,
            clock=lambda: self.clock(),
            catchup=timedelta(hours=bot.settings.tip_catchup_hours),
        )
        self.repo = daily.repo
        self._posts: OrderedDict[int, qotd.Post] = OrderedDict()
        self._zones: dict[int, str | None] = {}  # a server's zone: the streak day of an answer
        super().__init__(bot, daily)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.QotdButton)
        await super().cog_load()

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(views.QotdButton)
        await super().cog_unload()

    # -- the loop -------------------------------------------------------------------------------
    async def tick(self) -> None:
        """Post what is due (bounded batches, yielding between them), then reveal."""
        await super().tick()
        try:
            await self.daily.reveal_due(self._reveal)
        except StoreUnavailable as exc:
            log.warning("Question-of-the-day reveals skipped: %s", exc.detail)

    # -- Discord side of a post -----------------------------------------------------------------
    async def _post(
        self,
        guild_id: int,
        channel_id: int,
        question: Question,
        post_id: int,
        reveal_at: datetime | None,
        nonce: str | None,
    ) -> int:
        channel = self.bot.get_partial_messageable(channel_id, guild_id=guild_id)
        section = self.bot.bank.section_name(question.section)
        embed, view = views.qotd_post(question, section, post_id, reveal_at)
        message_id = await send_post(
            channel, nonce, embed=embed, view=view, allowed_mentions=views.NO_PINGS
        )
        self._posts.pop(post_id, None)
        return message_id

    async def _post_now(self, guild_id: int) -> str:
        question_id, _ = await self.daily.post_now(guild_id)
        return question_id

    async def _reveal(self, post: qotd.Post, counts: dict[str, int]) -> None:
        question = self.bot.bank.questions.get(post.question_id)
        if question is None or post.channel_id is None or post.message_id is None:
            return
        embed, view = views.qotd_reveal(
            question, self.bot.bank.section_name(question.section), counts
        )
        channel = self.bot.get_partial_messageable(post.channel_id, guild_id=post.guild_id)
        await channel.get_partial_message(post.message_id).edit(embed=embed, view=view)
        self._posts.pop(post.id, None)

    # -- answers --------------------------------------------------------------------------------
    async def _cached_post(self, post_id: int) -> qotd.Post | None:
        post = self._posts.get(post_id)
        if post is None:
            post = await self.repo.get(post_id)
            if post is None:
                return None
            self._posts[post_id] = post
            if len(self._posts) > POST_MEMORY:
                self._posts.popitem(last=False)
        return post

    async def on_press(self, interaction: discord.Interaction, params: dict[str, str]) -> None:
        if not await self.bot.db.ensure_started():
            raise StoreUnavailable(self.bot.db.last_error or "the database is not started")
        now = self.clock()
        post = await self._cached_post(int(params["post"]))
        question = self.bot.bank.questions.get(post.question_id) if post else None
        if post is None or question is None:
            raise UserError("This question of the day is no longer available.")
        if post.closed(now):
            raise UserError(
                f"Answers to this question are closed: the answer was {question.answer}."
            )
        zone = await self._server_zone(post.guild_id)
        answered = await self.repo.answer(
            post,
            question,
            interaction.user.id,
            params["action"],
            now,
            interaction.user.display_name,
            zone,
        )
        if not answered.recorded:
            raise UserError(f"You already answered this one ({answered.choice}): one answer each.")
        await interaction.response.send_message(
            embed=views.qotd_feedback(question, params["action"]),
            ephemeral=True,
            allowed_mentions=views.NO_PINGS,
        )

    async def _server_zone(self, guild_id: int) -> str | None:
        if guild_id not in self._zones:
            row = await self.scheduler.store.get(guild_id)
            self._zones[guild_id] = row.timezone if row else None
        return self._zones[guild_id]

    # -- admin commands -------------------------------------------------------------------------
    async def _schedule_fields(
        self, embed: discord.Embed, guild: discord.Guild, status: DailyStatus
    ) -> None:
        reveal = await self.repo.reveal_after(guild.id)
        embed.add_field(
            name="Answer revealed",
            value=f"{reveal.total_seconds() / 3600:g} h after the post, or at the next post",
        )
        if status.paused:
            embed.add_field(
                name="Why paused", value=clip(status.paused_reason or "", 1024), inline=False
            )
        else:
            embed.add_field(name="Next post", value=stamp(status.next_post_utc, "F"), inline=False)
        latest = await self.repo.latest(guild.id)
        last = f"{latest.question_id} ({stamp(latest.posted_at, 'R')})" if latest else "none yet"
        embed.add_field(name="Last post", value=last, inline=False)

    @app_commands.command(name="setup")
    @app_commands.describe(
        channel="Where the question goes",
        time="Local time, e.g. 09:00 or 5:30pm",
        timezone="IANA time zone, e.g. America/New_York",
        reveal_hours="Hours until the answer is shown (default 12; at the latest, the next post)",
    )
    @app_commands.autocomplete(timezone=timezone_choices)
    async def setup_qotd(
        self,
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        time: app_commands.Range[str, 1, 20],
        timezone: app_commands.Range[str, 1, 64],
        reveal_hours: app_commands.Range[int, 1, 24] | None = None,
    ) -> None:
        """Post a graded question every day in a channel, at a local time."""
        assert interaction.guild is not None
        status = await self._configure(interaction, channel, time, timezone)
        if reveal_hours is not None:
            await self.repo.set_reveal_after(interaction.guild.id, reveal_hours)
        self._zones.pop(interaction.guild.id, None)
        await self._reply(interaction, status, "Question of the day set up")

    status = daily_command(
        "status", "Channel, time, reveal, next and last post, and a permission check."
    )
    pause = daily_command("pause", "Stop the question of the day until you resume it.")
    resume = daily_command("resume", "Start the question of the day again.")
    now = daily_command("now", "Post the next question now (the daily one still goes out).")


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(QuestionOfTheDay(bot))
