"""The question bank shipped in knowledge/questions/: valid, big enough, and balanced."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from statistics import mean

import pytest
from bankkit import ROOT

from bot.practice import QuestionBank, load_bank

QUESTIONS = ROOT / "knowledge" / "questions"


@pytest.fixture(scope="module")
def bank() -> QuestionBank:
    return load_bank(QUESTIONS)  # raises with every problem listed if anything is invalid


def test_at_least_300_questions_in_at_least_12_sections_none_below_10(bank: QuestionBank) -> None:
    assert len(bank) >= 300
    counts = {s.id: len(bank.by_section[s.id]) for s in bank.practised_sections()}
    assert len(counts) >= 12
    assert min(counts.values()) >= 10, counts


def test_heavier_sections_have_more_questions(bank: QuestionBank) -> None:
    by_weight: dict[int, list[int]] = defaultdict(list)
    for section in bank.practised_sections():
        by_weight[section.weight].append(len(bank.by_section[section.id]))
    averages = [mean(by_weight[w]) for w in sorted(by_weight)]
    assert averages == sorted(averages), dict(by_weight)


def test_right_answers_are_spread_evenly_over_a_to_d(bank: QuestionBank) -> None:
    letters = Counter(q.answer for q in bank.questions.values())
    for letter in "ABCD":
        assert 0.2 <= letters[letter] / len(bank) <= 0.3, letters


def test_at_least_a_third_are_clinical_cases_and_every_difficulty_is_used(
    bank: QuestionBank,
) -> None:
    kinds = Counter(q.kind for q in bank.questions.values())
    assert kinds["case"] >= len(bank) / 3
    assert {q.difficulty for q in bank.questions.values()} == {1, 2, 3}


def test_every_question_names_its_code_set_year(bank: QuestionBank) -> None:
    undated = [q.id for q in bank.questions.values() if not re.search(r"20\d\d", q.code_set)]
    assert undated == []


def test_a_full_mock_exam_can_be_drawn_in_the_exam_proportions(bank: QuestionBank) -> None:
    from bot.practice.selection import apportion, pick_mock

    picked = pick_mock(bank, 100)
    per_section = Counter(bank.questions[q].section for q in picked)
    assert dict(per_section) == apportion({s.id: s.weight for s in bank.sections.values()}, 100)
