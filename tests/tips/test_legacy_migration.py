"""The old hand-written SQLite store of the daily tips is migrated, not lost: its settings,
history and rotations carry over, and the next tick goes on where it left off."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from tipkit import make_tips

from bot.scheduling import DailyScheduler
from bot.store import Database
from bot.tips import DailyTips
from bot.tips.rotation import next_tip

# The old store's schema (bot/tips/store.py before the move to bot.store, PRAGMA user_version 1).
OLD_SCHEMA = """
CREATE TABLE guild_config (
    guild_id INTEGER PRIMARY KEY, channel_id INTEGER NOT NULL,
    post_time TEXT NOT NULL CHECK (length(post_time) = 5), timezone TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)), paused_reason TEXT,
    skip_weekends INTEGER NOT NULL DEFAULT 0 CHECK (skip_weekends IN (0, 1)),
    next_due_utc TEXT, due_date TEXT, failures INTEGER NOT NULL DEFAULT 0, last_error TEXT,
    last_error_at TEXT, last_posted_date TEXT, last_posted_at TEXT, last_tip_id TEXT,
    last_message_id INTEGER, last_skipped_date TEXT, last_skip_reason TEXT,
    last_manual_at TEXT, last_manual_tip_id TEXT, revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL
);
CREATE INDEX guild_config_next_due ON guild_config (next_due_utc);
CREATE TABLE posts (
    guild_id INTEGER NOT NULL, local_date TEXT NOT NULL, tip_id TEXT,
    status TEXT NOT NULL
        CHECK (status IN ('claimed', 'sent', 'failed', 'skipped', 'unconfirmed')),
    attempts INTEGER NOT NULL DEFAULT 0, claimer TEXT, claimed_at TEXT, sent_at TEXT,
    message_id INTEGER, error TEXT, PRIMARY KEY (guild_id, local_date)
);
CREATE TABLE rotation (
    guild_id INTEGER PRIMARY KEY, cycle INTEGER NOT NULL, tip_order TEXT NOT NULL,
    position INTEGER NOT NULL, updated_at TEXT NOT NULL
);
PRAGMA user_version = 1;
"""
TIP_IDS = [f"tip-{i:02d}" for i in range(6)]


def old_store(path: Path) -> None:
    """A database as the old store left it: two servers, history, a rotation in progress."""
    rotation_state = None
    for _ in range(2):
        _, rotation_state = next_tip(rotation_state, TIP_IDS, 111)
    assert rotation_state is not None
    with sqlite3.connect(path) as db:
        db.executescript(OLD_SCHEMA)
        db.execute(
            "INSERT INTO guild_config (guild_id, channel_id, post_time, timezone, enabled,"
            " skip_weekends, next_due_utc, due_date, failures, last_error, revision, created_at,"
            " updated_at) VALUES (111, 11, '09:00', 'America/New_York', 1, 1,"
            " '2026-03-03T14:00:00Z', '2026-03-03', 0, NULL, 4, '2026-02-01T10:00:00Z',"
            " '2026-03-02T14:00:01Z')"
        )
        db.execute(
            "INSERT INTO guild_config (guild_id, channel_id, post_time, timezone, enabled,"
            " paused_reason, skip_weekends, failures, last_error, revision, created_at,"
            " updated_at) VALUES (222, 22, '17:30', 'Europe/London', 0, 'Paused by Bo.', 0, 3,"
            " 'missing_permissions: 403', 2, '2026-02-01T10:00:00Z', '2026-02-02T10:00:00Z')"
        )
        db.execute(
            "INSERT INTO posts VALUES (111, '2026-03-02', ?, 'sent', 1, 'old', "
            "'2026-03-02T14:00:00Z', '2026-03-02T14:00:01Z', 999, NULL)",
            (rotation_state.order[1],),
        )
        db.execute(
            "INSERT INTO posts VALUES (111, '2026-03-01', NULL, 'skipped', 0, NULL, NULL, NULL,"
            " NULL, 'Missed the tip for 2026-03-01')"
        )
        db.execute(
            "INSERT INTO rotation VALUES (111, 1, ?, 2, '2026-03-02T14:00:00Z')",
            ('["' + '", "'.join(rotation_state.order) + '"]',),
        )


async def test_the_old_sqlite_store_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "medcode.sqlite3"
    old_store(path)
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.start()
    clock_now = datetime(2026, 3, 3, 14, 0, 10, tzinfo=UTC)
    sent: list[str] = []

    async def poster(guild_id: int, channel_id: int, tip: object, nonce: str | None) -> int:
        sent.append(tip.id)  # type: ignore[attr-defined]
        return 1

    tips = make_tips(6)
    service = DailyTips(db, lambda: tips, poster, clock=lambda: clock_now)
    scheduler: DailyScheduler = service.scheduler
    first = await scheduler.status(111)
    assert first is not None
    assert (first.channel_id, first.post_time, first.timezone) == (11, "09:00", "America/New_York")
    assert first.skip_weekends and not first.paused
    assert first.last_post_date == date(2026, 3, 2) and first.last_skip_date == date(2026, 3, 1)
    assert first.next_post_utc == datetime(2026, 3, 3, 14, tzinfo=UTC)
    second = await scheduler.status(222)
    assert second is not None and second.paused_reason == "Paused by Bo."
    assert second.failures == 3 and second.last_error == "missing_permissions: 403"

    report = await scheduler.tick()  # the day after the migration: posts, once
    assert report.posted == [111]
    state = None
    expected = []
    for _ in range(3):
        tip_id, state = next_tip(state, TIP_IDS, 111)
        expected.append(tip_id)
    assert sent == expected[2:]  # the rotation went on where the old store left it
    with sqlite3.connect(path) as old:
        tables = {r[0] for r in old.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert not tables & {"guild_config", "posts", "rotation"}
    await db.close()
