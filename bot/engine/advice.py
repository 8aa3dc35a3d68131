"""Answers for the asker: the guide's year-by-year plan for where they are in a career, and
the figures that fit who they say they are ("I'm a CPC with 3 years in cardiology")."""

from __future__ import annotations

import math

from bot.engine.amounts import placement, years_range
from bot.engine.answer import Answer, Field
from bot.engine.compose import Composer
from bot.knowledge.models import CareerLevel, Entry, ExperienceBand, PlanStage, State

# A newcomer is placed at half a year: the plan's first stage, the entry-level band.
NEWCOMER_YEARS = 0.5


def stages(c: Composer) -> list[PlanStage]:
    found = [e for e in c.kb.entries.values() if isinstance(e, PlanStage)]
    return sorted(found, key=lambda s: s.years.low or 0)


def stage_for(c: Composer, years: float) -> PlanStage | None:
    return next((s for s in stages(c) if s.covers(years)), None)


def years_of(entries: list[Entry]) -> float | None:
    """The years a named career level or experience band stands for (the low end of its
    years: "a mid-career coder" is three years in), or None when neither is named."""
    lows = [level.experience.low or 0.0 for level in entries if isinstance(level, CareerLevel)]
    for band in entries:
        if isinstance(band, ExperienceBand):
            low, _high = years_range(band.years or band.name)
            if low is not None:
                lows.append(max(low, NEWCOMER_YEARS))
    return max(lows) if lows else None


def fitting(c: Composer, years: float) -> list[tuple[Field, Entry]]:
    """The experience band and the career levels a number of years falls in."""
    found: list[tuple[Field, Entry]] = []
    for band in c.kb.entries.values():
        if isinstance(band, ExperienceBand):
            low, high = years_range(band.years or band.name)
            if low is not None and low <= years <= high:
                found.append((Field(band.name, band.salary.text), band))
    for level in c.ladder:
        exp = level.experience
        high = math.inf if exp.open_ended or exp.high is None else exp.high
        if exp.low is not None and exp.low <= max(years, 0.0) <= high:
            label = f"{level.name} (level {level.level})"
            found.append((Field(label, f"{level.salary.text}, {exp.text}"), level))
    return found


def _shown(years: float) -> str:
    if years == NEWCOMER_YEARS:
        return "new to coding"
    shown = int(years) if float(years).is_integer() else years
    return f"{shown} year{'s' if shown != 1 else ''} in"


def plan(
    c: Composer, query: str, years: float | None, named: list[Entry], asker: bool = True
) -> Answer | None:
    """The stage of the guide's plan for these years, or the whole plan when none is known;
    `asker`: the years are the asker's own, not those of the coders asked about."""
    every = stages(c)
    if not every:
        return None
    stage = stage_for(c, years) if years is not None else None
    if stage is None:
        fields = [Field(c.label(s), c.brief(s)) for s in every]
        lead = "The guide's year-by-year plan to maximize your salary:"
        return c.finish(query, every[0], "The guide's plan", lead, fields, every[1:], (), {"plan"})
    d = c.describe(stage, {"plan"})
    assert years is not None
    d.lead = (
        f"{'For you' if asker else 'For a coder'} ({_shown(years)}), the guide's plan is "
        f"{stage.years.text}: {stage.stage}." + (d.lead.split(":", 1)[1] if ":" in d.lead else "")
    )
    for field, entry in fitting(c, years):
        d.fields.append(Field(f"Pay that fits: {field.name}", field.value))
        d.used.append(entry)
    following = every[every.index(stage) + 1 :]
    if following:
        nxt = following[0]
        d.fields.append(Field(f"Then, {c.label(nxt)}", c.brief(nxt)))
        d.used.append(nxt)
    for entry in named:
        if not isinstance(entry, CareerLevel | PlanStage):
            d.fields.append(Field(c.label(entry), c.brief(entry)))
            d.used.append(entry)
    return c.finish_description(query, stage, d, {"plan"})


def profile(
    c: Composer,
    query: str,
    named: list[Entry],
    years: float | None,
    intents: set[str],
    amount: float | None = None,
) -> Answer:
    """The figures that fit who the asker says they are, each named with its entry."""
    ordered = sorted(named, key=lambda e: isinstance(e, State))  # places last
    fields = [Field(c.label(e), c.brief(e)) for e in ordered]
    used = list(ordered)
    about = [c.label(e) for e in ordered]
    if years is not None:
        about.append(_shown(years).removesuffix(" in"))
        for field, entry in fitting(c, years):
            fields.append(Field(f"With your experience: {field.name}", field.value))
            used.append(entry)
    lead = f"For you ({', '.join(about)}), the guide's figures that fit:"
    main = next((e for e in ordered if not isinstance(e, State)), ordered[0])
    notes: list[str] = []
    if amount is not None:  # "am I underpaid at 52k": the amount against each figure
        for entry in {e.id: e for e in used}.values():
            figure = c.figure(entry)
            if figure is not None and figure.is_pay_range:
                line = placement(amount, figure).replace(" for this.", f" for {c.label(entry)}.")
                notes.append(line)
    return c.finish(query, main, "What fits you", lead, fields, used, notes, intents)
