"""/quiz and /mock: private practice runs with buttons, kept in the store.

Every press reads the run from the store, applies one bot.practice.runs function, and writes it
back with a compare-and-set, so a double click counts once and a restart loses nothing. The
deadline is checked on every press, and a `tasks` loop closes mock exams whose time ran out
while nobody pressed anything (their results are then ready on the next look).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.errors import UserError
from bot.exts.practice import _views as views
from bot.practice import QuestionBank
from bot.practice import runs as r
from bot.practice.repository import ActiveRunExists, PracticeRepository
from bot.practice.selection import MOCK_LENGTHS, NotEnoughQuestions, pick_mock, pick_quiz
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()
QUIZ_DEFAULT, QUIZ_MAX = 10, 50
RUN_MEMORY = 10_000  # runs whose last saved state is kept in memory (about 1 KB each)
ALL_SECTIONS = "all"  # in a custom_id: a quiz over the whole bank
NOT_YOURS = "This practice run belongs to someone else. Start your own with /quiz or /mock."
TIME_UP = "Time is up: your exam was scored as it stood."
OVER = {
    "finished": "This {what} is over. Start another with /{kind}.",
    "expired": "This {what} has expired. Start another with /{kind}.",
    "dropped": "This {what} was dropped. Start another with /{kind}.",
}


Shown = tuple[discord.Embed, discord.ui.View]  # what a practice message shows


def utcnow() -> datetime:
    return datetime.now(UTC)


class Practice(commands.Cog):
    """Practice questions: quizzes and timed mock exams."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        self.repo = PracticeRepository(bot.db)
        self.clock: Callable[[], datetime] = utcnow  # tests pass a controlled clock
        self._runs: OrderedDict[int, r.Run] = OrderedDict()  # see _write

    @property
    def bank(self) -> QuestionBank:
        return self.bot.bank  # read on every use: /kb reload swaps it

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*views.DYNAMIC_ITEMS)
        self.close_expired.start()

    async def cog_unload(self) -> None:
        self.close_expired.cancel()
        # Wait for the loop to finish cancelling: the bot closes the database right after the
        # cogs unload, and a loop cut off mid-query would then wait for ever for its
        # connection to close (and hang the shutdown).
        task = self.close_expired.get_task()
        if task is not None and not task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.bot.remove_dynamic_items(*views.DYNAMIC_ITEMS)

    async def _store(self) -> PracticeRepository:
        if not await self.bot.db.ensure_started():
            raise StoreUnavailable(self.bot.db.last_error or "the database is not started")
        return self.repo

    # -- commands ---------------------------------------------------------------------------
    async def _section_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        typed = current.casefold().strip()
        return [
            app_commands.Choice(
                name=f"{s.name} ({len(self.bank.by_section[s.id])})"[:100], value=s.id
            )
            for s in self.bank.practised_sections()
            if typed in s.name.casefold() or typed in s.id
        ][:25]

    @app_commands.command(name="quiz")
    @app_commands.describe(
        section="One exam section (default: all of them)",
        count=f"How many questions (default {QUIZ_DEFAULT})",
    )
    @app_commands.autocomplete(section=_section_choices)
    async def quiz(
        self,
        interaction: discord.Interaction,
        section: str | None = None,
        count: app_commands.Range[int, 1, QUIZ_MAX] = QUIZ_DEFAULT,
    ) -> None:
        """A private practice quiz: one question at a time, with the answer explained."""
        if section is not None and section not in self.bank.sections:
            raise UserError(f"I don't know the section {section!r}: pick one from the list.")
        await self.start(interaction, "quiz", section or ALL_SECTIONS, count)

    @app_commands.command(name="mock")
    @app_commands.describe(length="25, 50 or 100 questions (2.4 minutes each, as on the CPC)")
    @app_commands.choices(
        length=[app_commands.Choice(name=f"{n} questions", value=n) for n in MOCK_LENGTHS]
    )
    async def mock(self, interaction: discord.Interaction, length: int = 100) -> None:
        """A timed mock exam in the CPC's proportions: flag, go back, change answers, submit."""
        await self.start(interaction, "mock", ALL_SECTIONS, length)

    # -- starting ---------------------------------------------------------------------------
    async def start(
        self,
        interaction: discord.Interaction,
        kind: Literal["quiz", "mock"],
        arg: str,
        count: int,
        *,
        replacing: r.Run | None = None,
    ) -> None:
        """Start a run for the member, or offer to resume or drop the one they have."""
        repo = await self._store()
        member, now = interaction.user.id, self.clock()
        active = replacing or await self._active(repo, member, now)
        if active is not None and replacing is None:
            embed, view = views.resume_or_drop(active, self.bank, kind, arg, count)
            await self._send(interaction, embed, view)
            return
        run = self._new_run(
            interaction, kind, arg, count, now, await repo.recent_question_ids(member)
        )
        if replacing is not None:
            replacing = r.drop(replacing, now)
        try:
            run = await self._write(repo, run, replacing=replacing)
        except ActiveRunExists:  # two starts at once: the other won
            raise UserError(
                "You already have a practice run going: use /quiz to resume it."
            ) from None
        await self._send(interaction, *self._current_view(run, now))

    def _new_run(
        self,
        interaction: discord.Interaction,
        kind: str,
        arg: str,
        count: int,
        now: datetime,
        recent: set[str],
    ) -> r.Run:
        where = {"guild_id": interaction.guild_id, "channel_id": interaction.channel_id}
        section = None if arg == ALL_SECTIONS else arg
        try:
            if kind == "mock":
                return r.new_mock(
                    interaction.user.id, pick_mock(self.bank, count, avoid=recent), now, **where
                )
            ids = pick_quiz(self.bank, count, section=section, avoid=recent)
        except NotEnoughQuestions as exc:
            raise UserError(str(exc)) from exc
        return r.new_quiz(interaction.user.id, ids, now, section=section, **where)

    async def _active(self, repo: PracticeRepository, member: int, now: datetime) -> r.Run | None:
        """The member's active run, closing it first if its time ran out."""
        run = await repo.active_run(member)
        if run is not None and not r.expire_if_due(run, now).active:
            await self._close(repo, run, now)
            return None
        return run

    async def _close(self, repo: PracticeRepository, run: r.Run, now: datetime) -> r.Run:
        """Close a run past its deadline: a mock is scored as it stands (its answers join the
        history now; a quiz's joined answer by answer)."""
        closed = r.expire_if_due(run, now)
        records = (
            r.answer_records(closed, self.bank, closed.finished_at or now)
            if run.kind == "mock"
            else []
        )
        return await self._write(repo, closed, records)

    @staticmethod
    async def _send(
        interaction: discord.Interaction, embed: discord.Embed, view: discord.ui.View
    ) -> None:
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=NO_PINGS
        )

    def _current_view(self, run: r.Run, now: datetime, note: str = "") -> Shown:
        if run.kind == "mock":
            if run.active:
                return views.mock_question(run, self.bank, now, note)
            return views.mock_result(run, self.bank, note)
        if not run.active:
            return views.quiz_score(run, self.bank), views.no_buttons()
        if run.answers[run.position] is not None:  # answered, Next not pressed yet
            question = run.question(self.bank)
            given = run.answers[run.position]
            feedback = (
                r.Feedback(question, given, given == question.answer)
                if question and given
                else None
            )
            return views.quiz_feedback(run, run.position, feedback, self.bank)
        return views.quiz_question(run, self.bank)

    # -- the store, with the last state of the runs this process wrote ---------------------
    async def _write(
        self,
        repo: PracticeRepository,
        run: r.Run,
        answers: list[r.AnswerRecord] | None = None,
        *,
        replacing: r.Run | None = None,
    ) -> r.Run:
        """Save (or start) a run and remember what was saved. The memory only saves the read
        of the next press: every write is a compare-and-set on the revision, so a stale copy
        (another bot process wrote since) fails the write, and the press reads afresh."""
        if run.id is None:
            if replacing is not None:
                self._runs.pop(replacing.id or 0, None)
            saved = await repo.start(run, replacing=replacing)
        else:
            saved = await repo.save(run, answers or ())
        self._runs[saved.id or 0] = saved
        self._runs.move_to_end(saved.id or 0)
        if len(self._runs) > RUN_MEMORY:
            self._runs.popitem(last=False)
        return saved

    # -- presses ----------------------------------------------------------------------------
    async def on_press(
        self, interaction: discord.Interaction, button: str, params: dict[str, str]
    ) -> None:
        if button == "PractiseButton":
            await self._practise(interaction, params["section"])
            return
        repo = await self._store()
        run = await repo.get(int(params["run"]))
        if run is None:
            raise UserError(
                "That practice run no longer exists. Start a new one with /quiz or /mock."
            )
        if run.member_id != interaction.user.id:
            raise UserError(NOT_YOURS)
        now = self.clock()
        timed_out = run.active and not r.expire_if_due(run, now).active
        if timed_out:  # nobody pressed in time: every button sees it closed
            run = await self._close(repo, run, now)
        shown: Shown | None
        if timed_out and button == "MockButton":  # the press that finds the time up
            shown = views.mock_result(run, self.bank, TIME_UP)
        elif button == "ResultButton":
            shown = self._result_page(run, params["page"])
        elif button == "ChoiceButton":
            shown = await self._resume_or_drop(interaction, run, params, now)
        else:
            shown = await self._step(button, repo, run, params, now)
        if shown is not None:  # None: a new message was sent instead
            embed, view = shown
            await interaction.response.edit_message(embed=embed, view=view)

    @staticmethod
    def _over(run: r.Run) -> UserError:
        what = "mock exam" if run.kind == "mock" else "quiz"
        return UserError(OVER.get(run.status, OVER["finished"]).format(what=what, kind=run.kind))

    async def _step(
        self,
        button: str,
        repo: PracticeRepository,
        run: r.Run,
        params: dict[str, str],
        now: datetime,
    ) -> Shown:
        """A quiz or mock exam button: one step of the run, and what the message shows next."""
        if not run.active:
            raise self._over(run)
        index, action = int(params["index"]), params["action"]
        try:
            if button == "QuizButton":
                return await self._quiz_step(repo, run, index, action, now)
            if action == "submit":
                return views.mock_confirm(r.go_to(run, index, now))
            return self._current_view(await self._mock_step(repo, run, index, action, now), now)
        except r.RunError as exc:
            raise UserError(str(exc)) from exc

    async def _quiz_step(
        self, repo: PracticeRepository, run: r.Run, index: int, action: str, now: datetime
    ) -> Shown:
        if action == "next":
            run = await self._write(repo, r.next_quiz_question(run, index, now))
            return self._current_view(run, now)
        run, feedback = r.answer_quiz(run, index, action, self.bank, now)
        run = await self._write(repo, run, r.answer_records(run, self.bank, now, [index]))
        return views.quiz_feedback(run, index, feedback, self.bank)

    async def _mock_step(
        self, repo: PracticeRepository, run: r.Run, index: int, action: str, now: datetime
    ) -> r.Run:
        if action == "confirm":
            done = r.submit(run, now)
            return await self._write(repo, done, r.answer_records(done, self.bank, now))
        step: dict[str, Callable[[], r.Run]] = {
            "prev": lambda: r.go_to(run, max(index - 1, 0), now),
            "next": lambda: r.go_to(run, min(index + 1, run.length - 1), now),
            "back": lambda: r.go_to(run, index, now),
            "flag": lambda: r.toggle_flag(run, index, now),
            "flagged": lambda: r.next_flagged(replace(run, position=index), now),
        }
        changed = step[action]() if action in step else r.choose(run, index, action, now)
        return await self._write(repo, changed) if changed != run else run

    def _result_page(self, run: r.Run, page: str) -> Shown:
        if run.active:
            raise UserError("This mock exam is still going: its results come when you submit.")
        if page == "score" or not run.score(self.bank).missed:
            return views.mock_result(run, self.bank)
        return views.missed_page(run, self.bank, int(page))

    async def _resume_or_drop(
        self, interaction: discord.Interaction, run: r.Run, params: dict[str, str], now: datetime
    ) -> Shown | None:
        if params["action"] == "resume":
            if not run.active:
                raise self._over(run)
            return self._current_view(run, now)
        kind: Literal["quiz", "mock"] = "mock" if params["kind"] == "mock" else "quiz"
        if run.active:
            await self.start(interaction, kind, params["arg"], int(params["count"]), replacing=run)
        else:  # already over (time ran out meanwhile): nothing to drop
            await self.start(interaction, kind, params["arg"], int(params["count"]))
        return None

    async def _practise(self, interaction: discord.Interaction, section: str) -> None:
        if not self.bank.by_section.get(section):
            raise UserError("There are no practice questions for that section right now.")
        await self.start(interaction, "quiz", section, QUIZ_DEFAULT)

    # -- the clock --------------------------------------------------------------------------
    @tasks.loop(seconds=30)
    async def close_expired(self) -> None:
        """Close the runs whose deadline passed with nobody pressing (bounded batches)."""
        if not await self.bot.db.ensure_started():
            return
        now = self.clock()
        for _ in range(10):
            due = await self.repo.due(now)
            for run in due:
                try:
                    await self._close(self.repo, run, now)
                except UserError:  # pressed meanwhile: that press closed it
                    continue
            if len(due) < 100:
                break

    @close_expired.before_loop
    async def _wait_ready(self) -> None:
        await self.bot.wait_until_ready()

    @close_expired.error
    async def _loop_error(self, error: BaseException) -> None:
        log.exception("The practice clock loop stopped", exc_info=error)


def practise_view(bot: MedcodeBot, topic: str | None) -> discord.ui.View | None:
    """ "Practise this" under an /ask answer that is a study tip with a section in the bank."""
    if topic is None or topic in bot.engine.kb.entries:
        return None
    tip = next((t for t in bot.engine.kb.tips if t.id == topic), None)
    section = bot.bank.section_for_tip(tip.category, tip.section) if tip else None
    if section is None:
        return None
    return views.practise_view(section, bot.bank.section_name(section))


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(Practice(bot))
