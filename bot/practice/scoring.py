"""Scores: in all and by section, against the CPC's 70 % pass line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.practice.bank import QuestionBank

PASS_PERCENT = 70.0


@dataclass(frozen=True)
class SectionScore:
    section: str
    name: str
    correct: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= PASS_PERCENT


@dataclass(frozen=True)
class Score:
    correct: int
    total: int
    answered: int
    sections: tuple[SectionScore, ...]
    missed: tuple[int, ...]  # indexes of the questions answered wrong or not at all

    @property
    def percent(self) -> float:
        return 100.0 * self.correct / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.percent >= PASS_PERCENT


def score(bank: QuestionBank, question_ids: Sequence[str], answers: Sequence[str | None]) -> Score:
    """Unanswered questions count as wrong, as on the exam. Questions a reload removed from the
    bank are left out of the score (their right answer is no longer known)."""
    tally: dict[str, list[int]] = {}
    missed: list[int] = []
    correct = answered = total = 0
    for index, (qid, given) in enumerate(zip(question_ids, answers, strict=True)):
        question = bank.questions.get(qid)
        if question is None:
            continue
        total += 1
        answered += given is not None
        right = given == question.answer
        correct += right
        if not right:
            missed.append(index)
        counts = tally.setdefault(question.section, [0, 0])
        counts[0] += right
        counts[1] += 1
    order = list(bank.sections)
    sections = tuple(
        SectionScore(s, bank.section_name(s), c, t)
        for s, (c, t) in sorted(tally.items(), key=lambda kv: order.index(kv[0]))
    )
    return Score(correct, total, answered, sections, tuple(missed))
