"""A quiz run and a mock exam as plain state: what a press does, with the clock passed in.

The Discord cog and the CLI both drive these; the store saves them as they are. A quiz takes
one answer a question, in order, and shows the feedback before the next. A mock exam lets the
member move freely, change answers and flag questions until they submit or the time is up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from bot.practice.bank import QuestionBank
from bot.practice.models import LETTERS, Question
from bot.practice.scoring import Score, score

Kind = Literal["quiz", "mock"]
# Where an answer in the history came from: a run, a review card, the question of the day.
Source = Literal["quiz", "mock", "review", "qotd"]
# active: being answered; finished: a quiz done or a mock submitted; expired: a mock whose
# time ran out (scored as it stood); dropped: the member started another instead.
Status = Literal["active", "finished", "expired", "dropped"]

MINUTES_PER_QUESTION = 2.4  # the CPC: 100 questions in 4 hours
QUIZ_LIFETIME = timedelta(days=7)  # an untouched quiz after this is expired, not resumed


class RunError(ValueError):
    """A press that does not apply to the run as it is now (its message says why)."""


def mock_duration(length: int) -> timedelta:
    return timedelta(minutes=MINUTES_PER_QUESTION * length)


@dataclass(frozen=True)
class Run:
    member_id: int
    kind: Kind
    question_ids: tuple[str, ...]
    answers: tuple[str | None, ...]
    started_at: datetime
    deadline: datetime | None = None
    flags: frozenset[int] = frozenset()
    position: int = 0
    status: Status = "active"
    finished_at: datetime | None = None
    section: str | None = None  # a quiz on one section
    guild_id: int | None = None
    channel_id: int | None = None
    id: int | None = None
    revision: int = 0  # bumped by every saved change: the store's compare-and-set

    @property
    def length(self) -> int:
        return len(self.question_ids)

    @property
    def active(self) -> bool:
        return self.status == "active"

    def question(self, bank: QuestionBank, index: int | None = None) -> Question | None:
        """The question at `index` (default: the current one); None if a reload removed it."""
        qid = self.question_ids[self.position if index is None else index]
        return bank.questions.get(qid)

    def time_left(self, now: datetime) -> timedelta | None:
        return None if self.deadline is None else max(self.deadline - now, timedelta(0))

    def time_used(self) -> timedelta:
        end = self.finished_at or self.deadline or self.started_at
        return end - self.started_at

    def score(self, bank: QuestionBank) -> Score:
        return score(bank, self.question_ids, self.answers)

    @property
    def unanswered(self) -> int:
        return sum(a is None for a in self.answers)


def new_quiz(
    member_id: int,
    question_ids: list[str],
    now: datetime,
    section: str | None = None,
    **where: int | None,
) -> Run:
    return Run(
        member_id=member_id,
        kind="quiz",
        question_ids=tuple(question_ids),
        answers=(None,) * len(question_ids),
        started_at=now,
        deadline=now + QUIZ_LIFETIME,
        section=section,
        **where,  # type: ignore[arg-type]
    )


def new_mock(member_id: int, question_ids: list[str], now: datetime, **where: int | None) -> Run:
    return Run(
        member_id=member_id,
        kind="mock",
        question_ids=tuple(question_ids),
        answers=(None,) * len(question_ids),
        started_at=now,
        deadline=now + mock_duration(len(question_ids)),
        **where,  # type: ignore[arg-type]
    )


def _check_letter(letter: str) -> str:
    if letter not in LETTERS:
        raise RunError(f"{letter!r} is not one of A, B, C or D.")
    return letter


def _check_index(run: Run, index: int) -> None:
    if not 0 <= index < run.length:
        raise RunError(f"There is no question {index + 1} in this run.")


def expire_if_due(run: Run, now: datetime) -> Run:
    """A run past its deadline is closed at the deadline: a mock scored as it stands."""
    if run.active and run.deadline is not None and now >= run.deadline:
        return replace(run, status="expired", finished_at=run.deadline)
    return run


def _require_active(run: Run, now: datetime) -> None:
    if run.status == "expired" or (run.deadline is not None and now >= run.deadline):
        raise RunError("This run's time is up.")
    if not run.active:
        raise RunError("This run is already over.")


# -- quiz ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Feedback:
    question: Question
    given: str
    correct: bool


def answer_quiz(
    run: Run, index: int, letter: str, bank: QuestionBank, now: datetime
) -> tuple[Run, Feedback | None]:
    """Answer the current question once. Returns the run and the feedback to show (None when
    the question left the bank: it is skipped)."""
    _require_active(run, now)
    _check_letter(letter)
    if index != run.position or run.answers[index] is not None:
        raise RunError("That question has already been answered.")
    answers = list(run.answers)
    answers[index] = letter
    run = replace(run, answers=tuple(answers))
    question = run.question(bank, index)
    if question is None:
        return run, None
    return run, Feedback(question, letter, letter == question.answer)


def next_quiz_question(run: Run, index: int, now: datetime) -> Run:
    """Move on from the answered question `index`; past the last one the quiz is finished."""
    _require_active(run, now)
    if index != run.position or run.answers[index] is None:
        raise RunError("That question is not the one waiting for you.")
    if index + 1 >= run.length:
        return replace(run, status="finished", finished_at=now)
    return replace(run, position=index + 1)


# -- mock exam ----------------------------------------------------------------------------------
def choose(run: Run, index: int, letter: str, now: datetime) -> Run:
    """Set or change the answer to question `index` (a second press of the same letter clears
    it, as on paper)."""
    _require_active(run, now)
    _check_index(run, index)
    _check_letter(letter)
    answers = list(run.answers)
    answers[index] = None if answers[index] == letter else letter
    return replace(run, answers=tuple(answers), position=index)


def toggle_flag(run: Run, index: int, now: datetime) -> Run:
    _require_active(run, now)
    _check_index(run, index)
    return replace(run, flags=run.flags ^ {index}, position=index)


def go_to(run: Run, index: int, now: datetime) -> Run:
    _require_active(run, now)
    _check_index(run, index)
    return replace(run, position=index)


def next_flagged(run: Run, now: datetime) -> Run:
    """The next flagged question after the current one, wrapping round."""
    _require_active(run, now)
    if not run.flags:
        raise RunError("No question is flagged for review.")
    after = sorted(i for i in run.flags if i > run.position) or sorted(run.flags)
    return replace(run, position=after[0])


def submit(run: Run, now: datetime) -> Run:
    _require_active(run, now)
    return replace(run, status="finished", finished_at=now)


def drop(run: Run, now: datetime) -> Run:
    if not run.active:
        raise RunError("This run is already over.")
    return replace(run, status="dropped", finished_at=now)


@dataclass(frozen=True)
class AnswerRecord:
    """One answered question, as the member's history keeps it."""

    member_id: int
    question_id: str
    section: str
    correct: bool
    answered_at: datetime
    source: Source
    run_id: int | None = None


def answer_records(
    run: Run, bank: QuestionBank, now: datetime, indexes: list[int] | None = None
) -> list[AnswerRecord]:
    """History rows for the answered questions at `indexes` (default: all of them)."""
    records = []
    for index in range(run.length) if indexes is None else indexes:
        given, question = run.answers[index], run.question(bank, index)
        if given is None or question is None:
            continue
        records.append(
            AnswerRecord(
                run.member_id,
                question.id,
                question.section,
                given == question.answer,
                now,
                run.kind,
                run.id,
            )
        )
    return records


__all__ = [
    "AnswerRecord",
    "Feedback",
    "Kind",
    "Run",
    "RunError",
    "Status",
    "answer_quiz",
    "answer_records",
    "choose",
    "drop",
    "expire_if_due",
    "go_to",
    "mock_duration",
    "new_mock",
    "new_quiz",
    "next_flagged",
    "next_quiz_question",
    "submit",
    "toggle_flag",
]
