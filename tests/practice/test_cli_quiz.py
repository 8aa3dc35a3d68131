"""`medcode-bot quiz` with stdin piped, as a script or a class would drive it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bankkit import ROOT, sample_bank_dir


def quiz(tmp_path: Path, *args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    env["MEDCODE_QUESTIONS_DIR"] = str(sample_bank_dir(tmp_path / "questions"))
    return subprocess.run(
        [sys.executable, "-m", "bot", "quiz", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=60,
    )


def test_a_whole_quiz_on_one_section(tmp_path: Path) -> None:
    # the three ICD-10-CM questions, in the order seed 1 draws them
    first = quiz(tmp_path, "--section", "icd10cm", "--count", "3", "--seed", "1", stdin="")
    order = [line for line in first.stdout.splitlines() if line.startswith("Question ")]
    assert order == ["Question 1/3 · ICD-10-CM"]  # EOF at once: stopped before answering
    result = quiz(
        tmp_path, "--section", "icd10cm", "--count", "3", "--seed", "1", stdin="A\nB\nC\n"
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Question ") == 3
    assert "A) " in out and "D) " in out
    assert "Why: " in out and "Source: ICD-10-CM Official Guidelines" in out
    lines = out.rstrip().splitlines()
    score_line = next(i for i, line in enumerate(lines) if line.startswith("Score: "))
    assert lines[score_line:] == [
        lines[score_line],
        lines[score_line + 1],
    ]
    assert lines[score_line + 1].startswith("  ICD-10-CM: ")
    right = out.count("\nRight: ")
    assert lines[score_line].startswith(f"Score: {right}/3 ")


def test_feedback_says_right_or_wrong_and_gives_the_right_answer(tmp_path: Path) -> None:
    result = quiz(tmp_path, "--section", "modifiers", stdin="A\n")
    assert "Wrong: you answered A. The right answer is D) 25" in result.stdout
    assert "Why: Modifier 25 marks a significant, separately identifiable E/M" in result.stdout
    assert result.stdout.rstrip().endswith(
        "Score: 0/1 (0 %)\n  Modifiers: 0/1 (0 %, below the 70 % pass line)"
    )
    result = quiz(tmp_path, "--section", "modifiers", stdin="d\n")
    assert "Right: D) 25" in result.stdout
    assert "Score: 1/1 (100 %)" in result.stdout


def test_a_letter_that_is_not_a_to_d_is_asked_again(tmp_path: Path) -> None:
    result = quiz(tmp_path, "--section", "hcpcs", stdin="E\n\nright\nB\n")
    assert "'E' is not an answer: type one letter, A, B, C or D." in result.stdout
    assert "An empty line is not an answer" in result.stdout
    assert "'right' is not an answer" in result.stdout
    assert "Right: B) RT" in result.stdout  # the B after the three retries counted
    assert "Score: 1/1" in result.stdout


def test_end_of_input_stops_with_the_score_so_far(tmp_path: Path) -> None:
    result = quiz(tmp_path, "--count", "5", "--seed", "3", stdin="A\nB\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "Stopped after 2 of 5 questions." in result.stdout
    assert "\nScore: " in result.stdout and "/2 (" in result.stdout


def test_the_same_seed_asks_the_same_questions(tmp_path: Path) -> None:
    one = quiz(tmp_path, "--count", "4", "--seed", "9", stdin="A\n" * 4).stdout
    two = quiz(tmp_path, "--count", "4", "--seed", "9", stdin="A\n" * 4).stdout
    assert one == two


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--section", "surgery"), "Unknown section 'surgery'. Sections: em, anesthesia"),
        (("--count", "0"), "'0' is not a number from 1 to 500"),
        (("--section", "anesthesia"), "no questions in the section Anesthesia yet"),
    ],
)
def test_bad_options_get_a_clear_message(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = quiz(tmp_path, *args, stdin="")
    assert result.returncode in (1, 2)
    assert message in result.stderr and "Traceback" not in result.stderr


def test_validate_reports_bank_problems_with_file_question_and_field(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("questions"))
    questions = sample_bank_dir(knowledge / "questions")
    sample = questions / "sample.yaml"
    sample.write_text(sample.read_text().replace("section: hcpcs", "section: hcpcs-2"))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "validate", str(knowledge)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        "questions/sample.yaml: entry 'hcpcs-rt-modifier', field 'section': "
        "unknown section 'hcpcs-2'" in result.stderr
    )
