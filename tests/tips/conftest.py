"""Fixtures for the daily-tip tests (helpers live in tipkit.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from tipkit import FakeClock, FakePoster, make_tips

from bot.knowledge.models import Tip
from bot.tips import SqliteTipStore, TipScheduler


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
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "tips.sqlite3"


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[SqliteTipStore]:
    async with SqliteTipStore(db_path) as opened:
        yield opened


@pytest.fixture
def make_scheduler(
    store: SqliteTipStore, poster: FakePoster, tips: list[Tip], clock: FakeClock
) -> Callable[..., TipScheduler]:
    def build(**overrides: object) -> TipScheduler:
        options: dict[str, object] = {
            "store": store,
            "poster": poster,
            "tips_provider": lambda: tips,
            "clock": clock,
            "catchup": timedelta(hours=6),
            "claimer": "test-1",
        }
        options.update(overrides)
        return TipScheduler(**options)  # type: ignore[arg-type]

    return build


@pytest.fixture
def scheduler(make_scheduler: Callable[..., TipScheduler]) -> TipScheduler:
    return make_scheduler()
