"""Scores, and what each press does to a quiz run or a mock exam."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bankkit import sample_bank_dir

from bot.practice import QuestionBank, load_bank
from bot.practice import runs as r
from bot.practice.scoring import score

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
IDS = ["icd-sepsis-uti-sequencing", "icd-nec-meaning", "mod-25-same-day-em", "hcpcs-rt-modifier"]
# the right answers: B, A, D, B


@pytest.fixture
def bank(tmp_path: Path) -> QuestionBank:
    return load_bank(sample_bank_dir(tmp_path / "questions"))


def test_score_in_all_and_by_section_against_the_pass_line(bank: QuestionBank) -> None:
    result = score(bank, IDS, ["B", "C", "D", None])
    assert (result.correct, result.total, result.answered) == (2, 4, 3)
    assert result.percent == 50.0 and not result.passed
    assert result.missed == (1, 3)
    by_section = {s.section: (s.correct, s.total, s.passed) for s in result.sections}
    assert by_section == {
        "modifiers": (1, 1, True),
        "icd10cm": (1, 2, False),
        "hcpcs": (0, 1, False),
    }
    assert [s.section for s in result.sections] == ["modifiers", "icd10cm", "hcpcs"]  # exam order


def test_seventy_percent_passes(bank: QuestionBank) -> None:
    ids = [*IDS, "icd-placeholder-x", "em-office-level-basis", *IDS[:4]]
    answers = ["B", "A", "D", "B", "C", "B", "B", "C", "C", "C"]  # 7 right of 10
    assert score(bank, ids, answers).percent == 70.0 and score(bank, ids, answers).passed
    assert not score(bank, ids, [*answers[:-4], "C", "C", "C", "C"]).passed  # 6 of 10


def test_a_question_removed_from_the_bank_is_left_out_of_the_score(bank: QuestionBank) -> None:
    result = score(bank, [*IDS[:2], "gone-question"], ["B", "A", "C"])
    assert (result.correct, result.total) == (2, 2)


def test_a_quiz_takes_one_answer_a_question_with_feedback(bank: QuestionBank) -> None:
    run = r.new_quiz(42, IDS[:2], NOW)
    run, feedback = r.answer_quiz(run, 0, "C", bank, NOW)
    assert feedback is not None and not feedback.correct
    assert feedback.question.answer == "B"
    with pytest.raises(r.RunError, match="already been answered"):
        r.answer_quiz(run, 0, "B", bank, NOW)
    run = r.next_quiz_question(run, 0, NOW)
    with pytest.raises(r.RunError, match="not the one waiting"):
        r.next_quiz_question(run, 1, NOW)  # not answered yet
    run, feedback = r.answer_quiz(run, 1, "A", bank, NOW)
    assert feedback is not None and feedback.correct
    run = r.next_quiz_question(run, 1, NOW)
    assert run.status == "finished" and run.finished_at == NOW
    assert run.score(bank).correct == 1
    with pytest.raises(r.RunError, match="already over"):
        r.answer_quiz(run, 1, "A", bank, NOW)


def test_only_letters_a_to_d(bank: QuestionBank) -> None:
    with pytest.raises(r.RunError, match="not one of A, B, C or D"):
        r.answer_quiz(r.new_quiz(1, IDS, NOW), 0, "E", bank, NOW)


def test_mock_exam_time_is_2_4_minutes_a_question() -> None:
    assert r.mock_duration(100) == timedelta(hours=4)
    assert r.mock_duration(50) == timedelta(hours=2)
    assert r.mock_duration(25) == timedelta(hours=1)
    assert r.new_mock(1, IDS, NOW).deadline == NOW + timedelta(minutes=9.6)


def test_a_mock_exam_changes_flags_moves_and_submits(bank: QuestionBank) -> None:
    run = r.new_mock(7, IDS, NOW)
    run = r.choose(run, 0, "A", NOW)
    run = r.choose(run, 0, "B", NOW)  # changed
    run = r.choose(run, 2, "D", NOW)
    run = r.choose(run, 3, "C", NOW)
    run = r.choose(run, 3, "C", NOW)  # pressed again: cleared
    assert run.answers == ("B", None, "D", None) and run.position == 3
    run = r.toggle_flag(run, 1, NOW)
    run = r.toggle_flag(run, 3, NOW)
    run = r.toggle_flag(run, 3, NOW)
    assert run.flags == {1}
    run = r.go_to(run, 2, NOW)
    assert r.next_flagged(run, NOW).position == 1  # wraps round
    with pytest.raises(r.RunError, match="no question 5"):
        r.go_to(run, 4, NOW)
    later = NOW + timedelta(minutes=5)
    run = r.submit(run, later)
    assert run.status == "finished" and run.time_used() == timedelta(minutes=5)
    assert run.score(bank).correct == 2 and run.unanswered == 2


def test_time_up_scores_the_mock_as_it_stands(bank: QuestionBank) -> None:
    run = r.choose(r.new_mock(7, IDS, NOW), 0, "B", NOW)
    assert run.deadline is not None
    assert r.expire_if_due(run, run.deadline - timedelta(seconds=1)).active
    late = run.deadline + timedelta(minutes=30)
    with pytest.raises(r.RunError, match="time is up"):
        r.choose(run, 1, "A", late)
    expired = r.expire_if_due(run, late)
    assert expired.status == "expired"
    assert expired.finished_at == run.deadline  # time used is the whole time, not the delay
    assert expired.score(bank).correct == 1


def test_no_flagged_question_to_jump_to() -> None:
    with pytest.raises(r.RunError, match="No question is flagged"):
        r.next_flagged(r.new_mock(1, IDS, NOW), NOW)


def test_history_rows_only_for_answered_questions(bank: QuestionBank) -> None:
    run = replace(r.new_mock(5, IDS, NOW), answers=("B", None, "A", "B"), id=9)
    rows = r.answer_records(run, bank, NOW)
    assert [(x.question_id, x.section, x.correct, x.source) for x in rows] == [
        ("icd-sepsis-uti-sequencing", "icd10cm", True, "mock"),
        ("mod-25-same-day-em", "modifiers", False, "mock"),
        ("hcpcs-rt-modifier", "hcpcs", True, "mock"),
    ]
    assert {x.run_id for x in rows} == {9}
