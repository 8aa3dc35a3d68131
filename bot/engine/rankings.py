"""Lists and rankings: every entry of a kind, the highest- or lowest-paying, by demand."""

from __future__ import annotations

from bot.engine.answer import Answer, Field
from bot.engine.compose import Composer
from bot.knowledge.models import KINDS, Entry, Figure, Topic


def ranking(
    c: Composer,
    query: str,
    kind: str | None,
    direction: str,
    intents: set[str],
    ordinal: int | None,
    named: list[Entry],
) -> Answer:
    if kind is None:
        return top_of_everything(c, query, direction)
    pool = c.kb.of_kind(kind)
    if pool and (own := c.presenter(pool[0]).ranking(query, direction, ordinal, named)):
        return own  # a kind the guide ranks its own way (the states, by rank and tier)
    pay_kind = c.kind_spec(kind).pay_kind
    if pay_kind and ("pay" in intents or not c.with_figures(kind)):
        kind = pay_kind  # "which certification pays the most": pay by certification status
    if "demand" in intents and any(e.demand_level() for e in c.kb.of_kind(kind)):
        return by_demand(c, query, kind, direction)
    pool = [e for e in c.with_figures(kind) if _figure(c, e).unit == "usd_year"]
    if not pool:
        return kind_list(c, query, kind, intents)
    pool.sort(key=lambda e: _figure(c, e).sort_key, reverse=direction == "highest")
    best = pool[0]
    place = ""
    if ordinal is not None and 1 < ordinal <= len(pool):  # "and the second?"
        best, place = pool[ordinal - 1], f"{_ordinal(ordinal)} "
    lead = (
        f"The {place}{direction}-paying {c.label_of_kind(kind)} in the guide is {c.label(best)} "
        f"at {_figure(c, best).text}."
    )
    fields = [Field(c.label(e), c.brief(e)) for e in pool[:10]]
    title = f"{direction.capitalize()}-paying {c.plural_of_kind(kind)}"
    used = pool[:10]
    # What the guide says about the front-runners (e.g. its own "highest-paying niche").
    notes: list[str] = []
    for entry in pool[:3]:
        for other in c.refs(entry.related):
            if isinstance(other, Topic) and other.summary and other.summary not in notes:
                notes.append(other.summary)
                used.append(other)
    return c.finish(query, best, title, lead, fields, used, notes, {direction})


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _figure(c: Composer, entry: Entry) -> Figure:
    figure = c.figure(entry)
    assert figure is not None  # pools hold entries with figures only
    return figure


def by_demand(c: Composer, query: str, kind: str, direction: str) -> Answer:
    rank = c.lex.vocab.demand_rank
    pool = [e for e in c.kb.of_kind(kind) if e.demand_level()]
    pool.sort(key=lambda e: rank(_demand(e)), reverse=direction == "highest")
    best = pool[0]
    word = "most" if direction == "highest" else "least"
    tied = [e.name for e in pool if _demand(e) == _demand(best)]
    names = tied[0] if len(tied) == 1 else ", ".join(tied[:-1]) + " and " + tied[-1]
    verb = "is" if len(tied) == 1 else "are"
    lead = f"By the guide's demand levels, {names} {verb} in the {word} demand: {_demand(best)}."
    fields = [Field(e.name, c.brief(e)) for e in pool[:10]]
    title = f"{c.plural_of_kind(kind).capitalize()} by demand"
    return c.finish(query, best, title, lead, fields, pool[1:10], (), {direction, "demand"})


def _demand(entry: Entry) -> str:
    return entry.demand_level() or ""


def top_of_everything(c: Composer, query: str, direction: str) -> Answer:
    fields: list[Field] = []
    used: list[Entry] = []
    kinds = sorted(
        (k for k, m in KINDS.items() if m.spec.overall), key=lambda k: KINDS[k].spec.overall
    )
    for kind in kinds:
        pool = c.with_figures(kind)
        if not pool:
            continue
        pick = (max if direction == "highest" else min)(pool, key=lambda e: _figure(c, e).sort_key)
        fields.append(
            Field(c.label_of_kind(kind).capitalize(), f"{pick.name}: {_figure(c, pick).text}")
        )
        used.append(pick)
    states = c.ranked_states(direction)
    if states:
        salary = states[0].salary
        fields.append(Field("State", f"{states[0].name}: {salary.text if salary else ''}"))
        used.append(states[0])
    if not used:
        return c.unanswered(query, "The guide has no figures to rank.")
    lead = f"The {direction}-paying options in the guide, by kind:"
    title = f"{direction.capitalize()}-paying options"
    return c.finish(query, used[0], title, lead, fields, used[1:], (), {direction})


def kind_list(c: Composer, query: str, kind: str, intents: set[str]) -> Answer:
    """Every entry of one kind with its key figures (the career ladder, the states...)."""
    pay_kind = c.kind_spec(kind).pay_kind
    if pay_kind and "pay" in intents and c.kb.of_kind(pay_kind):
        kind = pay_kind
    pool = c.kb.of_kind(kind)
    plural = c.plural_of_kind(kind)
    if not pool:
        return c.unanswered(query, f"The guide lists no {plural}.")
    presenter = c.presenter(pool[0])
    pool = presenter.listing(pool)
    if not pool:
        return c.unanswered(query, f"The guide lists no {plural}.")
    notes = [note] if (note := presenter.list_note(pool)) else []
    fields = [Field(c.label(e), c.brief(e)) for e in pool[:25]]
    lead = presenter.list_lead or f"The guide's {plural}:"
    return c.finish(query, pool[0], plural.capitalize(), lead, fields, pool[1:25], notes, intents)
