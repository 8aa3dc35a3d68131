"""Answer a free-text question from the knowledge base. Pure Python: no Discord in here.

The parts: `matcher` finds what a question names, `rules` decides what kind of answer it
gets, `presenters` describe one entry per kind, `compare`, `rankings`, `amounts` and `study`
compose the other answers, `compose` holds what they share.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.engine import conversation, parts, rankings, rules
from bot.engine.analysis import Analysis
from bot.engine.answer import Answer
from bot.engine.compare import compare, one
from bot.engine.compose import Composer
from bot.engine.conversation import Conversation
from bot.engine.matcher import Matcher
from bot.engine.question import Context, prepare
from bot.engine.study import TipIndex
from bot.engine.vocab import Lexicon, shipped_vocab
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import Entry
from bot.knowledge.text import clean

log = logging.getLogger(__name__)

MAX_QUESTION = 4000
# Tips of these categories retell the guide, whose own entries answer career questions.
CAREER_TIPS = frozenset({"career"})


class Engine:
    """Loaded once per knowledge base; `answer()` is safe to call with any string."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.lexicon = Lexicon.build(kb.vocab or shipped_vocab())
        self.matcher = Matcher(kb, self.lexicon)
        self.composer = Composer(kb, self.lexicon, self.matcher)
        tips = [t for t in kb.tips if t.category not in CAREER_TIPS]
        lex = self.lexicon
        self.study = TipIndex(tips, lex.study_ignore, lex.study_terms, lex.everyday)
        self.matcher.study_words = frozenset(self.study.holding)
        self._starters = lex.part_starters | lex.intents["highest"] | lex.intents["lowest"]
        self._context = Context(self.composer, self.study)
        # Autocomplete reads these from memory: every name, alias and code, processed once.
        self._names = [
            (default_process(name), entry)
            for entry in kb.entries.values()
            for name in (entry.name, *entry.aliases, *entry.codes())
            if name
        ]

    # -- public API ----------------------------------------------------------------------------
    def answer(self, question: str) -> Answer:
        """The answer to one question on its own."""
        return self._answer(question, None)[0]

    def reply(
        self, question: str, context: Conversation | None = None, now: float = 0.0
    ) -> tuple[Answer, Conversation | None]:
        """The answer to a question read in the light of the conversation before it, and the
        conversation to keep for the next one. `now` is the caller's clock (seconds); a
        context older than a few minutes is ignored. The pair (question, context) decides
        the answer, so a cache may key on both."""
        if context is not None and not context.fresh(now):
            context = None
        answer, read = self._answer(question, context)
        if not answer.answered:
            return answer, context  # an unanswered question leaves the context as it was
        return answer, Conversation(text=read, topic=answer.topic, at=now)

    def _answer(self, question: str, context: Conversation | None) -> tuple[Answer, str]:
        query = question if isinstance(question, str) else ""
        # Everything is decided on the first MAX_QUESTION characters: the rest of a long
        # paste can neither change the answer nor cost time.
        text = clean(query[: MAX_QUESTION * 2])[:MAX_QUESTION].strip()
        if not text or not any(ch.isalnum() for ch in text):
            return self._empty(query), text
        try:
            if context is not None:
                analysis = self.matcher.analyse(text)
                read = conversation.resolve(text, analysis, context, self.matcher)
                if read is not None:
                    answer = self._route(query, read, self.matcher.analyse(read))
                    return replace(answer, rule=f"follow-up:{answer.rule}"), read
            several = parts.answer_parts(query, text, self.matcher, self._starters, self._route)
            if several is not None:
                return several, text
            return self._route(query, text, self.matcher.analyse(text)), text
        except Exception:  # a bug must never take the bot down with it
            log.exception("Answer engine failed on %r", text[:200])
            return replace_rule(
                self.composer.unanswered(
                    query, "Sorry, something went wrong answering that.", suggest_from=text
                ),
                "error",
            ), text

    def _empty(self, query: str) -> Answer:
        return replace_rule(
            self.composer.unanswered(
                query,
                "Ask me about medical coding pay, credentials, states, specialties or "
                "careers, for example: what does CRC pay?",
                suggest=False,
            ),
            "empty",
        )

    def _route(self, query: str, text: str, analysis: Analysis) -> Answer:
        return rules.route(self._context, prepare(self._context, query, text, analysis))

    def entry_answer(self, entry_id: str, intents: Sequence[str] = (), query: str = "") -> Answer:
        """The answer for one entry, as the direct commands (/state, /cert, ...) show it."""
        entry = self.kb.entries[entry_id]
        return one(self.composer, query or entry.name, entry, set(intents))

    def guide_year(self) -> str:
        """The as-of year of the knowledge base's sources ("2026")."""
        return self.composer.guide_year()

    def role_answer(self, role: str, intents: Sequence[str] = ()) -> Answer | None:
        """The answer for the entry holding a role ("national", "outlook", ...), if any."""
        entry = self.kb.role(role)
        return self.entry_answer(entry.id, intents) if entry is not None else None

    def compare(self, ids: Sequence[str], query: str = "") -> Answer:
        entries = [self.kb.entries[i] for i in dict.fromkeys(ids)]
        if len(entries) < 2:
            return self.entry_answer(entries[0].id, query=query)
        return compare(self.composer, query or " vs ".join(e.name for e in entries), entries)

    def complete(self, current: str, kinds: Sequence[str] = (), limit: int = 25) -> list[Entry]:
        """Autocomplete from memory: relevant entries first, a sensible list for empty input."""
        limit = max(1, min(limit, 25))
        order = self.composer.order
        pool = [e for e in self.kb.entries.values() if not kinds or e.kind in kinds]
        text = default_process(clean(current or "")[:200])[:100]
        if not text:
            return sorted(pool, key=order)[:limit]
        names = [(n, e) for n, e in self._names if not kinds or e.kind in kinds]
        processed = [n for n, _ in names]
        owners = [e for _, e in names]
        ranked: dict[str, tuple[float, Entry]] = {}
        for i, name in enumerate(processed):
            if name.startswith(text) or f" {text}" in f" {name}":
                score = 200.0 - len(name) / 100
                if ranked.get(owners[i].id, (0.0,))[0] < score:
                    ranked[owners[i].id] = (score, owners[i])
        for _choice, score, i in process.extract(
            text, processed, scorer=fuzz.WRatio, processor=None, score_cutoff=55, limit=limit * 3
        ):
            if ranked.get(owners[i].id, (0.0,))[0] < score:
                ranked[owners[i].id] = (score, owners[i])
        best = sorted(ranked.values(), key=lambda pair: (-pair[0], order(pair[1])))
        return [entry for _score, entry in best[:limit]]

    def list_kind(self, kind: str, intents: Sequence[str] = ()) -> Answer:
        """Every entry of one kind with its key figures (the career ladder, the states...)."""
        return rankings.kind_list(
            self.composer, self.composer.plural_of_kind(kind), kind, set(intents)
        )

    def find(self, text: str, kinds: Sequence[str] = ()) -> Entry | None:
        """One entry for an option value: an id, a name or alias (typos allowed), else None."""
        text = clean(text or "").strip()[:200]
        entry = self.kb.entries.get(text)
        if entry is not None and (not kinds or entry.kind in kinds):
            return entry
        for entry_id in self.matcher.analyse(text).entity_ids:
            entry = self.kb.entries[entry_id]
            if not kinds or entry.kind in kinds:
                return entry
        ids = self.matcher.suggest(text, limit=1, kinds=tuple(kinds), cutoff=85)
        return self.kb.entries[ids[0]] if ids else None


def replace_rule(answer: Answer, rule: str) -> Answer:
    return replace(answer, rule=rule)
