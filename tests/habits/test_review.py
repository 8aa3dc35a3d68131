from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.habits.review import LEARNING_STEPS, clamp_to_exam, review

NOON = datetime(2026, 12, 1, 12, tzinfo=UTC)


def test_a_miss_comes_back_within_hours_not_minutes() -> None:
    first = review(None, correct=False, now=NOON)
    assert first.due - NOON == LEARNING_STEPS[0]
    assert first.due - NOON >= timedelta(hours=1)


def test_right_answers_stretch_the_interval_and_a_miss_shrinks_it() -> None:
    card = review(None, correct=False, now=NOON)
    gaps = []
    for _ in range(4):
        now = card.due
        card = review(card.state, correct=True, now=now)
        gaps.append(card.due - now)
    assert gaps == sorted(gaps) and gaps[-1] >= timedelta(days=3)
    now = card.due
    missed = review(card.state, correct=False, now=now)
    assert missed.due - now < gaps[-1]


def test_the_same_answers_give_the_same_dates() -> None:
    a = review(review(None, False, NOON).state, True, NOON + timedelta(hours=5))
    b = review(review(None, False, NOON).state, True, NOON + timedelta(hours=5))
    assert a.due == b.due


def test_a_card_due_after_the_exam_is_seen_the_day_before() -> None:
    new_york = ZoneInfo("America/New_York")
    card = review(None, correct=False, now=NOON)
    for _ in range(4):
        card = review(card.state, correct=True, now=card.due)
    now = card.due
    unclamped = review(card.state, True, now)
    exam = (now + timedelta(days=3)).astimezone(new_york).date()
    clamped = review(card.state, True, now, exam_date=exam, zone=new_york)
    assert unclamped.due.astimezone(new_york).date() >= exam
    assert clamped.due.astimezone(new_york).date() == exam - timedelta(days=1)
    assert clamped.due >= now


def test_no_clamp_once_the_exam_has_passed_or_when_due_before_it() -> None:
    due = NOON + timedelta(days=10)
    assert clamp_to_exam(due, NOON, date(2026, 11, 20), UTC) == due
    assert clamp_to_exam(due, NOON, date(2027, 3, 1), UTC) == due


def test_on_the_eve_of_the_exam_a_card_is_due_now() -> None:
    now = datetime(2026, 12, 9, 15, tzinfo=UTC)
    assert clamp_to_exam(now + timedelta(days=9), now, date(2026, 12, 10), UTC) == now
