"""What a rule is given: the question as read (`Question`), what it may use to answer
(`Context`), and how it sits in the routing table (`Route`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.engine.analysis import Analysis
from bot.engine.answer import Answer
from bot.engine.compose import Composer
from bot.engine.study import TipIndex
from bot.knowledge.models import Entry, Topic


@dataclass
class Question:
    """A question as the rules see it: what was typed, what the matcher found, and what the
    engine made of it before routing (a named level, a topic that covers a kind)."""

    query: str  # as asked (the Answer echoes it)
    text: str  # cleaned and cut to MAX_QUESTION: everything is decided on this
    a: Analysis
    entries: list[Entry] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    ranking: set[str] = field(default_factory=set)


@dataclass
class Context:
    c: Composer
    study: TipIndex


Rule = Callable[[Context, Question], Answer | None]


@dataclass(frozen=True)
class Route:
    name: str
    rule: Rule
    final: bool = False  # answered as is, without the notes every other answer gets
    # Intents of which the question must have one for the rule to be tried at all (a cheap
    # skip: the rule checks its own conditions anyway).
    needs: frozenset[str] = frozenset()


def prepare(ctx: Context, query: str, text: str, a: Analysis) -> Question:
    c = ctx.c
    q = Question(query, text, a, [c.kb.entries[i] for i in a.entity_ids])
    q.ranking = a.intents & {"highest", "lowest"}
    q.kinds = list(dict.fromkeys(a.kinds))
    if a.level is not None and not q.entries:  # "level 3"
        level = next((lv for lv in c.ladder if lv.level == a.level), None)
        if level is not None:
            q.entries = [level]
    # "best paying alternative career": a topic that covers a kind ranks or lists it.
    overview = q.entries or [c.kb.entries[h.entry_id] for h in a.keywords[:1]]
    topic = overview[0] if len(overview) == 1 else None
    covered = topic.covers if isinstance(topic, Topic) else None
    if covered and not q.kinds and (q.ranking or "list" in a.intents):
        q.kinds, q.entries = [covered], []
    return q
