"""Rules that answer from what the guide says about an entry rather than from one of its
figures: why it pays what it does, what an abbreviation stands for, who issues a credential or
covers a field, and how much more one figure is than another."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import replace

from bot.engine.answer import Answer
from bot.engine.compare import one
from bot.engine.compose import sentence
from bot.engine.difference import comparable, difference
from bot.engine.question import Context, Question
from bot.engine.reading import stem
from bot.knowledge.models import Credential, Figure, Topic
from bot.knowledge.text import raw_tokens


def why(ctx: Context, q: Question) -> Answer | None:
    """ "why does risk adjustment pay so much": the reason the guide gives, else that it
    gives none, before what it does say."""
    if "why" not in q.a.intents or len(q.entries) != 1:
        return None
    entry = q.entries[0]
    answer = one(ctx.c, q.query, entry, q.a.intents - {"why"})
    reason = entry.reason()
    if reason:
        lead = f"The guide's reason: {sentence(reason)}"
    else:
        lead = f"The guide gives no reason for this; what it says about {entry.name}:"
    return replace(answer, lead=f"{lead}\n{answer.lead}")


def stands_for(ctx: Context, q: Question) -> Answer | None:
    """ "what does HCC stand for": the expansion the guide gives, with the entry it is on."""
    if not q.a.intents & {"meaning"} or q.a.intents & {"pay", "highest", "lowest"}:
        return None
    for token in q.a.tokens:
        found = ctx.c.expansion(token)
        if found is not None:
            abbreviation, full, entry = found
            answer = one(ctx.c, q.query, entry, set())
            lead = f"{abbreviation} stands for {full}, as the guide spells it out."
            return replace(answer, lead=f"{lead}\n{answer.lead}")
    if "meaning" not in q.a.intents or any(isinstance(e, Credential) for e in q.entries):
        return None
    shouted = [w for w in raw_tokens(q.text) if 2 <= len(w) <= 6 and w.isalpha() and w.isupper()]
    known = [w for w in shouted if w.lower() in ctx.c.matcher.known_words]
    if len(known) == 1 and not q.a.hits[1:]:  # "what does HIM stand for"
        return ctx.c.unanswered(
            q.query, f"The guide uses {known[0]} but does not spell it out.", suggest_from=q.text
        )
    return None


def issuer_of(ctx: Context, q: Question) -> Answer | None:
    """ "who runs the CPC exam", "what does AHIMA offer": credentials and their issuers."""
    if "issuer" not in q.a.intents and not ("list" in q.a.intents and "credential" in q.kinds):
        return None
    if q.a.intents & {"pay", "highest", "lowest"}:
        # "who publishes the salary survey": a body, not pay; "which cert pays most": pay.
        nothing_named = not q.entries and "issuer" in q.a.intents
        return _body_covering(ctx, q) if nothing_named else None
    if any(isinstance(e, Credential) for e in q.entries):
        return None
    toks = set(q.a.tokens)
    named = [cred for cred in ctx.c.credentials() if cred.abbreviation.lower() in toks]
    if len(named) == 1 and "issuer" in q.a.intents:
        return one(ctx.c, q.query, named[0], {"issuer"})
    org = next((o for o in ctx.c.issuers() if o.lower() in toks), None)
    if org is None and not named and "issuer" in q.a.intents:
        return _body_covering(ctx, q)
    if org is None or named:
        return None
    return ctx.c.issued_by(q.query, org)


def _body_covering(ctx: Context, q: Question) -> Answer | None:
    """ "which organization covers HIM careers", "who publishes the salary survey": the body
    the guide says covers it."""
    words = {stem(t) for t in q.a.tokens if t not in ctx.c.lex.study_ignore}
    found = ctx.c.body_covering(words)
    if found is None:
        return None
    body, covers, entry = found
    full = ctx.c.expansion(body.lower())
    name = f"{body} ({full[1]})" if full else body
    answer = one(ctx.c, q.query, entry, set())
    return replace(answer, lead=f"The guide names {name} for that: {covers}.\n{answer.lead}")


def premium(ctx: Context, q: Question) -> Answer | None:
    """ "how much more do certified coders make": the guide's certification premium, with the
    certification table's difference computed."""
    a = q.a
    if "difference" not in a.intents or not set(a.tokens) & ctx.c.lex.certification_words:
        return None
    specific = [e for e in q.entries if not isinstance(e, Topic)]
    if len(specific) >= 2 or any(e.kind in {"state", "specialty", "place"} for e in specific):
        return None
    entry = ctx.c.kb.role("premium")
    if entry is None:
        return None
    answer = one(ctx.c, q.query, entry, a.intents)
    found = ctx.c.status_difference()
    if found is None:
        return answer
    line, used = found
    entries = (*answer.entries, *(e.id for e in used))
    return replace(
        answer,
        notes=(*answer.notes, line),
        entries=entries,
        sources=tuple(ctx.c.sources(ctx.c.refs(entries))),
    )


