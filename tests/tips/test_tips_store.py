"""SqliteTipStore: schema, pragmas, indexed due query, atomic claims, compare-and-set."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.tips.rotation import RotationState, next_tip
from bot.tips.schedule import Due, TipConfigError
from bot.tips.store import SCHEMA_VERSION, SqliteTipStore, TipStore

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
DAY = date(2026, 3, 2)
IDS = ["a-tip", "b-tip", "c-tip"]


def picker(ids=IDS, guild=1):
    def pick(state: RotationState | None, previous: str | None):
        if previous is not None:
            return previous, None
        return next_tip(state, ids, guild)

    return pick


async def configure(store: SqliteTipStore, guild_id: int, due_at: datetime = NOW) -> None:
    await store.upsert_config(
        guild_id,
        channel_id=guild_id * 10,
        post_time="09:00",
        timezone="America/New_York",
        skip_weekends=False,
        due=Due(DAY, due_at),
        now=NOW,
    )


def test_sqlite_store_implements_the_protocol(tmp_path: Path) -> None:
    assert isinstance(SqliteTipStore(tmp_path / "x.sqlite3"), TipStore)


async def test_open_creates_the_directory_and_sets_pragmas(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "data" / "tips.sqlite3"
    async with SqliteTipStore(path, busy_timeout_ms=1234) as store:
        assert path.exists()
        db = store._conn()
        async with db.execute("PRAGMA journal_mode") as cursor:
            assert (await cursor.fetchone())[0] == "wal"
        async with db.execute("PRAGMA busy_timeout") as cursor:
            assert (await cursor.fetchone())[0] == 1234
        async with db.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone())[0] == SCHEMA_VERSION


async def test_migrations_are_idempotent_and_refuse_a_newer_schema(db_path: Path) -> None:
    async with SqliteTipStore(db_path) as store:
        await configure(store, 1)
    async with SqliteTipStore(db_path) as store:  # reopening keeps the data
        assert (await store.get_config(1)) is not None
    with sqlite3.connect(db_path) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="newer"):
        await SqliteTipStore(db_path).open()


async def test_due_query_uses_the_index(store: SqliteTipStore) -> None:
    db = store._conn()
    async with db.execute(
        "EXPLAIN QUERY PLAN SELECT guild_id FROM guild_config "
        "WHERE next_due_utc <= ? AND enabled = 1 ORDER BY next_due_utc LIMIT 10",
        ("2026-03-02T12:00:00Z",),
    ) as cursor:
        plan = " ".join(str(row[-1]) for row in await cursor.fetchall())
    assert "USING INDEX guild_config_next_due" in plan
    assert "TEMP B-TREE" not in plan


async def test_due_guilds_returns_only_due_enabled_guilds_in_order(
    store: SqliteTipStore,
) -> None:
    await configure(store, 1, NOW - timedelta(minutes=5))
    await configure(store, 2, NOW)
    await configure(store, 3, NOW + timedelta(seconds=1))
    await configure(store, 4, NOW - timedelta(minutes=10))
    await store.set_paused(4, "Paused by an admin.", due=None, now=NOW)
    due = await store.due_guilds(NOW, limit=10)
    assert [c.guild_id for c in due] == [1, 2]
    assert [c.guild_id for c in await store.due_guilds(NOW, limit=1)] == [1]


async def test_upsert_validates_and_keeps_pause_state(store: SqliteTipStore) -> None:
    with pytest.raises(TipConfigError):
        await store.upsert_config(
            1,
            channel_id=5,
            post_time="9:00",
            timezone="America/New_York",
            skip_weekends=False,
            due=None,
            now=NOW,
        )
    with pytest.raises(TipConfigError):
        await store.upsert_config(
            1,
            channel_id=5,
            post_time="09:00",
            timezone="Mars/Base",
            skip_weekends=False,
            due=None,
            now=NOW,
        )
    await configure(store, 1)
    paused = await store.set_paused(1, "Paused by an admin.", due=None, now=NOW)
    assert paused is not None and paused.paused and paused.next_due_utc is None
    await configure(store, 1)  # a settings change while paused
    config = await store.get_config(1)
    assert config is not None and config.paused and config.next_due_utc is None
    assert config.paused_reason == "Paused by an admin."


async def test_a_day_can_be_claimed_once(store: SqliteTipStore) -> None:
    await configure(store, 1)
    first = await store.claim(1, DAY, "p1", NOW, picker(), max_attempts=3)
    second = await store.claim(1, DAY, "p2", NOW, picker(), max_attempts=3)
    assert first.won and not second.won
    assert second.existing is not None and second.existing.claimer == "p1"
    assert second.existing.status == "claimed"
    rotation = await store.get_rotation(1)
    assert rotation is not None and rotation.position == 1  # advanced once, by the winner
    assert await store.claim(1, DAY + timedelta(days=1), "p2", NOW, picker(), max_attempts=3)


async def test_a_failed_attempt_can_be_reclaimed_until_attempts_run_out(
    store: SqliteTipStore,
) -> None:
    await configure(store, 1)
    claim = await store.claim(1, DAY, "p1", NOW, picker(), max_attempts=2)
    await store.mark_failed(1, DAY, "p1", error="transient: 503", now=NOW, revision=1, retry_at=NOW)
    retry = await store.claim(1, DAY, "p2", NOW, picker(), max_attempts=2)
    assert retry.won and retry.attempt == 2 and retry.tip_id == claim.tip_id
    await store.mark_failed(1, DAY, "p2", error="transient: 503", now=NOW, revision=2, retry_at=NOW)
    exhausted = await store.claim(1, DAY, "p3", NOW, picker(), max_attempts=2)
    assert not exhausted.won
    assert exhausted.existing is not None and exhausted.existing.status == "failed"


async def test_two_stores_racing_for_one_day_have_one_winner(db_path: Path) -> None:
    async with SqliteTipStore(db_path) as one, SqliteTipStore(db_path) as two:
        await configure(one, 1)
        results = await asyncio.gather(
            *(
                store.claim(1, DAY, f"p{i}", NOW, picker(), max_attempts=3)
                for i, store in enumerate([one, two] * 10)
            )
        )
    assert sum(r.won for r in results) == 1


async def test_schedule_writes_are_compare_and_set(store: SqliteTipStore) -> None:
    await configure(store, 1)
    config = await store.get_config(1)
    assert config is not None
    later = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    assert await store.reschedule(1, due=later, revision=config.revision, now=NOW)
    # A second writer holding the old revision does not overwrite the newer schedule.
    stale = Due(DAY + timedelta(days=5), NOW + timedelta(days=5))
    assert not await store.reschedule(1, due=stale, revision=config.revision, now=NOW)
    after = await store.get_config(1)
    assert after is not None and after.due_date == later.local_date


async def test_bookkeeping_is_always_written_but_schedule_changes_need_the_revision(
    store: SqliteTipStore,
) -> None:
    await configure(store, 1)
    await configure(store, 1)  # an admin change: revision 2
    await store.claim(1, DAY, "p1", NOW, picker(), max_attempts=3)
    await store.mark_failed(
        1, DAY, "p1", error="gone", now=NOW, revision=1, pause_reason="Paused: gone"
    )
    config = await store.get_config(1)
    assert config is not None
    assert config.failures == 1 and config.last_error == "gone"
    assert not config.paused and config.revision == 2  # the stale pause did not apply
    nxt = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    await store.record_skip(1, DAY, reason="late", now=NOW, next_due=nxt, revision=1)
    config = await store.get_config(1)
    assert config is not None and config.last_skip_reason == "late"
    assert config.due_date == DAY  # not rescheduled by the stale writer
    await store.record_skip(1, DAY, reason="late", now=NOW, next_due=nxt, revision=2)
    config = await store.get_config(1)
    assert config is not None and config.due_date == nxt.local_date and config.revision == 3
    assert config.next_due_utc == nxt.at_utc


async def test_skip_is_recorded_once_and_keeps_an_earlier_row(store: SqliteTipStore) -> None:
    await configure(store, 1)
    nxt = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    await store.record_skip(1, DAY, reason="missed", now=NOW, next_due=nxt, revision=1)
    post = await store.get_post(1, DAY)
    assert post is not None and post.status == "skipped" and post.error == "missed"
    config = await store.get_config(1)
    assert config is not None
    assert config.last_skipped_date == DAY and config.last_skip_reason == "missed"
    assert config.due_date == nxt.local_date
    assert not (await store.claim(1, DAY, "p1", NOW, picker(), max_attempts=3)).won


async def test_delete_and_prune(store: SqliteTipStore) -> None:
    await configure(store, 1)
    await store.claim(1, DAY, "p1", NOW, picker(), max_attempts=3)
    assert await store.prune_posts(DAY + timedelta(days=1)) == 1
    assert await store.delete_guild(1)
    assert await store.get_config(1) is None
    assert not await store.delete_guild(1)
