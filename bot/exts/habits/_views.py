"""Embeds and buttons for review, the question of the day and charts, inside Discord's limits.

No state here: a button's custom_id names what it acts on (a review card's question, a
question-of-the-day post, a chart), the rest is in the store, so buttons keep working after a
restart. Each DynamicItem (a bot.exts._buttons.CogButton) hands its parsed custom_id to its
cog's `on_press`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import discord

from bot.exts._buttons import CogButton, sending_view
from bot.exts._embeds import clip, question_text
from bot.practice import LETTERS, Question

REVIEW_COLOUR = discord.Colour.purple()
QOTD_COLOUR = discord.Colour.gold()
RIGHT_COLOUR = discord.Colour.green()
WRONG_COLOUR = discord.Colour.red()
DESCRIPTION, FIELD_VALUE, FOOTER = 4096, 1024, 2048
NO_PINGS = discord.AllowedMentions.none()


class ReviewButton(
    CogButton, template=r"medcode:review:(?P<question>[a-z0-9-]{1,64}|next):(?P<action>[A-D]|go)"
):
    """A letter on a review card (the card is the presser's: review messages are ephemeral)."""

    cog = "Review"


class QotdButton(CogButton, template=r"medcode:qotd:(?P<post>\d+):(?P<action>[A-D])"):
    cog = "QuestionOfTheDay"


class ChartButton(CogButton, template=r"medcode:chart:(?P<kind>list|compare|ask):(?P<key>.+)"):
    """Under a career answer: its pay figures as a chart. The custom_id says how to get the
    answer again (a kind's list, two entries compared, or the question asked)."""

    cog = "CareerCharts"


def view(*buttons: discord.ui.Item[Any]) -> discord.ui.View:
    """A view for sending only, the buttons in one row (see sending_view)."""
    return sending_view(buttons)


def letter_buttons(cls: type[CogButton], prefix: str) -> list[CogButton]:
    return [cls(f"{prefix}:{letter}", letter, discord.ButtonStyle.primary) for letter in LETTERS]


def when(instant: datetime) -> str:
    """A Discord timestamp: every member sees it in their own zone and language."""
    return f"{discord.utils.format_dt(instant, 'F')} ({discord.utils.format_dt(instant, 'R')})"


# -- review -------------------------------------------------------------------------------------
def review_card(
    question: Question, section: str, due: int
) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(
        title=f"Review · {section}"[:256],
        description=clip(question_text(question), DESCRIPTION),
        colour=REVIEW_COLOUR,
    )
    embed.set_footer(text=f"{due} card(s) due · a question you missed before")
    return embed, view(*letter_buttons(ReviewButton, f"medcode:review:{question.id}"))


def review_feedback(
    question: Question, given: str, next_due: datetime | None, left: int
) -> tuple[discord.Embed, discord.ui.View]:
    correct = given == question.answer
    marks: dict[str, str] = {question.answer: " ✅"}
    if not correct:
        marks[given] = " ❌ your answer"
    embed = discord.Embed(
        title="Right!" if correct else f"Not quite: you answered {given}",
        description=clip(
            question_text(question, marks, why=True),
            DESCRIPTION,
        ),
        colour=RIGHT_COLOUR if correct else WRONG_COLOUR,
    )
    if next_due is not None:
        embed.add_field(name="This card comes back", value=when(next_due))
    embed.set_footer(text=clip(f"Source: {question.source}", FOOTER))
    if left:
        return embed, view(
            ReviewButton(
                "medcode:review:next:go", f"Next card ({left} due)", discord.ButtonStyle.success
            )
        )
    return embed, view()


def nothing_due(next_due: datetime | None) -> discord.Embed:
    if next_due is None:
        text = (
            "You have no review cards yet. Every question you miss in /quiz, /mock or the "
            "question of the day comes back here, spaced out so it sticks."
        )
    else:
        text = f"Nothing due right now. Your next review is on {when(next_due)}."
    return discord.Embed(title="Review", description=text, colour=REVIEW_COLOUR)


# -- question of the day ------------------------------------------------------------------------
def qotd_post(
    question: Question, section: str, post_id: int, reveal_at: datetime | None
) -> tuple[discord.Embed, discord.ui.View]:
    embed = discord.Embed(
        title=f"Question of the day · {section}"[:256],
        description=clip(question_text(question), DESCRIPTION),
        colour=QOTD_COLOUR,
    )
    if reveal_at:  # a field, not the footer: footers show no timestamps
        embed.add_field(name="Answer revealed", value=when(reveal_at))
    embed.set_footer(text="One answer each; only you see whether you were right.")
    return embed, view(*letter_buttons(QotdButton, f"medcode:qotd:{post_id}"))


def qotd_reveal(
    question: Question, section: str, counts: Mapping[str, int]
) -> tuple[discord.Embed, discord.ui.View]:
    total = sum(counts.values())
    marks: dict[str, str] = {
        letter: f" · {counts.get(letter, 0)} ({_share(counts.get(letter, 0), total)})"
        + (" ✅" if letter == question.answer else "")
        for letter in LETTERS
    }
    embed = discord.Embed(
        title=f"Question of the day · {section} · answer: {question.answer}"[:256],
        description=clip(
            question_text(question, marks, why=True),
            DESCRIPTION,
        ),
        colour=RIGHT_COLOUR,
    )
    right = counts.get(question.answer, 0)
    embed.add_field(name="Answers", value=f"{total} · {right} right ({_share(right, total)})")
    embed.set_footer(text=clip(f"Source: {question.source}", FOOTER))
    return embed, view()


def qotd_feedback(question: Question, given: str) -> discord.Embed:
    correct = given == question.answer
    embed = discord.Embed(
        title="Right!"
        if correct
        else f"Not quite: you answered {given}, the answer is {question.answer}",
        description=clip(f"**Why.** {question.rationale}", DESCRIPTION),
        colour=RIGHT_COLOUR if correct else WRONG_COLOUR,
    )
    if not correct:
        embed.set_footer(text="It joins your /review cards.")
    return embed


def _share(part: int, total: int) -> str:
    return f"{round(100 * part / total)} %" if total else "0 %"


def lines_embed(title: str, lines: Sequence[str], colour: discord.Colour) -> discord.Embed:
    return discord.Embed(
        title=title[:256], description=clip("\n".join(lines), DESCRIPTION), colour=colour
    )


class ForgetButton(CogButton, template=r"medcode:forget:(?P<member>\d+)"):
    """/me forget's confirmation: deletes everything the bot stores about the member."""

    cog = "Me"
