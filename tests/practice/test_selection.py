"""Which questions a quiz and a mock exam ask."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from bankkit import generated_bank_dir, sample_bank_dir

from bot.practice import QuestionBank, load_bank
from bot.practice.selection import NotEnoughQuestions, apportion, pick_mock, pick_quiz


@pytest.fixture
def sample(tmp_path: Path) -> QuestionBank:
    return load_bank(sample_bank_dir(tmp_path / "questions"))


@pytest.fixture
def big(tmp_path: Path) -> QuestionBank:
    return load_bank(generated_bank_dir(tmp_path / "big", 12))


def test_a_quiz_on_one_section_asks_only_that_section(sample: QuestionBank) -> None:
    picked = pick_quiz(sample, 10, section="icd10cm", rng=random.Random(1))
    assert sorted(picked) == sorted(sample.by_section["icd10cm"])


def test_a_quiz_is_the_same_for_the_same_seed_and_has_no_repeats(big: QuestionBank) -> None:
    first = pick_quiz(big, 20, rng=random.Random(7))
    assert first == pick_quiz(big, 20, rng=random.Random(7))
    assert first != pick_quiz(big, 20, rng=random.Random(8))
    assert len(set(first)) == 20


def test_a_quiz_prefers_questions_not_seen_lately(big: QuestionBank) -> None:
    seen = set(big.by_section["modifiers"][:10])
    picked = pick_quiz(big, 2, section="modifiers", rng=random.Random(3), avoid=seen)
    assert not seen & set(picked)
    # only 12 in the section: the seen ones come back once the fresh ones run out
    assert len(pick_quiz(big, 12, section="modifiers", avoid=seen)) == 12


def test_an_empty_or_unknown_section_is_refused_clearly(sample: QuestionBank) -> None:
    with pytest.raises(NotEnoughQuestions, match="no questions in the section Anesthesia"):
        pick_quiz(sample, 5, section="anesthesia")
    with pytest.raises(NotEnoughQuestions, match="no section 'surgery'"):
        pick_quiz(sample, 5, section="surgery")


def test_apportion_gives_100_seats_by_the_exam_weights(big: QuestionBank) -> None:
    weights = {s.id: s.weight for s in big.sections.values()}
    assert apportion(weights, 100) == weights


@pytest.mark.parametrize("total", [25, 50, 75, 100, 13])
def test_apportion_always_fills_every_seat_by_largest_remainder(total: int) -> None:
    weights = {"a": 8, "b": 5, "c": 4, "d": 3}
    seats = apportion(weights, total)
    assert sum(seats.values()) == total
    for key, weight in weights.items():  # within one seat of the exact quota
        assert abs(seats[key] - total * weight / 20) < 1


def test_apportion_hands_out_remainders_largest_first() -> None:
    # quotas 2.5, 1.5625, 0.9375: floors 2, 1, 0; the 2 spare seats go to .9375 and .5625
    assert apportion({"a": 8, "b": 5, "c": 3}, 5) == {"a": 2, "b": 2, "c": 1}


@pytest.mark.parametrize("length", [25, 50, 100])
def test_a_mock_exam_keeps_the_exam_proportions(big: QuestionBank, length: int) -> None:
    picked = pick_mock(big, length, rng=random.Random(length))
    assert len(picked) == len(set(picked)) == length
    per_section = Counter(big.questions[q].section for q in picked)
    weights = {s.id: s.weight for s in big.sections.values()}
    assert dict(per_section) == {k: v for k, v in apportion(weights, length).items() if v}
    # grouped by section in the exam's order, as the real exam is
    order = [big.questions[q].section for q in picked]
    assert order == sorted(order, key=list(big.sections).index)


def test_a_mock_exam_fills_a_thin_section_from_the_others(tmp_path: Path) -> None:
    bank = load_bank(generated_bank_dir(tmp_path / "thin", {"em": 2, "icd10cm": 30, "hcpcs": 30}))
    picked = pick_mock(bank, 25, rng=random.Random(1))
    per_section = Counter(bank.questions[q].section for q in picked)
    assert len(picked) == 25 and per_section["em"] == 2
    assert per_section["icd10cm"] > per_section["hcpcs"]  # the spare seats follow the weights


def test_a_mock_exam_avoids_questions_seen_lately(big: QuestionBank) -> None:
    first = pick_mock(big, 100, rng=random.Random(1))
    second = pick_mock(big, 100, rng=random.Random(2), avoid=set(first))
    # 12 a section: the 8 of E/M cannot all be fresh twice, but most questions are
    assert len(set(first) & set(second)) < 40


def test_a_mock_exam_longer_than_the_bank_asks_the_whole_bank(sample: QuestionBank) -> None:
    assert sorted(pick_mock(sample, 25)) == sorted(sample.questions)
