"""/review: the member's due review cards, one at a time, the rationale after each answer.

A card is a question the member missed (quiz, mock, question of the day); answering it moves
it on through FSRS (bot.habits.review) in the same transaction that records the answer.
Messages are ephemeral, so a press is always the card owner's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import UserError
from bot.exts.habits import _views as views
from bot.habits.report import server_zone
from bot.habits.repository import HabitsRepository
from bot.practice import Question
from bot.practice.runs import AnswerRecord
from bot.store import StoreUnavailable

if TYPE_CHECKING:
    from bot.bot import MedcodeBot


def utcnow() -> datetime:
    return datetime.now(UTC)


class Review(commands.Cog):
    """Spaced review of the questions a member missed."""

    def __init__(self, bot: MedcodeBot) -> None:
        self.bot = bot
        self.repo = HabitsRepository(bot.db)
        self.clock: Callable[[], datetime] = utcnow  # tests pass a controlled clock

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(views.ReviewButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(views.ReviewButton)

    async def _store(self) -> HabitsRepository:
        if not await self.bot.db.ensure_started():
            raise StoreUnavailable(self.bot.db.last_error or "the database is not started")
        return self.repo

    @app_commands.command(name="review")
    async def review(self, interaction: discord.Interaction) -> None:
        """Your due review cards: the questions you missed, spaced out so they stick."""
        embed, view = await self._next_card(interaction.user.id)
        await interaction.response.send_message(
            embed=embed, view=view, ephemeral=True, allowed_mentions=views.NO_PINGS
        )

    async def _next_card(self, member: int) -> tuple[discord.Embed, discord.ui.View]:
        """The longest-overdue card whose question the bank still has, or "nothing due"."""
        repo, now = await self._store(), self.clock()
        while True:
            due = await repo.due_cards(member, now)
            gone = [c.question_id for c in due if c.question_id not in self.bot.bank.questions]
            if gone:  # removed from the bank: nothing to review them with
                await repo.drop_cards(member, gone)
                continue
            if not due:
                return views.nothing_due(await repo.next_due(member)), views.view()
            question = self.bot.bank.questions[due[0].question_id]
            count = await repo.due_count(member, now)
            return views.review_card(question, self.bot.bank.section_name(question.section), count)

    async def on_press(self, interaction: discord.Interaction, params: dict[str, str]) -> None:
        if params["question"] == "next":
            embed, view = await self._next_card(interaction.user.id)
        else:
            embed, view = await self._answer(
                interaction.user.id, params["question"], params["action"], interaction.guild_id
            )
        await interaction.response.edit_message(embed=embed, view=view)

    async def _answer(
        self, member: int, question_id: str, letter: str, guild_id: int | None
    ) -> tuple[discord.Embed, discord.ui.View]:
        repo, now = await self._store(), self.clock()
        question: Question | None = self.bot.bank.questions.get(question_id)
        card = await repo.card(member, question_id)
        if question is None or card is None:
            raise UserError("That review card no longer exists. Use /review for your due cards.")
        if card.due > now:  # a second press on the same card: the first one counted
            raise UserError(
                f"You already answered this card; it comes back on {views.when(card.due)}."
            )
        correct = letter == question.answer
        await repo.answer(
            [AnswerRecord(member, question.id, question.section, correct, now, "review")],
            await server_zone(self.bot.db, guild_id),  # the streak's day, if theirs is unset
        )
        moved = await repo.card(member, question_id)
        left = await repo.due_count(member, now)
        return views.review_feedback(question, letter, moved.due if moved else None, left)


async def setup(bot: MedcodeBot) -> None:
    await bot.add_cog(Review(bot))
