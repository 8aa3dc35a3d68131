"""Fixtures for the daily-post tests, on each backend (the `database` fixture)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from tipkit import FakeClock, FakePoster, make_tips

from bot.knowledge.models import Tip
from bot.scheduling import DailyScheduler
from bot.store import Database
from bot.tips import DailyTips


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def poster(clock: FakeClock) -> FakePoster:
    return FakePoster(clock)


@pytest.fixture
def tips() -> list[Tip]:
    return make_tips(10)


@pytest.fixture
def make_tips_service(
    database: Database, poster: FakePoster, tips: list[Tip], clock: FakeClock
) -> Callable[..., DailyTips]:
    def build(**overrides: object) -> DailyTips:
        options: dict[str, object] = {
            "db": database, "tips": lambda: tips, "poster": poster, "clock": clock,
            "catchup": timedelta(hours=6), "claimer": "test-1",
        }  # fmt: skip
        options.update(overrides)
        return DailyTips(**options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def service(make_tips_service: Callable[..., DailyTips]) -> DailyTips:
    return make_tips_service()


@pytest.fixture
def scheduler(service: DailyTips) -> DailyScheduler:
    return service.scheduler
