"""Spaced review of the questions a member missed, scheduled by FSRS (the `fsrs` package).

A wrong answer is rated Again, a right one Good. The learning steps are hours and days, not
FSRS's default minutes: members review in a chat, once or twice a day, not in a flash-card app.
A card's state is kept as the JSON dict `fsrs.Card.to_dict()` gives, so the store needs no
knowledge of FSRS's fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

import fsrs
from fsrs.card import CardDict

LEARNING_STEPS = (timedelta(hours=4), timedelta(days=1))
RELEARNING_STEPS = (timedelta(hours=12),)

# Fuzzing spreads due dates randomly; a member is better served by a "next review" date that
# the same answers always give (and tests can state).
_SCHEDULER = fsrs.Scheduler(
    learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS, enable_fuzzing=False
)

CardState = CardDict  # what fsrs.Card.to_dict() gives: plain JSON values


@dataclass(frozen=True)
class Reviewed:
    state: CardState
    due: datetime


def new_card_state(now: datetime) -> CardState:
    # card_id given: without one, fsrs derives it from the clock and sleeps a millisecond.
    return fsrs.Card(card_id=0, due=now).to_dict()


def review(
    state: CardState | None,
    correct: bool,
    now: datetime,
    *,
    exam_date: date | None = None,
    zone: tzinfo | None = None,
) -> Reviewed:
    """Schedule a card after an answer. `state` None means the member has no card for it yet."""
    card = fsrs.Card.from_dict(state) if state is not None else fsrs.Card(card_id=0, due=now)
    rating = fsrs.Rating.Good if correct else fsrs.Rating.Again
    card, _ = _SCHEDULER.review_card(card, rating, now)
    due = clamp_to_exam(card.due, now, exam_date, zone) if exam_date else card.due
    card.due = due
    return Reviewed(card.to_dict(), due)


def clamp_to_exam(due: datetime, now: datetime, exam_date: date, zone: tzinfo | None) -> datetime:
    """A card due after the exam is brought forward to the start of the day before it (in the
    member's zone), so every card is seen once more before the exam. After the exam, or when
    that day has passed, the card keeps its FSRS interval."""
    last_day = datetime.combine(exam_date - timedelta(days=1), time(0), zone or now.tzinfo)
    if now >= last_day + timedelta(days=1) or due <= last_day:
        return due
    return max(last_day, now)
