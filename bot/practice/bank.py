"""The loaded question bank: sections in exam order and questions by id and by section."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.practice.models import Question, Section


@dataclass(frozen=True)
class QuestionBank:
    sections: dict[str, Section]  # in the order of sections.yaml (the exam's order)
    questions: dict[str, Question]
    files: tuple[Path, ...] = ()
    by_section: dict[str, tuple[str, ...]] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[str]] = {s: [] for s in self.sections}
        for question in self.questions.values():
            grouped[question.section].append(question.id)
        object.__setattr__(self, "by_section", {s: tuple(ids) for s, ids in grouped.items()})

    def __len__(self) -> int:
        return len(self.questions)

    def section_name(self, section_id: str) -> str:
        section = self.sections.get(section_id)
        return section.name if section else section_id

    def practised_sections(self) -> list[Section]:
        """Sections that have at least one question, in exam order."""
        return [s for s in self.sections.values() if self.by_section.get(s.id)]

    def known(self, question_ids: Iterable[str]) -> list[str]:
        """The ids still in the bank (a reload may have removed some)."""
        return [q for q in question_ids if q in self.questions]

    def section_for_tip(self, category: str, section: str | None = None) -> str | None:
        """The section a study tip practises: the tip's own `section` if it names one with
        questions, else the first section that lists the tip's category."""
        if section and self.by_section.get(section):
            return section
        for candidate in self.sections.values():
            if category in candidate.tip_categories and self.by_section.get(candidate.id):
                return candidate.id
        return None

    def summary(self) -> str:
        used = len(self.practised_sections())
        return f"{len(self.questions)} questions in {used} of {len(self.sections)} sections"
