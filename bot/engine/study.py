"""Study questions ("when do I use modifier 25", "what is placeholder X") answered from the
original study tips, by the words they share: rarer words weigh more (inverse document
frequency), so "25" and "modifier" together find the modifier-25 tip."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.engine.answer import Answer, Field
from bot.engine.compose import Composer
from bot.engine.reading import stem
from bot.knowledge.models import TIP_CATEGORY_LABELS, Tip
from bot.knowledge.text import tokens

MIN_SCORE = 5.0  # about two rare shared words, or three common ones
CLEAR_LEAD = 1.25  # the best tip must beat the second by this factor
STRONG_SHARED = 3  # shared words that make a tip's case without a coding term


def _has_digit(words: Iterable[str]) -> bool:
    return any(ch.isdigit() for w in words for ch in w)


class TipIndex:
    def __init__(
        self,
        tips: Sequence[Tip],
        ignore: Iterable[str],
        terms: Iterable[str] = (),
        everyday: Iterable[str] = (),
    ):
        self.ignore = frozenset(ignore)
        # Coding terms, stemmed as the tips' words are: one shared is evidence enough.
        self.terms = frozenset(stem(t) for t in terms)
        self.tips = list(tips)
        self._said: dict[str, frozenset[str]] = {}  # every word of a tip, for `mentions`
        self.words = [self._words(f"{t.text} {t.source or ''} {t.category}") for t in self.tips]
        # A tip's id names its subject (the code set, the rule): words there count twice.
        self.subjects = [self._words(t.id.replace("-", " ")) for t in self.tips]
        df = Counter(w for words in self.words for w in words)
        # Which tips hold a word: only those are scored.
        self.holding: dict[str, list[int]] = {}
        for i, (words, subject) in enumerate(zip(self.words, self.subjects, strict=True)):
            for word in words | subject:
                self.holding.setdefault(word, []).append(i)
        # A subject's words are evidence on their own, but not everyday ones where nothing
        # else is of coding ("exam" of "exam-mark-and-move" is no reason to answer "is the
        # series 65 exam hard").
        weak = frozenset(stem(w) for w in everyday)
        self.telling = [subject - weak for subject in self.subjects]
        self.evidence = self.terms | frozenset(w for subject in self.telling for w in subject)
        self.evidence_named = self.terms | frozenset(
            w for subject in self.subjects for w in subject
        )
        n = len(self.tips) or 1
        self.idf = {w: math.log(1 + n / c) for w, c in df.items()}

    def mentions(self, tip: Tip, phrase: str) -> bool:
        """Whether every word of `phrase` is in the tip ("before" in "the day before"),
        ignored words too ("payment"). A tip's words are read once, when first asked."""
        said = self._said.get(tip.id)
        if said is None:
            said = self._said[tip.id] = frozenset(stem(t) for t in tokens(tip.text))
        words = {stem(t) for t in tokens(phrase)}
        return bool(words) and words <= said

    def _words(self, text: str) -> frozenset[str]:
        return self.stems(tokens(text))

    def search(self, question: str) -> Tip | None:
        """The one tip that clearly answers the question's study words, else None."""
        return self.search_words(self._words(question))

    def stems(self, words: Iterable[str]) -> frozenset[str]:
        """Words already split and lower-cased (the matcher's tokens), as the index holds them."""
        return frozenset(stem(t) for t in words if t not in self.ignore)

    def search_words(
        self, asked: frozenset[str], named: frozenset[str] = frozenset()
    ) -> Tip | None:
        """`search` on stemmed words. `named`: words of the question (the names in it) that
        add to a tip's score but are no evidence on their own: the rest must make the case
        ("cardiology coding" alone is a specialty, not a cardiology tip), though a name may
        be the tip's subject."""
        own = asked - named
        # What the checks below ask of the words shared with the best tip, asked first of
        # the words any tip holds: most questions are settled here, before any scoring.
        held = own & self.holding.keys()
        # One shared word out of several is a coincidence, not a match, unless a name has
        # made it a coding question: then one word of a tip's subject, a coding term or a
        # code will do ("inpatient coder in Ohio, the doc charted urosepsis").
        needed = 1 if named else min(2, len(own))
        if not held or len(held) < needed:
            return None
        evidence = self.evidence_named if named else self.evidence
        if len(held) < 2 and held.isdisjoint(evidence) and not _has_digit(held):
            return None
        # Only a tip holding one of the question's own words can answer it.
        candidates = {i for w in own for i in self.holding.get(w, ())}
        scored = sorted(
            (
                (
                    sum(self.idf[w] for w in asked & self.words[i])
                    + sum(self.idf.get(w, 0.0) for w in asked & self.subjects[i]),
                    i,
                )
                for i in candidates
            ),
            reverse=True,
        )
        if not scored or scored[0][0] < MIN_SCORE:
            return None
        best, index = scored[0]
        shared = own & (self.words[index] | self.subjects[index])
        if len(shared) < needed:
            return None
        # Among words of coding (a name asked about), a tip's everyday subject word ("exam")
        # means what it says; among everyday words it is no evidence.
        subject = self.subjects[index] if named else self.telling[index]
        if (
            len(shared) < STRONG_SHARED
            and not shared & subject
            and shared.isdisjoint(self.terms)
            and not _has_digit(shared)
            and not (len(shared) >= 2 and named & subject)  # "anesthesia ... base units"
        ):
            return None  # a tip needs a coding term, a code, or several of its words
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if runner_up and best < runner_up * CLEAR_LEAD:
            return None
        return self.tips[index]


