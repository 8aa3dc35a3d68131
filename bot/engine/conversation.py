"""Follow-ups: a short question read with the one before it ("how much do auditors make" then
"and in Maryland?"). Pure and clock-free: the caller passes the time and keys the context
(per member and channel in Discord, per session in the CLI), so one member's context never
reaches another's answer.

A `Conversation` is small, frozen and hashable: a cache of answers can key on
(question, conversation) since together they decide the answer."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from bot.engine.analysis import Analysis
from bot.engine.matcher import Matcher
from bot.engine.reading import read_ordinal
from bot.engine.vocab import Lexicon
from bot.knowledge.models import Place, State

# How long a question stays the context of the next one, in seconds.
FOLLOW_UP_SECONDS = 5 * 60.0
# A follow-up is short: longer questions stand on their own.
MAX_FOLLOW_UP_WORDS = 8


@dataclass(frozen=True)
class Conversation:
    """The last question a member had answered, as the engine read it, and when."""

    text: str  # the question as read (a follow-up already resolved)
    topic: str | None  # the entry that answered it
    at: float  # seconds, on the caller's clock

    def fresh(self, now: float) -> bool:
        return 0 <= now - self.at <= FOLLOW_UP_SECONDS


def _lead_in(tokens: list[str], lex: Lexicon) -> bool:
    head = " ".join(tokens[:2])
    return bool(tokens) and (tokens[0] in lex.lead_ins or head in lex.about)


def resolve(text: str, a: Analysis, context: Conversation, m: Matcher) -> str | None:
    """The follow-up read as a whole question, or None when it stands on its own."""
    toks = a.tokens
    if not toks or len(toks) > MAX_FOLLOW_UP_WORDS:
        return None
    if a.unknown_words and not a.strong:
        return None  # "and what about pizza?": off-topic stays off-topic
    lex = m.lex
    refers = bool(set(toks) & lex.refers)
    own_intents = a.intents - {"list"}
    if a.hits and own_intents and not refers and not _lead_in(toks, lex):
        return None  # a new full question starts afresh
    if not (_lead_in(toks, lex) or refers or not own_intents or a.ordinal is not None):
        return None
    before = m.analyse(context.text)
    if a.hits:
        return _substitute(context.text, before, a, m)
    if a.kinds:
        return _swap_kind(before, a, m)
    if a.ordinal is not None or a.count is not None:
        return f"{_without_ordinal(before)} {' '.join(_content(toks, lex))}".strip()
    ranking = {"highest", "lowest"}
    if a.intents & ranking and before.intents & ranking:  # "and the least?"
        words = m.lex.intents["highest"] | m.lex.intents["lowest"]
        kept = [t for t in before.tokens if t not in words]
        return f"{' '.join(_content(toks, lex))} {' '.join(kept)}".strip()
    if a.intents & {"next", "previous"} and context.topic in m.kb.entries:
        word = "after" if "next" in a.intents else "before"
        return f"what comes {word} {m.kb.entries[context.topic].name}"
    named = _named(before) or (
        [m.kb.entries[context.topic].name] if context.topic in m.kb.entries else []
    )
    if own_intents and named:
        return f"{' '.join(_content(toks, lex))} {' '.join(named)}".strip()
    if a.keywords and _lead_in(toks, lex):  # "and hourly?": more of the same question
        return f"{context.text} {' '.join(_content(toks, lex))}"
    return None


def _content(toks: list[str], lex: Lexicon) -> list[str]:
    drop = 2 if " ".join(toks[:2]) in lex.about else 1 if toks and toks[0] in lex.lead_ins else 0
    return toks[drop:]


def _named(a: Analysis) -> list[str]:
    return [" ".join(a.tokens[h.start : h.end]) for h in sorted(a.hits, key=lambda h: h.start)]


def _is_place(m: Matcher, entry_id: str) -> bool:
    return isinstance(m.kb.entries[entry_id], State | Place)


def _substitute(text: str, before: Analysis, a: Analysis, m: Matcher) -> str:
    """Swap what the follow-up names for what the question before named of the same kind
    ("auditors" -> "managers"); a new place goes where the old one was, or is added."""
    toks = list(before.tokens)
    new = sorted(a.hits, key=lambda h: h.start)
    spans: dict[int, tuple[int, str]] = {}
    added: list[str] = []
    for hit in new:
        kind = m.kb.entries[hit.entry_id].kind
        place = _is_place(m, hit.entry_id)
        phrase = " ".join(a.tokens[hit.start : hit.end])
        old = next(
            (
                h
                for h in before.hits
                if h.start not in spans
                and (
                    _is_place(m, h.entry_id) == place
                    and (place or m.kb.entries[h.entry_id].kind == kind)
                )
            ),
            None,
        )
        if old is None:
            added.append(f"in {phrase}" if place else phrase)
        else:
            spans[old.start] = (old.end, phrase)
    out: list[str] = []
    i = 0
    while i < len(toks):
        if i in spans:
            end, phrase = spans[i]
            out.append(phrase)
            i = end
        else:
            out.append(toks[i])
            i += 1
    return " ".join([*out, *added])


def _swap_kind(before: Analysis, a: Analysis, m: Matcher) -> str | None:
    """ "highest paying specialty" then "and state?": the same question of another kind."""
    new_kind = next((t for t in a.tokens if t in m.lex.kind_words), None)
    if new_kind is None:
        return None
    toks = [t for t in before.tokens]
    for i, t in enumerate(toks):
        if t in m.lex.kind_words:
            toks[i] = new_kind
            return " ".join(toks)
    return None


def _without_ordinal(a: Analysis) -> str:
    """The question before without its place in a ranking ("second", "3rd", "#4")."""
    return " ".join(t for t in a.tokens if read_ordinal(t) is None and not t.isdigit())


class Conversations:
    """Contexts by key (member and channel, ...), bounded in number, expired by the clock
    the caller passes: the adapter's store, with no Discord in it."""

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._by_key: OrderedDict[Hashable, Conversation] = OrderedDict()

    def get(self, key: Hashable, now: float) -> Conversation | None:
        found = self._by_key.get(key)
        if found is None:
            return None
        if not found.fresh(now):
            del self._by_key[key]
            return None
        self._by_key.move_to_end(key)  # the least recently used go first when full
        return found

    def put(self, key: Hashable, context: Conversation | None) -> None:
        if context is None:
            self._by_key.pop(key, None)
            return
        self._by_key[key] = context
        self._by_key.move_to_end(key)
        while len(self._by_key) > self.limit:
            self._by_key.popitem(last=False)

    def __len__(self) -> int:
        return len(self._by_key)
