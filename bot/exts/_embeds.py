"""Turn an engine Answer into Discord embeds, always inside Discord's limits; the text of a
bank question as every practice and habit embed shows it."""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bot.engine import Answer
from bot.practice import LETTERS, Question

TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = (
    256,
    4096,
    25,
    256,
    1024,
    2048,
    6000,
)
NOTE_ROOM = 40  # "123 more item(s) not shown. " is 28 characters
LEAD_MIN = 600  # the description keeps this much of the lead before fields give way
ANSWER_COLOUR = discord.Colour.teal()
UNANSWERED_COLOUR = discord.Colour.light_grey()


def clip(text: str, limit: int) -> str:
    """Cut at a word boundary when possible, marking the cut with an ellipsis."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def question_text(
    question: Question, marks: Mapping[str, str] | None = None, *, why: bool = False
) -> str:
    """The question and its lettered options, each followed by its mark if it has one (a tick,
    "your answer"); with `why`, the rationale after them."""
    marks = marks or {}
    options = "\n".join(
        f"**{letter})** {option}{marks.get(letter, '')}"
        for letter, option in zip(LETTERS, question.options, strict=True)
    )
    text = f"{question.question}\n\n{options}"
    return f"{text}\n\n**Why.** {question.rationale}" if why else text


def answer_embed(answer: Answer) -> discord.Embed:
    """One embed: title, the lead and notes as description, the figures as fields, the
    source and as-of date in the footer. Within the 6,000-character total the figures come
    first: the description keeps at least a short lead and gives way to them; fields that
    still do not fit are dropped from the end (never from the middle of an ordered list such
    as the career ladder) and the footer says how many."""
    description = "\n".join([answer.lead, *answer.notes]).strip()
    if not answer.answered and answer.suggestions:
        description += "\nDid you mean: " + "; ".join(answer.suggestions) + "?"
    title = clip(answer.title, TITLE)
    footer = clip("Source: " + "; ".join(answer.sources), 1024) if answer.sources else ""
    # NOTE_ROOM: the "N more item(s) not shown. " prefix the footer may get.
    fixed = len(title) + len(footer) + NOTE_ROOM
    lead_room = min(len(description), LEAD_MIN)
    fields = [
        (clip(f.name, FIELD_NAME) or "-", clip(f.value, FIELD_VALUE) or "-")
        for f in answer.fields[:FIELDS]
    ]
    kept: list[tuple[str, str]] = []
    used = fixed + lead_room
    for name, value in fields:
        if used + len(name) + len(value) > TOTAL:
            break
        used += len(name) + len(value)
        kept.append((name, value))
    room = min(DESCRIPTION, TOTAL - (used - lead_room))
    embed = discord.Embed(
        title=title or None,
        description=clip(description, room) or None,
        colour=ANSWER_COLOUR if answer.answered else UNANSWERED_COLOUR,
    )
    for name, value in kept:
        embed.add_field(name=name, value=value, inline=len(value) <= 40)
    dropped = len(answer.fields) - len(kept)
    if dropped:
        footer = f"{dropped} more item(s) not shown. {footer}".strip()
    if footer:
        embed.set_footer(text=footer)
    return embed


async def send_with_view(
    interaction: discord.Interaction,
    embed: discord.Embed,
    view: discord.ui.View | None,
    *,
    ephemeral: bool = False,
) -> None:
    """Answer with an embed and, when there is one, its buttons. discord.py wants no view at
    all rather than None (None fails after the message is sent)."""
    if view is None:
        await interaction.response.send_message(embed=embed, ephemeral=ephemeral)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=ephemeral)
