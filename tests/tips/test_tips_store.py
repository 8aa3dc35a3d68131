"""SqliteTipStore: schema, pragmas, indexed due query, atomic claims, compare-and-set."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.tips.rotation import RotationState, next_tip
from bot.tips.schedule import Due, TipConfigError
from bot.tips.store import (
    SCHEMA_VERSION,
    ClaimRequest,
    MarkFailed,
    MarkSent,
    MarkUnconfirmed,
    RecordSkip,
    Reschedule,
    SqliteTipStore,
    TipStore,
)

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


# --------------------------------------------------------------------------- batches


def requests_for(*guilds: int, day: date = DAY) -> list[ClaimRequest]:
    return [ClaimRequest(guild, day, picker(guild=guild)) for guild in guilds]


async def test_claim_many_leaves_a_day_another_process_holds(db_path: Path) -> None:
    async with SqliteTipStore(db_path) as mine, SqliteTipStore(db_path) as theirs:
        for guild in (1, 2, 3):
            await configure(mine, guild)
        taken = await theirs.claim(2, DAY, "other", NOW, picker(guild=2), max_attempts=3)
        assert taken.won
        results = await mine.claim_many(requests_for(1, 2, 3), "me", NOW, max_attempts=3)
        assert [r.won for r in results] == [True, False, True]
        lost = results[1]
        assert lost.existing is not None and lost.existing.claimer == "other"
        assert lost.tip_id == taken.tip_id and lost.error is None
        # Each rotation advanced once: by the claim its guild won, and no more.
        for guild in (1, 2, 3):
            rotation = await mine.get_rotation(guild)
            assert rotation is not None and rotation.position == 1
        # The other process, batching the same days now, wins nothing.
        again = await theirs.claim_many(requests_for(1, 2, 3), "other", NOW, max_attempts=3)
        assert not any(r.won for r in again)
        assert [r.existing.claimer for r in again if r.existing] == ["me", "other", "me"]


async def test_claim_many_retries_failed_days_with_the_same_tip(store: SqliteTipStore) -> None:
    for guild in (1, 2, 3):
        await configure(store, guild)
    first = await store.claim_many(requests_for(1, 2), "p1", NOW, max_attempts=2)
    for guild, claim in zip((1, 2), first, strict=True):
        assert claim.won
        await store.mark_failed(
            guild, DAY, "p1", error="transient: 503", now=NOW, revision=1, retry_at=NOW
        )
    second = await store.claim_many(requests_for(1, 2, 3), "p2", NOW, max_attempts=2)
    assert [(r.won, r.attempt) for r in second] == [(True, 2), (True, 2), (True, 1)]
    assert [r.tip_id for r in second[:2]] == [r.tip_id for r in first]
    rotation = await store.get_rotation(1)
    assert rotation is not None and rotation.position == 1  # a retry does not advance it
    await store.mark_failed(1, DAY, "p2", error="transient: 503", now=NOW, revision=2, retry_at=NOW)
    third = await store.claim_many(requests_for(1), "p3", NOW, max_attempts=2)
    assert not third[0].won and third[0].existing is not None
    assert third[0].existing.status == "failed" and third[0].existing.attempts == 2


async def test_claim_many_isolates_a_guild_whose_rotation_is_corrupt(
    store: SqliteTipStore,
) -> None:
    for guild in (1, 2, 3):
        await configure(store, guild)
    await store.claim_many(requests_for(1, 2, 3), "p1", NOW, max_attempts=3)
    db = store._conn()
    await db.execute("UPDATE rotation SET tip_order = 'not json' WHERE guild_id = 2")
    tomorrow = DAY + timedelta(days=1)
    results = await store.claim_many(requests_for(1, 2, 3, day=tomorrow), "p1", NOW, max_attempts=3)
    assert [r.won for r in results] == [True, False, True]
    assert isinstance(results[1].error, ValueError) and results[1].existing is None
    assert await store.get_post(2, tomorrow) is None  # not claimed: free for a later try
    with pytest.raises(ValueError):  # the single-guild claim raises, as it always did
        await store.claim(2, tomorrow, "p1", NOW, picker(guild=2), max_attempts=3)


async def test_a_colliding_insert_rolls_the_whole_batch_back(db_path: Path) -> None:
    class Blind(SqliteTipStore):
        """Does not see existing rows: what a racing writer on a server database looks like."""

        async def _post_rows(self, db, keys):  # type: ignore[no-untyped-def]
            return {}

    async with SqliteTipStore(db_path) as store, Blind(db_path) as blind:
        for guild in (1, 2, 3):
            await configure(store, guild)
        assert await store.claim(2, DAY, "other", NOW, picker(guild=2), max_attempts=3)
        with pytest.raises(sqlite3.IntegrityError):
            await blind.claim_many(requests_for(1, 2, 3), "blind", NOW, max_attempts=3)
        assert await store.get_post(1, DAY) is None and await store.get_post(3, DAY) is None
        assert await store.get_rotation(1) is None  # no rotation advanced either
        lost = await blind.claim(2, DAY, "blind", NOW, picker(guild=2), max_attempts=3)
        assert not lost.won and lost.existing is not None and lost.existing.claimer == "other"


async def test_claim_many_wants_one_request_per_guild(store: SqliteTipStore) -> None:
    await configure(store, 1)
    with pytest.raises(ValueError, match="one request per guild"):
        await store.claim_many(
            [*requests_for(1), *requests_for(1, day=DAY + timedelta(days=1))],
            "p1",
            NOW,
            max_attempts=3,
        )
    assert await store.claim_many([], "p1", NOW, max_attempts=3) == []


async def test_a_daily_step_rewrites_only_the_rotation_position(store: SqliteTipStore) -> None:
    await configure(store, 1)
    db = store._conn()
    await store.claim(1, DAY, "p1", NOW, picker(), max_attempts=3)
    await db.execute("UPDATE rotation SET tip_order = ' ' || tip_order WHERE guild_id = 1")
    await store.claim(1, DAY + timedelta(days=1), "p1", NOW, picker(), max_attempts=3)
    rows = await db.execute_fetchall("SELECT tip_order, position FROM rotation")
    assert rows[0][0].startswith(" ") and rows[0][1] == 2  # order untouched, position moved
    grown = [*IDS, "d-tip"]
    await store.claim(1, DAY + timedelta(days=2), "p1", NOW, picker(grown), max_attempts=3)
    rotation = await store.get_rotation(1)
    assert rotation is not None and "d-tip" in rotation.order and rotation.position == 3


async def test_apply_writes_handles_a_mixed_batch_in_one_go(store: SqliteTipStore) -> None:
    for guild in range(1, 7):
        await configure(store, guild)
    later = NOW + timedelta(minutes=30)
    await store.claim_many(requests_for(1, 2, 3, 4), "p1", NOW, max_attempts=3)
    nxt = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    await store.apply_writes(
        [
            MarkSent(1, DAY, "p1", "a-tip", 555, later, nxt, 1),
            MarkSent(2, DAY, "p1", "b-tip", 556, later, nxt, 1),
            MarkFailed(3, DAY, "p1", "transient: 503", later, 1, retry_at=later),
            MarkUnconfirmed(4, DAY, "timed out", later, later, nxt, 1),
            RecordSkip(5, DAY, "missed", later, nxt, 1),
            Reschedule(6, nxt, 7, later),  # a stale revision: not applied
        ]
    )
    posts = await store.get_posts([(g, DAY) for g in range(1, 7)])
    assert {g: p.status for (g, _), p in posts.items()} == {
        1: "sent",
        2: "sent",
        3: "failed",
        4: "unconfirmed",
        5: "skipped",
    }
    assert posts[(2, DAY)].message_id == 556 and posts[(2, DAY)].sent_at == later
    configs = {g: await store.get_config(g) for g in range(1, 7)}
    assert configs[1] is not None and configs[1].due_date == nxt.local_date
    assert configs[1].last_message_id == 555 and configs[1].revision == 2
    assert configs[3] is not None and configs[3].next_due_utc == later
    assert configs[3].failures == 1
    assert configs[4] is not None and configs[4].last_error == "timed out"
    assert configs[5] is not None and configs[5].last_skip_reason == "missed"
    assert configs[6] is not None and configs[6].due_date == DAY and configs[6].revision == 1


async def test_apply_writes_is_all_or_nothing(store: SqliteTipStore) -> None:
    for guild in (1, 2):
        await configure(store, guild)
    await store.claim_many(requests_for(1, 2), "p1", NOW, max_attempts=3)
    nxt = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    naive = datetime(2026, 3, 2, 12)  # rejected while building the second write's SQL
    with pytest.raises(ValueError, match="naive"):
        await store.apply_writes(
            [
                MarkUnconfirmed(1, DAY, "timed out", NOW, NOW, nxt, 1),
                MarkSent(2, DAY, "p1", "a-tip", 1, naive, nxt, 1),
            ]
        )
    assert all(p.status == "claimed" for p in (await store.get_posts([(1, DAY)])).values())
    config = await store.get_config(1)
    assert config is not None and config.last_error is None and config.due_date == DAY


async def test_apply_writes_keeps_the_order_of_several_writes_for_one_guild(
    store: SqliteTipStore,
) -> None:
    await configure(store, 1)
    first = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    second = Due(DAY + timedelta(days=2), NOW + timedelta(days=2))
    await store.apply_writes([Reschedule(1, first, 1, NOW), Reschedule(1, second, 2, NOW)])
    config = await store.get_config(1)
    assert config is not None and config.due_date == second.local_date and config.revision == 3


async def test_get_posts_looks_up_many_keys_by_primary_key(
    store: SqliteTipStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.tips.store as store_module

    monkeypatch.setattr(store_module, "_KEYS_PER_QUERY", 3)  # several queries for 8 keys
    for guild in range(1, 9):
        await configure(store, guild)
    await store.claim_many(requests_for(*range(1, 9)), "p1", NOW, max_attempts=3)
    keys = [(g, DAY) for g in range(1, 9)] + [(1, DAY + timedelta(days=1)), (99, DAY)]
    found = await store.get_posts(keys)
    assert sorted(found) == [(g, DAY) for g in range(1, 9)]
    db = store._conn()
    async with db.execute(
        "EXPLAIN QUERY PLAN " + store_module._posts_by_keys_sql(2),
        (1, "2026-03-02", 2, "2026-03-02"),
    ) as cursor:
        plan = " ".join(str(row[-1]) for row in await cursor.fetchall())
    assert "SEARCH p USING" in plan and "(guild_id=? AND local_date=?)" in plan
    assert "SCAN p" not in plan


def test_tip_orders_decode_like_json() -> None:
    import json
    import random

    from bot.tips.store import _tip_order

    rng = random.Random(5)
    alphabet = 'ab", \\\\é\n[]x-_'
    for _ in range(3000):
        ids = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6))) for _ in range(6)]
        for text in (
            json.dumps(ids),
            json.dumps(ids, separators=(",", ":")),
            json.dumps(ids, ensure_ascii=False),
            json.dumps(ids, indent=1),
        ):
            assert _tip_order(text) == tuple(json.loads(text)), text
    assert _tip_order('[1, "a"]') == ("1", "a")
    assert _tip_order("[]") == () and _tip_order('[""]') == ("",)


async def test_checkpoints_are_left_to_quiet_moments(store: SqliteTipStore, db_path: Path) -> None:
    db = store._conn()
    async with db.execute("PRAGMA wal_autocheckpoint") as cursor:
        assert (await cursor.fetchone())[0] >= 4000  # a busy tick's ~1,000 pages fit
    for guild in range(1, 30):
        await configure(store, guild)
    await store.checkpoint()
    with sqlite3.connect(db_path) as other:  # every WAL frame is in the database file now
        _, logged, copied = other.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert logged > 0 and copied == logged


def test_the_mark_sent_fast_path_matches_the_general_update(tmp_path: Path) -> None:
    store = SqliteTipStore(tmp_path / "x.sqlite3")
    nxt = Due(DAY + timedelta(days=1), NOW + timedelta(days=1))
    write = MarkSent(7, DAY, "p1", "a-tip", 99, NOW + timedelta(seconds=5.5), nxt, 4)
    fields = {
        "last_posted_date": DAY.isoformat(),
        "last_posted_at": "2026-03-02T12:00:05Z",
        "last_tip_id": "a-tip",
        "last_message_id": 99,
        "failures": 0,
    }
    general = store._config_update(7, write.now, fields, revision=4, due=nxt)
    assert store._statements(write)[1] == general
