"""Streaks: consecutive local days on which a member practised.

A day counts in the member's own time zone at the moment they answered, so a spring-forward
or fall-back day is one day like any other, and a member who changes zone keeps the days
already counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from itertools import pairwise


def local_day(instant: datetime, zone: tzinfo) -> date:
    return instant.astimezone(zone).date()


@dataclass(frozen=True)
class Streak:
    current: int  # ends today, or yesterday while today is still open
    longest: int
    last_day: date | None


def streak(days: Iterable[date], today: date) -> Streak:
    ordered = sorted(set(days))
    if not ordered:
        return Streak(0, 0, None)
    longest = run = 1
    for before, after in pairwise(ordered):
        run = run + 1 if after - before == timedelta(days=1) else 1
        longest = max(longest, run)
    current = run if today - ordered[-1] <= timedelta(days=1) else 0
    return Streak(current, longest, ordered[-1])
