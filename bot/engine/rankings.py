"""Lists and rankings: every entry of a kind, the highest- or lowest-paying, by demand."""

from __future__ import annotations

from bot.engine.answer import Answer, Field
from bot.engine.compose import Composer
from bot.knowledge.models import KINDS, Entry, Figure, State, Topic


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
    if kind == "state":
        return _states(c, query, direction, ordinal, named)
    pay_kind = c.kind_spec(kind).pay_kind
    if pay_kind and ("pay" in intents or not c.with_figures(kind)):
        kind = pay_kind  # "which certification pays the most": pay by certification status
    if "demand" in intents and any(getattr(e, "demand", None) for e in c.kb.of_kind(kind)):
        return by_demand(c, query, kind, direction)
    pool = [e for e in c.with_figures(kind) if _figure(c, e).unit == "usd_year"]
    if not pool:
        return kind_list(c, query, kind, intents)
    pool.sort(key=lambda e: _figure(c, e).sort_key, reverse=direction == "highest")
    best = pool[0]
    lead = (
        f"The {direction}-paying {c.label_of_kind(kind)} in the guide is {c.label(best)} at "
        f"{_figure(c, best).text}."
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


def _figure(c: Composer, entry: Entry) -> Figure:
    figure = c.figure(entry)
    assert figure is not None  # pools hold entries with figures only
    return figure


def _states(
    c: Composer, query: str, direction: str, ordinal: int | None, named: list[Entry]
) -> Answer:
    states = c.ranked_states(direction)
    if not states:
        return c.unanswered(query, "The guide ranks no states.")
    best = states[0]
    if ordinal and ordinal <= len(states):  # "the #3 highest paying state"
        best = states[ordinal - 1]
    place = f"number {ordinal} " if ordinal and best is not states[0] else ""
    lead = (
        f"The {place}{direction}-paying state in the guide is {best.name} at "
        f"{_text(best)} (mean annual salary)."
    )
    fields = [
        Field(f"{s.rank}. {s.name}", _text(s) + (f" ({s.notes})" if s.notes else ""))
        for s in states
    ]
    top, lowest = len(c.ranked_states("highest")), len(c.ranked_states("lowest"))
    notes = [
        f"The guide lists only its top {top} and lowest {lowest} states; others have no figure."
    ]
    for entry in named:  # "is Florida in the top 10?"
        if isinstance(entry, State) and entry in states:
            notes.insert(0, f"{entry.name} ranks {entry.rank}: {_text(entry)}.")
        elif isinstance(entry, State):
            where = (
                f"{entry.name} is not among them: it ranks {entry.rank} (mean {_text(entry)})"
                if entry.salary is not None
                else f"{entry.name} is not among them: the guide has no figure for it"
            )
            notes.insert(0, where + ".")
    used: list[Entry] = list(states)
    remote = c.remote_point()
    if remote:
        notes.append(remote[0])
        used += remote[1]
    title = f"{direction.capitalize()}-paying states"
    return c.finish(query, best, title, lead, fields, used, notes, {direction})


def _text(state: State) -> str:
    return state.salary.text if state.salary is not None else ""


def by_demand(c: Composer, query: str, kind: str, direction: str) -> Answer:
    rank = c.lex.vocab.demand_rank
    pool = [e for e in c.kb.of_kind(kind) if getattr(e, "demand", None)]
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
    return str(getattr(entry, "demand", "") or "")


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
        fields.append(Field("State", f"{states[0].name}: {_text(states[0])}"))
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
