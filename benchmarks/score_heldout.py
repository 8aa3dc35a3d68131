"""Score the answer engine against the held-out question set.

Runs ``medcode-bot ask --jsonl`` once with every question of
``benchmarks/heldout/questions.jsonl`` on stdin, checks each answer against its expectation,
and prints per-class scores, the overall score and every failure. It reports and never fails
the build: the exit code is 0 unless the engine could not be run or its output not read (2).

    .venv/bin/python benchmarks/score_heldout.py [--questions FILE] [--class NAME]

See benchmarks/heldout/README.md for the expectation keys and the rule that nobody tunes the
engine against this set.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = Path(__file__).resolve().parent / "heldout" / "questions.jsonl"

# An answer "names the gap" when its text contains one of these (case-insensitive, curly
# apostrophes folded to straight ones). Listed in benchmarks/heldout/README.md too.
GAP_PHRASES: tuple[str, ...] = (
    "no figure",
    "no figures",
    "doesn't cover",
    "does not cover",
    "doesn't give",
    "does not give",
    "doesn't list",
    "does not list",
    "doesn't rank",
    "does not rank",
    "doesn't include",
    "does not include",
    "doesn't have",
    "does not have",
    "don't have",
    "do not have",
    "has no",
    "not in the guide",
    "isn't in the guide",
    "not covered",
    "no data",
    "no information",
)

ANSWER_PREVIEW = 200


@dataclass(frozen=True)
class Question:
    line: int
    text: str
    cls: str
    expect: dict[str, Any]


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, plain spaces: what the checks compare against."""
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u00a0", " ")
        .replace("\u202f", " ")
        .lower()
    )


def _figure_pattern(expected: str) -> re.Pattern[str]:
    # A figure must stand on its own: "8%" must not match inside "28%", "$55,000" not inside
    # the range "$55,000–$72,000", "$72,000+" not as the top of "$58,000–$72,000+".
    body = re.escape(expected)
    before = r"(?<![\d,.\u2013])"
    after = r"(?!,?\d)(?!\s*[\u2013-]\s*\$?\d)" if expected[-1].isdigit() else ""
    return re.compile(before + body + after)


def appears(expected: str, text: str) -> bool:
    """Whether ``expected`` appears in ``text`` (both already normalised)."""
    if expected[:1] == "$" or expected[:1].isdigit():
        return _figure_pattern(expected).search(text) is not None
    return expected in text


def _groups(value: Any) -> list[list[str]]:
    """contains_any is one list (one group) or a list of lists (every group must be met)."""
    if value and all(isinstance(item, list) for item in value):
        return [list(group) for group in value]
    return [list(value)]


def check(question: Question, answer: dict[str, Any]) -> list[str]:
    """Return what the answer misses; empty when it meets every expectation."""
    expect = question.expect
    text = normalise(str(answer.get("text") or ""))
    problems: list[str] = []
    if "answered" in expect and bool(answer.get("answered")) != expect["answered"]:
        problems.append(f"answered should be {expect['answered']}, was {answer.get('answered')}")
    for wanted in expect.get("contains_all", []):
        if not appears(normalise(wanted), text):
            problems.append(f"missing {wanted!r}")
    if "contains_any" in expect:
        for group in _groups(expect["contains_any"]):
            if not any(appears(normalise(wanted), text) for wanted in group):
                problems.append(f"none of {group!r}")
    for unwanted in expect.get("absent", []):
        if normalise(unwanted) in text:
            problems.append(f"should not contain {unwanted!r}")
    if expect.get("gap") and not any(phrase in text for phrase in GAP_PHRASES):
        problems.append("does not name the gap (no gap phrase)")
    return problems


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        row = json.loads(raw)
        questions.append(Question(number, row["q"], row["class"], row["expect"]))
    return questions


def engine_command() -> list[str]:
    """The medcode-bot entry point of the worktree's venv, else of this interpreter, else -m."""
    candidates = [
        ROOT / ".venv" / "bin" / "medcode-bot",
        Path(sys.executable).parent / "medcode-bot",
    ]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    found = shutil.which("medcode-bot")
    if found:
        return [found]
    return [sys.executable, "-m", "bot.cli"]


def run_engine(questions: list[Question]) -> list[dict[str, Any]]:
    command = [*engine_command(), "ask", "--jsonl"]
    stdin = "".join(question.text + "\n" for question in questions)
    # The exit code says whether the last question was answered; the JSON lines say the rest.
    result = subprocess.run(
        command, input=stdin, capture_output=True, text=True, cwd=ROOT, check=False
    )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if len(lines) != len(questions):
        raise RuntimeError(
            f"{' '.join(command)} gave {len(lines)} JSON lines for {len(questions)} questions "
            f"(exit {result.returncode}); stderr: {result.stderr.strip()[:500]}"
        )
    return [json.loads(line) for line in lines]


def percent(passed: int, total: int) -> str:
    return f"{100 * passed / total:.1f}%" if total else "n/a"


def report(questions: list[Question], answers: list[dict[str, Any]]) -> None:
    by_class: dict[str, list[bool]] = defaultdict(list)
    failures: list[tuple[Question, list[str], dict[str, Any]]] = []
    for question, answer in zip(questions, answers, strict=True):
        problems = check(question, answer)
        by_class[question.cls].append(not problems)
        if problems:
            failures.append((question, problems, answer))

    width = max(len(name) for name in by_class)
    print(f"{'class':<{width}}  passed  score")
    for name, results in by_class.items():
        passed = sum(results)
        print(f"{name:<{width}}  {passed:>2}/{len(results):<3}  {percent(passed, len(results))}")
    total_passed = sum(sum(results) for results in by_class.values())
    print(f"\noverall: {total_passed}/{len(questions)} ({percent(total_passed, len(questions))})")

    if failures:
        print(f"\nfailures ({len(failures)}):")
    for question, problems, answer in failures:
        preview = " ".join(str(answer.get("text") or "").split())[:ANSWER_PREVIEW]
        print(f"\n[{question.cls}] line {question.line}: {question.text}")
        print(f"  expected: {json.dumps(question.expect, ensure_ascii=False)}")
        print(f"  problems: {'; '.join(problems)}")
        print(f"  answered={answer.get('answered')} topic={answer.get('topic')}")
        print(f"  answer:   {preview}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--class", dest="cls", help="score only this class")
    args = parser.parse_args()
    questions = load_questions(args.questions)
    if args.cls:
        questions = [question for question in questions if question.cls == args.cls]
    if not questions:
        print("no questions to score", file=sys.stderr)
        return 2
    try:
        answers = run_engine(questions)
    except (OSError, RuntimeError, json.JSONDecodeError) as error:
        print(f"could not run the engine: {error}", file=sys.stderr)
        return 2
    report(questions, answers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