# -- study answers ------------------------------------------------------------------------------
TIPS_SOURCE = "medcode-bot study tips (original, in the bot's own words)"
_CODE = re.compile(r"\b(?:\d{5}|\d{4}[FTU]|[A-V]\d{4}|[A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?)\b")
_CODE_WORDS = re.compile(r"\b(?:cpt|icd|hcpcs|code|codes)\b", re.IGNORECASE)
_CODE_FOR = re.compile(r"\b(?:code|codes)\s+(?:for|of)\b|\bwhat(?:'?s| is) the code\b", re.I)


_MONEY = re.compile(r"\$\s?\d|\d\s?k\b|\d,\d{3}", re.IGNORECASE)


def might_be_a_code(text: str) -> bool:
    """A quick test: does the text hold anything code-shaped at all?"""
    return bool(_CODE.search(text) or _CODE_FOR.search(text))


def asks_for_a_code(text: str, meaning: bool = False, words: int = 0) -> bool:
    """ "what is CPT 99214", "ICD-10 code for type 2 diabetes": a code look-up; so is a bare
    code asked for its meaning ("what does 99213 mean", "J1100?"), unless it is money."""
    if _CODE_FOR.search(text) or (_CODE.search(text) and _CODE_WORDS.search(text)):
        return True
    bare = _CODE.search(text) is not None and _MONEY.search(text) is None
    return bare and (meaning or words <= 2)


def tip_answer(query: str, tip: Tip) -> Answer:
    label = TIP_CATEGORY_LABELS.get(tip.category, tip.category)
    return Answer(
        query=query,
        answered=True,
        topic=tip.id,
        title=f"Study tip · {label}",
        lead=tip.text,
        sources=(tip.source or TIPS_SOURCE,),
        entries=(tip.id,),
    )


def code_lookup(c: Composer, index: TipIndex, query: str, text: str) -> Answer:
    """Declined: CPT descriptions are the AMA's copyright. A related study tip, if one fits."""
    lead = (
        "I don't look up codes or quote code descriptions: CPT code descriptions are the "
        "AMA's copyright. Find it in your current code book: the Alphabetic Index first, "
        "then the Tabular List (ICD-10-CM) or the section's guidelines (CPT)."
    )
    tip = index.search(text)
    fields = (Field(f"Related study tip ({tip.id})", tip.text),) if tip else ()
    ids = [e.id for role in ("exam-prep", "resources") if (e := c.kb.role(role))]
    answer = c.unanswered(query, lead, ids=ids, suggest_from=text)
    return replace(answer, title="Code look-ups are not something I do", fields=fields)
