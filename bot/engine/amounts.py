"""Amounts and years in a question: "is 45k good?", "which jobs pay 100k+", "pay at 5 years"."""

from __future__ import annotations

import math
import re

from bot.engine.answer import Answer, Field
from bot.engine.compare import one
from bot.engine.compose import Composer
from bot.knowledge.models import KINDS, CareerLevel, Entry, ExperienceBand, Figure

_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)|(\d+)\s*\+")


def money(amount: float) -> str:
    return f"${amount:,.0f}"


def placement(amount: float, figure: Figure) -> str:
    """Where an amount stands against one pay figure, as a sentence."""
    low = figure.low if figure.low is not None else 0.0
    high = figure.high if figure.high is not None else low
    shown = money(amount)
    if amount < low:
        return f"{shown} is below the guide's {figure.text} for this."
    if amount <= high:
        return f"{shown} is within the guide's {figure.text} for this."
    if figure.open_ended:  # "$150,000+": no figure above $150,000, so no range reaches it
        return (
            f"{shown} is beyond the guide's {figure.text} for this: it gives no figure "
            f"above {money(high)}."
        )
    return f"{shown} is above the guide's {figure.text} for this."


def _pay(entry: Entry) -> Figure | None:
    figure = entry.headline()
    return figure if figure is not None and figure.is_pay_range else None


def _reaches(figure: Figure, amount: float) -> bool:
    return (figure.high or 0) >= amount or (figure.open_ended and (figure.low or 0) >= amount)


def by_amount(c: Composer, query: str, amount: float, reaching: bool) -> Answer:
    """The amount against the guide's pay ranges."""
    shown = money(amount)
    kinds = [k for k, m in KINDS.items() if m.spec.amounts]
    pool = [(e, f) for e in c.kb.of_kind(*kinds) if (f := _pay(e)) is not None]
    national = c.national
    median = next((f for f in c.medians() if f.is_pay_range), None)
    if not pool:
        return c.unanswered(query, f"The guide has no pay ranges to place {shown} in.")
    if reaching:
        hits = sorted(
            (p for p in pool if _reaches(p[1], amount)), key=lambda p: p[1].sort_key, reverse=True
        )
        if hits:
            lead = f"Ranges in the guide that reach {shown} a year:"
        else:
            top = max(pool, key=lambda p: p[1].sort_key)
            lead = (
                f"No range in the guide reaches {shown}; the highest is {top[0].name} at "
                f"{top[1].text}."
            )
            hits = [top]
    else:
        hits = [p for p in pool if (p[1].low or 0) <= amount <= (p[1].high or 0)]
        place = ""
        if median is not None and median.low is not None:
            side = "above" if amount > median.low else "below" if amount < median.low else "at"
            place = f" It is {side} the national median of {median.text}."
        lead = f"{shown} a year against the guide's figures.{place} Ranges it falls within:"
        if not hits and all((f.high or 0) < amount for _e, f in pool):
            return by_amount(c, query, amount, reaching=True)
        if not hits:
            lead = (
                f"{shown} a year against the guide's figures.{place} It falls within none of "
                "the guide's ranges."
            )
    entries = [e for e, _f in hits[:15]]
    fields = [Field(e.name, c.brief(e)) for e in entries]
    used = entries + ([national] if national else [])
    main = entries[0] if entries else (national or pool[0][0])
    return c.finish(query, main, f"{shown} and the guide", lead, fields, used, (), {"pay"})


def years_range(text: str) -> tuple[float | None, float]:
    match = _RANGE.search(text)
    if not match:
        return None, 0.0
    if match.group(3):
        return float(match.group(3)), math.inf
    return float(match.group(1)), float(match.group(2))


def by_years(c: Composer, query: str, years: float) -> Answer:
    """The experience bands and career levels that fit a number of years."""
    fields: list[Field] = []
    used: list[Entry] = []
    for band in c.kb.entries.values():
        if not isinstance(band, ExperienceBand):
            continue
        low, high = years_range(band.years or band.name)
        if low is not None and low <= years <= high:
            fields.append(Field(band.name, band.salary.text))
            used.append(band)
    for level in c.ladder:
        exp = level.experience
        high = math.inf if exp.open_ended or exp.high is None else exp.high
        if exp.low is not None and exp.low <= years <= high:
            fields.append(_level_field(level))
            used.append(level)
    if not used:  # no band covers it: the national pay picture
        fallback = c.kb.default_for("pay") or c.national or next(iter(c.kb.entries.values()))
        return one(c, query, fallback, {"pay"})
    shown = int(years) if float(years).is_integer() else years
    lead = f"With {shown} years of experience, the guide's figures that fit:"
    title = f"Pay at {shown} years"
    return c.finish(query, used[0], title, lead, fields, used[1:], (), {"pay", "experience"})


def _level_field(level: CareerLevel) -> Field:
    return Field(
        f"{level.name} (level {level.level})", f"{level.salary.text}, {level.experience.text}"
    )
