"""Leaderboards from the question of the day: ranked with ties sharing a place."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Period = Literal["week", "month", "all"]
PERIOD_DAYS: dict[Period, int | None] = {"week": 7, "month": 30, "all": None}


@dataclass(frozen=True)
class Standing:
    place: int
    member_id: int
    correct: int
    answered: int


def period_start(period: Period, now: datetime) -> datetime | None:
    days = PERIOD_DAYS[period]
    return None if days is None else now - timedelta(days=days)


def rank(scores: Iterable[tuple[int, int, int]], limit: int = 10) -> list[Standing]:
    """`scores` are (member id, correct, answered). More right answers rank higher, then fewer
    attempts (accuracy); members level on both share a place ("1, 2, 2, 4"), listed by id so
    the order is stable."""
    ordered = sorted(scores, key=lambda s: (-s[1], s[2], s[0]))
    standings: list[Standing] = []
    for index, (member, correct, answered) in enumerate(ordered):
        previous = standings[-1] if standings else None
        tied = previous and (previous.correct, previous.answered) == (correct, answered)
        place = previous.place if previous and tied else index + 1
        if place > limit:
            break
        standings.append(Standing(place, member, correct, answered))
    return standings
