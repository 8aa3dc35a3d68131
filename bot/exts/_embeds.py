"""Turn an engine Answer into Discord embeds, always inside Discord's limits."""

from __future__ import annotations

import discord

from bot.engine import Answer

TITLE, DESCRIPTION, FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, TOTAL = (
    256,
    4096,
    25,
    256,
    1024,
    2048,
    6000,
)
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


def answer_embed(answer: Answer) -> discord.Embed:
    """One embed: title, the lead and notes as description, the figures as fields, the
    source and as-of date in the footer. Over the 6,000-character total, trailing fields are
    dropped and the footer says how many."""
    description = "\n".join([answer.lead, *answer.notes]).strip()
    if not answer.answered and answer.suggestions:
        description += "\nDid you mean: " + "; ".join(answer.suggestions) + "?"
    title = clip(answer.title, TITLE)
    footer = clip("Source: " + "; ".join(answer.sources), 1024) if answer.sources else ""
    room = min(DESCRIPTION, TOTAL - len(title) - len(footer) - 200)
    embed = discord.Embed(
        title=title or None,
        description=clip(description, room) or None,
        colour=ANSWER_COLOUR if answer.answered else UNANSWERED_COLOUR,
    )
    fields = [
        (clip(f.name, FIELD_NAME) or "-", clip(f.value, FIELD_VALUE) or "-")
        for f in answer.fields[:FIELDS]
    ]
    dropped = len(answer.fields) - len(fields)
    used = len(embed.title or "") + len(embed.description or "") + len(footer) + 40
    kept = []
    for name, value in fields:
        if used + len(name) + len(value) > TOTAL:
            dropped += 1
            continue
        used += len(name) + len(value)
        kept.append((name, value))
    for name, value in kept:
        embed.add_field(name=name, value=value, inline=len(value) <= 40)
    if dropped:
        footer = clip(f"{dropped} more item(s) not shown. " + footer, 1024 + 40)
    if footer:
        embed.set_footer(text=footer)
    return embed
