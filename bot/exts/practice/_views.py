"""Embeds and button rows for quizzes and mock exams, always inside Discord's limits.

Nothing here keeps state: every button's custom_id names the run, the question index and the
action, and the run itself is in the store, so any button of any message still works after a
restart. The cog registers the DynamicItem classes below; their callbacks hand the parsed
custom_id to the cog.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import discord

from bot.exts._buttons import CogButton, sending_view
from bot.exts._embeds import clip, question_text
from bot.practice import LETTERS, Question, QuestionBank
from bot.practice.runs import Feedback, Run
from bot.practice.scoring import PASS_PERCENT, Score

QUIZ_COLOUR = discord.Colour.blurple()
RIGHT_COLOUR = discord.Colour.green()
WRONG_COLOUR = discord.Colour.red()
MOCK_COLOUR = discord.Colour.dark_teal()
DESCRIPTION, FIELD_VALUE, FOOTER = 4096, 1024, 2048


# -- buttons ------------------------------------------------------------------------------------
class _PracticeButton(CogButton, template=r"medcode:p:never"):
    """Base: every practice button goes to the Practice cog, which tells them by class."""

    cog = "Practice"

    async def press(self, cog: Any, interaction: discord.Interaction) -> None:
        await cog.on_press(interaction, type(self).__name__, self.params)


class QuizButton(
    _PracticeButton, template=r"medcode:quiz:(?P<run>\d+):(?P<index>\d+):(?P<action>[A-D]|next)"
):
    pass


class MockButton(
    _PracticeButton,
    template=r"medcode:mock:(?P<run>\d+):(?P<index>\d+):(?P<action>[A-D]|prev|next|flag|flagged|submit|confirm|back)",
):
    pass


class ResultButton(_PracticeButton, template=r"medcode:result:(?P<run>\d+):(?P<page>\d+|score)"):
    pass


class ChoiceButton(
    _PracticeButton,
    template=r"medcode:run:(?P<run>\d+):(?P<action>resume|drop):(?P<kind>quiz|mock):(?P<arg>[a-z0-9-]{1,64}):(?P<count>\d{1,3})",
):
    """Resume the active run, or drop it and start the one the member asked for."""


class PractiseButton(_PracticeButton, template=r"medcode:practise:(?P<section>[a-z0-9-]{1,64})"):
    """Under a study-tip answer of /ask: a quiz on the tip's section."""


DYNAMIC_ITEMS = (QuizButton, MockButton, ResultButton, ChoiceButton, PractiseButton)


def no_buttons() -> discord.ui.View:
    return sending_view()


def _button(cls: type[_PracticeButton], custom_id: str, label: str, **kw: Any) -> _PracticeButton:
    style = kw.pop("style", discord.ButtonStyle.secondary)
    return cls(custom_id, label, style, **kw)


