"""The question of the day: /qotd for admins, the A–D buttons for everyone, one loop.

The posting is the daily tips' scheduler (bot.scheduling.DailyScheduler) with the kind
"qotd": the same claim-before-send, catch-up, DST and failure handling, not a copy. The loop
also reveals the posts whose time came (bot.habits.qotd).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

import aiohttp
import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import UserError
from bot.exts._embeds import clip
from bot.exts.habits import _views as views
from bot.exts.tips import missing_permissions, stamp
from bot.habits import qotd
from bot.practice import Question
from bot.scheduling import (
    DailyStatus,
    NotConfiguredError,
    PostFailure,
    PostUnconfirmed,
    ScheduleError,
    classify_http,
    suggest_timezones,
)
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)
T = TypeVar("T")
POST_MEMORY = 1_000  # posts kept in memory: a press reads none from the store
NOT_SET_UP = "The question of the day is not set up here yet. Start with /qotd setup."


def utcnow() -> datetime:
    return datetime.now(UTC)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class QuestionOfTheDay(commands.GroupCog, group_name="qotd"):
    """A graded question of the day in this server (setup needs Manage Server)."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        self.clock: Callable[[], datetime] = utcnow  # tests pass a controlled clock
        self.daily = qotd.QuestionOfTheDay(
            bot.db,
            lambda: self.bot.bank,
            self._post,
            clock=lambda: self.clock(),
            catchup=timedelta(hours=bot.settings.tip_catchup_hours),
        )
        self.scheduler = self.daily.scheduler
        self.repo = self.daily.repo
        self._posts: OrderedDict[int, qotd.Post] = OrderedDict()
        self._zones: dict[int, str | None] = {}  # a server's zone: the streak day of an answer
        super().__init__()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.QotdButton)
        self.run_scheduler.change_interval(seconds=self.bot.settings.tip_tick_seconds)
        self.run_scheduler.start()

    async def cog_unload(self) -> None:
        self.run_scheduler.cancel()
        self.bot.remove_dynamic_items(views.QotdButton)
        task = self.run_scheduler.get_task()
        if task is not None and task is not asyncio.current_task():
            await asyncio.wait([task], timeout=5)

    # -- the loop -------------------------------------------------------------------------------
    @tasks.loop(seconds=30)
    async def run_scheduler(self) -> None:
        if not await self.bot.db.ensure_started():
            return
        await self.tick()

    async def tick(self) -> None:
        """Post what is due (bounded batches, yielding between them), then reveal."""
        for _ in range(100):
            report = await self.scheduler.tick()
            if not report.more_due:
                break
            await asyncio.sleep(0)
        try:
            await self.daily.reveal_due(self._reveal)
        except StoreUnavailable as exc:
            log.warning("Question-of-the-day reveals skipped: %s", exc.detail)

    @run_scheduler.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    @run_scheduler.error
    async def _loop_error(self, error: BaseException) -> None:
        log.exception("The question-of-the-day loop stopped", exc_info=error)

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
        options: dict[str, object] = {
            "embed": embed,
            "view": view,
            "allowed_mentions": views.NO_PINGS,
        }
        if nonce is not None:  # discord.py sends enforce_nonce: Discord drops a repeat
            options["nonce"] = nonce
        try:
            message = await channel.send(**options)  # type: ignore[call-overload]
        except discord.HTTPException as exc:
            raise classify_http(exc.status, exc.code, exc.text) from exc
        except aiohttp.ClientConnectorError as exc:  # no connection: nothing was sent
            raise PostFailure("transient", f"{type(exc).__name__}: {exc}") from exc
        except (aiohttp.ClientError, OSError) as exc:  # it may have reached Discord
            raise PostUnconfirmed(f"{type(exc).__name__}: {exc}") from exc
        self._posts.pop(post_id, None)
        return int(message.id)

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
        state = "paused" if status.paused else "active"
        embed = discord.Embed(
            title=title or f"Question of the day: {state}", colour=views.QOTD_COLOUR
        )
        embed.add_field(name="Channel", value=f"<#{status.channel_id}>")
        embed.add_field(name="Time", value=f"{status.post_time} {status.timezone}")
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
        if status.last_skip_date:
            embed.add_field(
                name="Last skipped day",
                value=clip(f"{status.last_skip_date}: {status.last_skip_reason or ''}", 1024),
                inline=False,
            )
        if status.last_error:
            embed.add_field(name="Last error", value=clip(status.last_error, 1024), inline=False)
        channel = guild.get_channel(status.channel_id)
        if channel is None:
            check = "I can't see that channel: it was deleted or I have no access."
        else:
            missing = missing_permissions(channel, guild.me)
            check = (
                "OK: I can view, send and embed links there."
                if not missing
                else "Missing: " + ", ".join(missing)
            )
        embed.add_field(name="Permission check", value=check, inline=False)
        return embed

    async def _reply(
        self, interaction: discord.Interaction, status: DailyStatus, title: str | None = None
    ) -> None:
        await interaction.response.send_message(
            embed=await self._status_embed(interaction, status, title),
            ephemeral=True,
            allowed_mentions=views.NO_PINGS,
        )

    @app_commands.command(name="setup")
    @app_commands.describe(
        channel="Where the question goes",
        time="Local time, e.g. 09:00 or 5:30pm",
        timezone="IANA time zone, e.g. America/New_York",
        reveal_hours="Hours until the answer is shown (default 12; at the latest, the next post)",
    )
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
        missing = missing_permissions(channel, interaction.guild.me)
        if missing:
            raise UserError(
                f"I can't post in {channel.mention}: I'm missing {', '.join(missing)} there. "
                "Give me those and try again."
            )
        status = await self._call(
            self.scheduler.configure(
                interaction.guild.id, channel_id=channel.id, post_time=time, timezone=timezone
            )
        )
        if reveal_hours is not None:
            await self.repo.set_reveal_after(interaction.guild.id, reveal_hours)
        self._zones.pop(interaction.guild.id, None)
        await self._reply(interaction, status, "Question of the day set up")

    @setup_qotd.autocomplete("timezone")
    async def _timezones(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in suggest_timezones(current, limit=25)]

    @app_commands.command(name="status")
    async def status(self, interaction: discord.Interaction) -> None:
        """Channel, time, reveal, next and last post, and a permission check."""
        assert interaction.guild is not None
        found = await self.scheduler.status(interaction.guild.id)
        if found is None:
            raise UserError(NOT_SET_UP)
        await self._reply(interaction, found)

    @app_commands.command(name="pause")
    async def pause(self, interaction: discord.Interaction) -> None:
        """Stop the question of the day until you resume it."""
        assert interaction.guild is not None
        await self._reply(
            interaction,
            await self._call(
                self.scheduler.pause(interaction.guild.id, f"Paused by {interaction.user}.")
            ),
        )

    @app_commands.command(name="resume")
    async def resume(self, interaction: discord.Interaction) -> None:
        """Start the question of the day again."""
        assert interaction.guild is not None
        await self._reply(
            interaction, await self._call(self.scheduler.resume(interaction.guild.id))
        )

    @app_commands.command(name="now")
    async def now(self, interaction: discord.Interaction) -> None:
        """Post the next question now (the daily one still goes out)."""
        assert interaction.guild is not None
        try:
            question_id, _ = await self._call(self.daily.post_now(interaction.guild.id))
        except PostFailure as exc:
            raise UserError(f"Discord refused the post: {exc.message}") from exc
        except PostUnconfirmed as exc:
            raise UserError(f"Discord did not confirm the post: {exc}") from exc
        await interaction.response.send_message(
            f"Posted question `{question_id}`.", ephemeral=True, allowed_mentions=views.NO_PINGS
        )

    @staticmethod
    async def _call(call: Awaitable[T]) -> T:
        try:
            return await call
        except NotConfiguredError as exc:
            raise UserError(NOT_SET_UP) from exc
        except ScheduleError as exc:
            raise UserError(str(exc)) from exc

    # -- events ---------------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        try:
            await self.daily.forget(guild.id)
        except StoreUnavailable as exc:
            log.warning(
                "guild %s: could not forget its question of the day: %s", guild.id, exc.detail
            )


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(QuestionOfTheDay(bot))
