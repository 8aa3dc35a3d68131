"""A member's progress: accuracy by section (weakest first), the weekly trend, mock scores."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

PASS_LINE = 0.70
# Fewer answers than this in a section say little: such sections are listed after the others.
MIN_ANSWERS_TO_RANK = 3


@dataclass(frozen=True)
class AnswerRow:
    section: str
    correct: bool
    answered_at: datetime


@dataclass(frozen=True)
class SectionAccuracy:
    section: str
    name: str
    right: int
    total: int

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class MockScore:
    finished_at: datetime
    right: int
    total: int

    @property
    def share(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        return self.share >= PASS_LINE


@dataclass(frozen=True)
class Progress:
    sections: list[SectionAccuracy]  # weakest first
    weeks: list[tuple[date, float, int]]  # (Monday, accuracy, answers), oldest first
    mocks: list[MockScore]  # newest first
    answered: int
    right: int


def week_start(instant: datetime, zone: tzinfo) -> date:
    day = instant.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def build_progress(
    answers: Iterable[AnswerRow],
    section_names: Mapping[str, str],
    mocks: Iterable[MockScore] = (),
    *,
    zone: tzinfo,
    weeks: int = 8,
) -> Progress:
    by_section: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_week: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in answers:
        for tally in (by_section[row.section], by_week[week_start(row.answered_at, zone)]):
            tally[0] += row.correct
            tally[1] += 1
    sections = [
        SectionAccuracy(sid, section_names.get(sid, sid), right, total)
        for sid, (right, total) in by_section.items()
    ]
    sections.sort(key=lambda s: (s.total < MIN_ANSWERS_TO_RANK, s.share, -s.total, s.name))
    trend = [(monday, r / t, t) for monday, (r, t) in sorted(by_week.items())][-weeks:]
    right = sum(s.right for s in sections)
    total = sum(s.total for s in sections)
    newest_first = sorted(mocks, key=lambda m: m.finished_at, reverse=True)
    return Progress(sections, trend, newest_first, total, right)
