"""Questions in several parts ("what does a CPMA earn and do auditors work from home", "the
median and the top 10%"): split where a new question begins, each part answered in order,
one answer made of them all. A part that names nothing borrows what the part before named
("what does CRC pay and who issues it")."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

from bot.engine.analysis import Analysis
from bot.engine.answer import Answer, Field
from bot.engine.matcher import Matcher

# Where a new part may begin: a question mark or semicolon with more after it, or "also",
# "plus", "and", "but" before a word that starts a question ("and do", "and the"). A bare
# comma never splits: "I'm a CPC with 4 years, what should I earn" is one question.
_BREAK = re.compile(r"\?+\s+|;\s*|,?\s+(?:also|plus|as well as)\s+|\s*,?\s+(?:and|but|&)\s+", re.I)
MAX_PARTS = 6
# Characters of all the parts' text in the combined answer: the whole stays inside an embed
# (4,096 characters of description), shared equally by the parts.
ROOM = 3_700


_MAY_BREAK = re.compile(r" and | also | plus | but |&|;|\?\s+\S", re.I)


def split(text: str, starters: frozenset[str]) -> list[str]:
    """The parts of a question; one part when it has no break before a question word."""
    if _MAY_BREAK.search(text) is None:
        return [text]  # the common case: one question, decided by one quick search
    pieces: list[str] = []
    last = 0
    for match in _BREAK.finditer(text):
        rest = text[match.end() :]
        first = rest.split(maxsplit=1)[0].lower().strip("'’,.!?") if rest.strip() else ""
        joiner = match.group().strip(" ,").lower()
        question_mark = "?" in joiner or ";" in joiner or joiner in {"also", "as well as"}
        if not first or (not question_mark and first not in starters):
            continue
        pieces.append(text[last : match.start()])
        last = match.end()
    pieces.append(text[last:])
    parts = [p.strip(" ,.?;") for p in pieces if p.strip(" ,.?;")]
    if len(parts) > MAX_PARTS:  # the rest is named as one last part, never dropped
        parts = [*parts[: MAX_PARTS - 1], "; ".join(parts[MAX_PARTS - 1 :])]
    return parts if len(parts) > 1 else [text]


def substantive(a: Analysis) -> bool:
    return bool(a.hits or a.intents or a.kinds or a.keywords)


def borrow(part: str, a: Analysis, before: Analysis, before_text: str, m: Matcher) -> str:
    """A part that names nothing ("who issues it", "and the two dearest") read with what the
    part before named: its entries' words, or the kind it was about."""
    if a.hits or a.keywords:
        return part
    pronoun = bool(set(a.tokens) & m.lex.refers)
    if not pronoun and len(a.tokens) > 4:
        return part
    toks = before.tokens
    named = [" ".join(toks[h.start : h.end]) for h in sorted(before.hits, key=lambda h: h.start)]
    kinds = [] if a.kinds else [t for t in toks if t in m.lex.kind_words][:1]
    extra = " ".join([*named, *kinds])
    return f"{part} {extra}".strip() if extra else part


def combine(query: str, answers: Sequence[tuple[str, Answer]]) -> Answer:
    """One answer of several parts, each with its own figures, in the order asked."""
    lines: list[str] = []
    fields: list[Field] = []
    sources: list[str] = []
    entries: list[str] = []
    room = ROOM // max(1, len(answers)) - 40
    for n, (part, answer) in enumerate(answers, 1):
        body = answer.lead if answer.answered else f"Not in the guide: {answer.lead}"
        figures = [f"- {f.name}: {f.value}" for f in answer.fields]
        text = "\n".join([body, *figures[:8], *answer.notes])
        if len(text) > room:
            text = text[: room - 1].rsplit(" ", 1)[0] + "…"
        lines.append(f"**{n}. {part[:200]}**\n{text}")
        sources = _merge_sources(sources, answer.sources)
        entries += [e for e in answer.entries if e not in entries]
    answered = [a for _p, a in answers if a.answered]
    main = answered[0] if answered else answers[0][1]
    return replace(
        main,
        query=query,
        answered=bool(answered),
        title=" · ".join(a.title for _p, a in answers)[:256],
        lead="\n\n".join(lines),
        fields=tuple(fields),
        notes=(),
        sources=tuple(sources),
        entries=tuple(entries),
        suggestions=() if answered else main.suggestions,
        suggestion_ids=() if answered else main.suggestion_ids,
        rule="parts:" + "+".join(a.rule for _p, a in answers),
        gap=next((a.gap or a.query for _p, a in answers if a.gap or not a.answered), None),
    )


def _merge_sources(have: list[str], more: Sequence[str]) -> list[str]:
    """One line per document, its sections in order: "Guide (as of 2026): A; B"."""
    merged = list(have)
    for line in more:
        doc, sep, sections = line.partition("): ")
        at = next((i for i, h in enumerate(merged) if sep and h.startswith(doc + sep)), None)
        if at is None:
            merged.append(line)
            continue
        known = merged[at][len(doc + sep) :].split("; ")
        extra = [s for s in sections.split("; ") if s not in known]
        merged[at] = doc + sep + "; ".join(known + extra)
    return merged


def answer_parts(
    query: str,
    text: str,
    m: Matcher,
    starters: frozenset[str],
    answer_one: Callable[[str, str, Analysis], Answer],
) -> Answer | None:
    """The combined answer when the question has two or more parts, else None."""
    parts = split(text, starters)
    if len(parts) < 2:
        return None
    analysed = [(p, m.analyse(p)) for p in parts]
    if sum(substantive(a) for _p, a in analysed) < 2:
        return None

    # A part with words but nothing of the guide is named as not covered, in its place.
    analysed = [(p, a) for p, a in analysed if substantive(a) or a.unknown_words]
    if analysed[0][1].about_me:
        return None  # "I have 8 years and how do I move up": who they are, then one question
    answers: list[tuple[str, Answer]] = []
    before: tuple[str, Analysis] | None = None
    for part, a in analysed:
        read = borrow(part, a, before[1], before[0], m) if before is not None else part
        if read != part:
            a = m.analyse(read)
        if answers and answers[-1][1].answered:
            a.strong = True  # "median wage? also projected growth": said after a coding answer
        answers.append((part, answer_one(read, read, a)))
        before = (read, a)
    distinct = {(ans.topic, ans.rule) for _p, ans in answers}
    if len(distinct) < 2:
        return None  # every part led to the same answer: it is one question
    return combine(query, answers)
