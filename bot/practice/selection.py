"""Which questions a quiz or a mock exam asks: by section, at random with a seed, by weight."""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence

from bot.practice.bank import QuestionBank

MOCK_LENGTHS = (25, 50, 100)


class NotEnoughQuestions(ValueError):
    """The bank (or the section) has no questions to ask."""


def apportion(weights: Mapping[str, int], total: int) -> dict[str, int]:
    """Split `total` seats by weight with the largest-remainder (Hamilton) method.

    Ties in the remainder go to the heavier weight, then to the earlier key, so the result is
    the same on every run: 100 seats give each section its weight exactly.
    """
    weight_sum = sum(weights.values())
    if weight_sum <= 0 or total <= 0:
        return {key: 0 for key in weights}
    quotas = {key: total * w / weight_sum for key, w in weights.items()}
    seats = {key: int(q) for key, q in quotas.items()}
    order = list(weights)
    by_remainder = sorted(
        order, key=lambda k: (-(quotas[k] - seats[k]), -weights[k], order.index(k))
    )
    for key in by_remainder[: total - sum(seats.values())]:
        seats[key] += 1
    return seats


def _prefer_fresh(ids: Sequence[str], avoid: Collection[str], rng: random.Random) -> list[str]:
    """`ids` shuffled, the ones not in `avoid` first (seen ones only when fresh run out)."""
    fresh = [q for q in ids if q not in avoid]
    seen = [q for q in ids if q in avoid]
    rng.shuffle(fresh)
    rng.shuffle(seen)
    return fresh + seen


def pick_quiz(
    bank: QuestionBank,
    count: int,
    *,
    section: str | None = None,
    rng: random.Random | None = None,
    avoid: Collection[str] = (),
) -> list[str]:
    """Up to `count` distinct question ids, of one section or of all, at random."""
    rng = rng or random.Random()
    if section is not None and section not in bank.sections:
        raise NotEnoughQuestions(f"There is no section {section!r}.")
    pool = bank.by_section[section] if section else tuple(bank.questions)
    if not pool:
        where = f"the section {bank.section_name(section)}" if section else "the question bank"
        raise NotEnoughQuestions(f"There are no questions in {where} yet.")
    return _prefer_fresh(pool, avoid, rng)[:count]


def pick_mock(
    bank: QuestionBank,
    length: int,
    *,
    rng: random.Random | None = None,
    avoid: Collection[str] = (),
) -> list[str]:
    """`length` distinct questions in the exam's proportions, grouped by section in exam order.

    Each section gets its largest-remainder share of `length`; a section with fewer questions
    than its share gives the rest to the sections that still have some, by weight again.
    Questions in `avoid` (recently seen) are drawn only when a section has no fresh ones left.
    """
    rng = rng or random.Random()
    if not bank.questions:
        raise NotEnoughQuestions("There are no questions in the question bank yet.")
    length = min(length, len(bank.questions))
    shuffled = {s: _prefer_fresh(bank.by_section[s], avoid, rng) for s in bank.sections}
    chosen: dict[str, list[str]] = {s: [] for s in bank.sections}
    missing = length
    while missing:
        open_sections = {
            s: bank.sections[s].weight or 1
            for s in bank.sections
            if len(chosen[s]) < len(shuffled[s])
        }
        for section, seats in apportion(open_sections, missing).items():
            room = shuffled[section][len(chosen[section]) :]
            chosen[section] += room[:seats]
        missing = length - sum(len(ids) for ids in chosen.values())
    return [qid for section in bank.sections for qid in chosen[section]]