def against_median(ctx: Context, q: Question) -> Answer | None:
    """ "how much more does DC pay than the national median": one figure against the median."""
    a = q.a
    if "difference" not in a.intents:
        return None
    specific = [e for e in q.entries if not isinstance(e, Topic)]
    if len(specific) != 1:
        return None
    if not set(a.tokens) & ctx.c.lex.national_figure:
        return None
    median = next((f for f in ctx.c.medians() if f.unit == "usd_year"), None)
    figure = ctx.c.figure(specific[0])
    if median is None or figure is None:
        return None
    line = difference(ctx.c.label(specific[0]), figure, "the national median", median)
    if line is None:
        return None
    answer = one(ctx.c, q.query, specific[0], a.intents)
    national = ctx.c.national
    extra = (national.id,) if national is not None and national.id not in answer.entries else ()
    sources = ctx.c.sources(ctx.c.refs((*answer.entries, *extra)))
    return replace(
        answer,
        lead=f"{line}\n{answer.lead}",
        entries=(*answer.entries, *extra),
        sources=tuple(sources),
    )


def figure_gap(ctx: Context, q: Question) -> Answer | None:
    """ "average vs median, what's the gap", "how much higher is Glassdoor's number than the
    BLS median": two figures of one entry, named by the words of their labels, and their
    difference."""
    entries = q.entries or [ctx.c.kb.entries[k.entry_id] for k in q.a.keywords[:1]]
    if len(entries) != 1:
        return None
    entry = entries[0]
    pair = _two_figures_named(entry.figures(), set(q.a.tokens))
    if pair is None:
        return None
    (a, b) = sorted(pair, key=lambda f: f.sort_key, reverse=True)
    if "lowest" in q.a.intents and "highest" not in q.a.intents:
        a, b = b, a
    lex = ctx.c.lex
    known = lex.common | lex.stopwords | lex.everyday_intents | lex.national_figure
    line = difference(f"The {_named(a, known)}", a, f"the {_named(b, known)}", b, verb="is")
    if line is None:
        return None
    answer = one(ctx.c, q.query, entry, q.a.intents)
    return replace(answer, lead=f"{line}\n{answer.lead}")


def _named(figure: Figure, known: Set[str]) -> str:
    """A label inside a sentence: "median annual salary", but "Glassdoor average"."""
    first, _, rest = figure.label.partition(" ")
    return f"{first.lower() if first.lower() in known else first} {rest}".strip()


def _two_figures_named(figures: list[Figure], words: set[str]) -> tuple[Figure, Figure] | None:
    """The two figures whose labels share the most words with the question, when no third
    ties with them and each has a word of its own ("average" and "median" of "average
    annual salary" and "median annual salary"); only figures of the same unit pair up."""
    asked = {stem(w) for w in words}
    labels = {id(f): {stem(t) for t in raw_tokens(f.label.lower())} & asked for f in figures}
    found = sorted((f for f in figures if labels[id(f)]), key=lambda f: -len(labels[id(f)]))
    if not found:
        return None
    first = found[0]
    others = [f for f in found[1:] if comparable(first, f)]
    if not others or (len(others) > 1 and len(labels[id(others[0])]) == len(labels[id(others[1])])):
        return None
    second = others[0]
    if not (labels[id(first)] - labels[id(second)] and labels[id(second)] - labels[id(first)]):
        return None
    return first, second
