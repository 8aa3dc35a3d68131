"""Questions that name several entries: side by side, or one thing in a place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.engine.answer import Answer, Field
from bot.engine.compose import Composer
from bot.engine.difference import difference
from bot.engine.presenters import CareerLevelPresenter
from bot.knowledge.models import CareerLevel, Entry, Figure, Place, State, Topic


def one(c: Composer, query: str, entry: Entry, intents: set[str]) -> Answer:
    """One entry, as its presenter describes it (a career level asked "what next" steps)."""
    presenter = c.presenter(entry)
    if (
        isinstance(entry, CareerLevel)
        and isinstance(presenter, CareerLevelPresenter)
        and intents & {"next", "previous"}
    ):
        return _step(c, presenter, query, entry, "next" if "next" in intents else "previous")
    return c.finish_description(query, entry, c.describe(entry, intents), intents)


def _step(
    c: Composer, ladder: CareerLevelPresenter, query: str, level: CareerLevel, direction: str
) -> Answer:
    other = ladder.neighbour(level, 1 if direction == "next" else -1)
    if other is None:
        edge = "top" if direction == "next" else "first step"
        d = c.describe(level, set())
        d.lead = f"{level.name} is the {edge} of the guide's career ladder. " + d.lead
        if direction == "next":
            alts = [a for a in c.with_figures("alt_career") if a.headline() is not None]
            alts.sort(key=lambda e: _key(c, e), reverse=True)
            if alts:
                d.fields.append(
                    Field("Beyond the ladder", "; ".join(_named(c, a) for a in alts[:3]))
                )
                d.used += alts[:3]
        return c.finish_description(query, level, d, {direction})
    word = "After" if direction == "next" else "Before"
    d = c.describe(other, set())
    d.lead = (
        f"{word} {level.name} (level {level.level}) comes {other.name} (level {other.level}): "
        f"{other.salary.text}, with {other.experience.text} of experience. Key skills: "
        f"{', '.join(other.skills)}."
    )
    d.used = [level, *d.used]
    return c.finish_description(query, other, d, {direction})


def _key(c: Composer, entry: Entry) -> tuple[float, float]:
    figure = c.figure(entry)
    return figure.sort_key if figure is not None else (0.0, 0.0)


def _named(c: Composer, entry: Entry) -> str:
    figure = c.figure(entry)
    return f"{entry.name} ({figure.text})" if figure else entry.name


def several(c: Composer, query: str, entries: list[Entry], intents: set[str]) -> Answer:
    places = [e for e in entries if isinstance(e, State | Place)]
    others = [e for e in entries if not isinstance(e, State | Place)]
    if places and others:
        return _in_places(c, query, places, others, intents)
    specific = [e for e in entries if not isinstance(e, Topic)]
    if specific and "pay" in intents and "compare" not in intents:
        # "how much does AHIMA's CCS pay": a topic named in passing is context, not a subject.
        entries = specific
        if len(entries) == 1:
            return one(c, query, entries[0], intents)
    if not specific and "compare" not in intents:
        return one(c, query, entries[0], intents)  # topics only: the first is the subject
    kinds = {e.kind for e in entries}
    if "compare" in intents or len(kinds) == 1 or "pay" in intents:
        return compare(c, query, entries, intents)
    topics = [e for e in entries if isinstance(e, Topic)]
    if len(topics) == 1:  # "do auditors work from home": the topic is the subject
        entries = [topics[0], *[e for e in entries if e is not topics[0]]]
    main = entries[0]
    d = c.describe(main, intents)
    for other in entries[1:]:
        d.fields.append(Field(f"Also: {other.name}", c.brief(other)))
        d.used.append(other)
    return c.finish_description(query, main, d, intents)


def _in_places(
    c: Composer,
    query: str,
    places: Sequence[Entry],
    others: list[Entry],
    intents: set[str],
) -> Answer:
    """ "what does CRC pay in Ohio": answer the part the guide covers, say what it does not."""
    base = one(c, query, others[0], intents) if len(others) == 1 else compare(c, query, others)
    notes = list(base.notes)
    used = [c.kb.entries[i] for i in base.entries]
    subject = " vs ".join(c.label(o) for o in others[:4])
    gaps: list[str] = []
    for where in places:
        if isinstance(where, Place):  # "CRC pay in Los Angeles": the city's state
            gap = f"The guide has no figure for {where.name}"
            used.append(where)
            if where.state is None:
                notes.append(f"{gap}; it covers the United States only.")
                continue
            state_entry = c.kb.entries[where.state]
            notes.append(f"{gap}; it gives figures by state, and it is in {state_entry.name}.")
            where = state_entry
        if isinstance(where, State) and where.salary is not None:
            notes.append(
                f"In {where.name} the guide's mean for all coders is {where.salary.text} "
                f"(rank {where.rank}); it gives no {subject} pay by state."
            )
        else:  # named first: the figures that follow stand in for it
            gaps.append(where.name)
        used.append(where)
    lead = base.lead
    if gaps:
        lead = (
            f"The guide has no figure for {' or '.join(gaps)}; its national figures for "
            f"{subject} follow.\n{lead}"
        )
    return Answer(
        query=query,
        answered=True,
        topic=base.topic,
        title=base.title,
        lead=lead,
        fields=base.fields,
        notes=tuple(notes),
        sources=tuple(c.sources(used)),
        entries=tuple(dict.fromkeys(e.id for e in used)),
        intents=base.intents,
        gap=" or ".join(gaps) or None,
    )


def compare(c: Composer, query: str, entries: list[Entry], intents: Iterable[str] = ()) -> Answer:
    intents = set(intents)
    entries = entries[:4]
    fields = [Field(c.label(e), c.brief(e)) for e in entries]
    used = list(entries)
    for entry in entries:
        used += c.refs(entry.references().get("salary_from", []))
    figures = [(e, c.figure(e)) for e in entries]
    known = [(e, f) for e, f in figures if f is not None and f.unit in {"usd_year", None}]
    parts = [
        f"{c.label(e)}{_state_of(c, e)}: {f.text}"
        if f
        else f"{c.label(e)}: no figure in the guide"
        if isinstance(e, State | Place)
        else f"{c.label(e)}: {c.brief(e)}"
        for e, f in figures
    ]
    lead = "Side by side, by the guide's figures. " + "; ".join(p.rstrip(".") for p in parts) + "."
    line = _difference(c, known, intents) if len(entries) == 2 else None
    if line is not None:
        lead = f"{line}\n{lead}"
    elif len(known) >= 2:
        ordered = sorted(known, key=lambda pair: pair[1].sort_key, reverse=True)
        if ordered[0][1].sort_key != ordered[1][1].sort_key:
            if "lowest" in intents and "highest" not in intents:
                lead += f" {c.label(ordered[-1][0])} pays less."
            else:
                lead += f" {c.label(ordered[0][0])} pays more."
    notes = [
        f"The guide has no salary figure for {e.name}."
        for e in entries
        if isinstance(e, State) and e.salary is None
    ]
    title = " vs ".join(c.label(e) for e in entries)
    return c.finish(query, entries[0], title, lead, fields, used, notes, {"compare"})


def _difference(c: Composer, known: list[tuple[Entry, Figure]], intents: set[str]) -> str | None:
    """How much more one of two figures is ("California pays $4,800 more than New York"),
    said the way it was asked: "how much less ... Arkansas" names the one that pays less."""
    if len(known) != 2:
        return None
    (a, fa), (b, fb) = known
    less = "lowest" in intents and "highest" not in intents
    if (fa.sort_key < fb.sort_key) != less and fa.sort_key != fb.sort_key:
        (a, fa), (b, fb) = (b, fb), (a, fa)
    return difference(c.label(a), fa, c.label(b), fb)


def _state_of(c: Composer, entry: Entry) -> str:
    """ " (Texas, the state)" after a city's name, where a state figure stands in for it."""
    if isinstance(entry, Place) and entry.state:
        return f" ({c.kb.entries[entry.state].name}, the state)"
    return ""