# -- text ---------------------------------------------------------------------------------------
def _minutes(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def _about(question: Question) -> str:
    return f"{question.kind} · difficulty {question.difficulty} · {question.code_set}"


def gone_embed(number: int, total: int) -> discord.Embed:
    return discord.Embed(
        title=f"Question {number}/{total}",
        description="This question was removed from the bank since the run began; it is skipped.",
        colour=QUIZ_COLOUR,
    )


# -- quiz ---------------------------------------------------------------------------------------
def quiz_question(run: Run, bank: QuestionBank) -> tuple[discord.Embed, discord.ui.View]:
    index = run.position
    question = run.question(bank)
    buttons = [
        _button(
            QuizButton,
            f"medcode:quiz:{run.id}:{index}:{letter}",
            letter,
            style=discord.ButtonStyle.primary,
        )
        for letter in LETTERS
    ]
    if question is None:
        return gone_embed(index + 1, run.length), sending_view(buttons)
    embed = discord.Embed(
        title=f"Question {index + 1}/{run.length} · {bank.section_name(question.section)}"[:256],
        description=clip(question_text(question), DESCRIPTION),
        colour=QUIZ_COLOUR,
    )
    embed.set_footer(text=f"Quiz · {_about(question)}")
    return embed, sending_view(buttons)


def quiz_feedback(
    run: Run, index: int, feedback: Feedback | None, bank: QuestionBank
) -> tuple[discord.Embed, discord.ui.View]:
    last = index + 1 >= run.length
    label = "See your score" if last else "Next question"
    view = sending_view(
        [
            _button(
                QuizButton,
                f"medcode:quiz:{run.id}:{index}:next",
                label,
                style=discord.ButtonStyle.success,
            )
        ]
    )
    if feedback is None:
        return gone_embed(index + 1, run.length), view
    question = feedback.question
    marks: dict[str, str] = {question.answer: " ✅"}
    if not feedback.correct:
        marks[feedback.given] = " ❌ your answer"
    title = "Right!" if feedback.correct else f"Not quite: you answered {feedback.given}"
    embed = discord.Embed(
        title=f"{title} · question {index + 1}/{run.length}",
        description=clip(
            question_text(question, marks, why=True),
            DESCRIPTION,
        ),
        colour=RIGHT_COLOUR if feedback.correct else WRONG_COLOUR,
    )
    embed.add_field(
        name="Right answer", value=clip(f"{question.answer}) {question.right_option}", FIELD_VALUE)
    )
    embed.set_footer(text=clip(f"Source: {question.source}", FOOTER))
    return embed, view


def _section_fields(embed: discord.Embed, result: Score) -> None:
    for part in result.sections[:24]:
        verdict = "✅" if part.passed else f"below {PASS_PERCENT:.0f} %"
        embed.add_field(
            name=part.name[:256],
            value=f"{part.correct}/{part.total} · {part.percent:.0f} % {verdict}",
            inline=True,
        )


def quiz_score(run: Run, bank: QuestionBank) -> discord.Embed:
    result = run.score(bank)
    embed = discord.Embed(
        title=f"Quiz done: {result.correct}/{result.total} ({result.percent:.0f} %)",
        description=(
            f"The CPC's pass line is {PASS_PERCENT:.0f} %. "
            "Start another with /quiz, or a timed exam with /mock."
        ),
        colour=RIGHT_COLOUR if result.passed else WRONG_COLOUR,
    )
    _section_fields(embed, result)
    return embed


# -- mock exam ----------------------------------------------------------------------------------
def mock_question(
    run: Run, bank: QuestionBank, now: datetime, note: str = ""
) -> tuple[discord.Embed, discord.ui.View]:
    index, question = run.position, run.question(bank)
    chosen = run.answers[index]
    flagged = index in run.flags
    if question is None:
        embed = gone_embed(index + 1, run.length)
    else:
        marks = {chosen: " ← your answer"} if chosen else {}
        embed = discord.Embed(
            title=(
                f"Mock exam · question {index + 1}/{run.length}"
                f"{' · flagged' if flagged else ''} · {bank.section_name(question.section)}"
            )[:256],
            description=clip(question_text(question, marks), DESCRIPTION),
            colour=MOCK_COLOUR,
        )
    assert run.deadline is not None
    answered = run.length - run.unanswered
    embed.add_field(
        name="Time left",
        # the minutes as of this press, and Discord's own clock for the rest (it counts down)
        value=(
            f"{_minutes(run.time_left(now) or timedelta(0))} (ends "
            f"{discord.utils.format_dt(run.deadline, 't')}, "
            f"{discord.utils.format_dt(run.deadline, 'R')})"
        ),
    )
    embed.add_field(name="Answered", value=f"{answered}/{run.length} · {len(run.flags)} flagged")
    footer = "Answers can be changed until you submit. Pressing your answer again clears it."
    embed.set_footer(text=f"{note} {footer}".strip()[:FOOTER])
    base = f"medcode:mock:{run.id}:{index}"
    letters = [
        _button(
            MockButton,
            f"{base}:{letter}",
            letter,
            style=discord.ButtonStyle.success if letter == chosen else discord.ButtonStyle.primary,
        )
        for letter in LETTERS
    ]
    moves = [
        _button(MockButton, f"{base}:prev", "◀ Previous", disabled=index == 0),
        _button(MockButton, f"{base}:flag", "Unflag" if flagged else "Flag for review"),
        _button(MockButton, f"{base}:next", "Next ▶", disabled=index + 1 >= run.length),
        _button(MockButton, f"{base}:flagged", "Next flagged", disabled=not run.flags),
        _button(MockButton, f"{base}:submit", "Submit…", style=discord.ButtonStyle.danger),
    ]
    return embed, sending_view(letters, moves)


def mock_confirm(run: Run) -> tuple[discord.Embed, discord.ui.View]:
    unanswered = run.unanswered
    text = f"You have answered {run.length - unanswered} of {run.length} questions."
    if unanswered:
        text += f" The {unanswered} unanswered count as wrong."
    if run.flags:
        text += f" {len(run.flags)} are flagged for review."
    embed = discord.Embed(
        title="Submit your mock exam?",
        description=text + "\nAnswers cannot be changed after this.",
        colour=MOCK_COLOUR,
    )
    base = f"medcode:mock:{run.id}:{run.position}"
    return embed, sending_view(
        [
            _button(MockButton, f"{base}:confirm", "Submit now", style=discord.ButtonStyle.danger),
            _button(MockButton, f"{base}:back", "Keep going", style=discord.ButtonStyle.secondary),
        ]
    )


def mock_result(
    run: Run, bank: QuestionBank, note: str = ""
) -> tuple[discord.Embed, discord.ui.View]:
    result = run.score(bank)
    verdict = "passed" if result.passed else "not yet a pass"
    assert run.deadline is not None
    allowed = run.deadline - run.started_at
    lines = [
        note,
        f"Time used: {_minutes(run.time_used())} of {_minutes(allowed)}.",
        f"Answered {result.answered} of {result.total}; the pass line is {PASS_PERCENT:.0f} % "
        "overall (shown by section below).",
    ]
    embed = discord.Embed(
        title=f"Mock exam result: {result.correct}/{result.total} ({result.percent:.0f} %) · {verdict}",
        description="\n".join(line for line in lines if line),
        colour=RIGHT_COLOUR if result.passed else WRONG_COLOUR,
    )
    _section_fields(embed, result)
    rows: list[list[_PracticeButton]] = []
    if result.missed:
        rows.append(
            [
                _button(
                    ResultButton,
                    f"medcode:result:{run.id}:0",
                    f"Review the {len(result.missed)} missed question(s)",
                    style=discord.ButtonStyle.primary,
                )
            ]
        )
    return embed, sending_view(*rows)


def missed_page(run: Run, bank: QuestionBank, page: int) -> tuple[discord.Embed, discord.ui.View]:
    """One missed question a page: its rationale can be long, and one a page always fits."""
    missed = run.score(bank).missed
    page = max(0, min(page, len(missed) - 1))
    index = missed[page]
    question = run.question(bank, index)
    assert question is not None  # missed is computed from questions still in the bank
    given = run.answers[index]
    marks: dict[str, str] = {question.answer: " ✅"}
    if given:
        marks[given] = " ❌ your answer"
    embed = discord.Embed(
        title=f"Missed {page + 1}/{len(missed)} · question {index + 1} · {bank.section_name(question.section)}"[
            :256
        ],
        description=clip(
            question_text(question, marks, why=True),
            DESCRIPTION,
        ),
        colour=WRONG_COLOUR,
    )
    embed.add_field(
        name="Your answer",
        value=clip(f"{given}) {question.option(given)}" if given else "Not answered", FIELD_VALUE),
    )
    embed.add_field(
        name="Right answer", value=clip(f"{question.answer}) {question.right_option}", FIELD_VALUE)
    )
    embed.set_footer(text=clip(f"Source: {question.source}", FOOTER))
    base = f"medcode:result:{run.id}"
    return embed, sending_view(
        [
            _button(ResultButton, f"{base}:{max(page - 1, 0)}", "◀ Previous", disabled=page == 0),
            _button(ResultButton, f"{base}:{page + 1}", "Next ▶", disabled=page + 1 >= len(missed)),
            _button(ResultButton, f"{base}:score", "Back to the score"),
        ]
    )


# -- one active run -----------------------------------------------------------------------------
def resume_or_drop(
    active: Run, bank: QuestionBank, kind: str, arg: str, count: int
) -> tuple[discord.Embed, discord.ui.View]:
    what = "mock exam" if active.kind == "mock" else "quiz"
    answered = active.length - active.unanswered
    embed = discord.Embed(
        title=f"You already have a {what} going",
        description=(
            f"Started {discord.utils.format_dt(active.started_at, 'R')}, {answered} of "
            f"{active.length} answered. Resume it, or drop it and start the new one? "
            "A dropped run is not scored."
        ),
        colour=QUIZ_COLOUR,
    )
    base = f"medcode:run:{active.id}"
    tail = f"{kind}:{arg}:{count}"
    return embed, sending_view(
        [
            _button(
                ChoiceButton,
                f"{base}:resume:{tail}",
                f"Resume the {what}",
                style=discord.ButtonStyle.primary,
            ),
            _button(
                ChoiceButton,
                f"{base}:drop:{tail}",
                "Drop it and start the new one",
                style=discord.ButtonStyle.danger,
            ),
        ]
    )


def practise_view(section: str, name: str) -> discord.ui.View:
    return sending_view(
        [
            _button(
                PractiseButton,
                f"medcode:practise:{section}",
                f"Practise this: {name}"[:80],
                style=discord.ButtonStyle.primary,
            )
        ]
    )
