"""The daily-post scheduler with the tips, on SQLite and on PostgreSQL (the `database`
fixture runs every test on both), a controlled clock and a recording poster. No sleeps."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from tipkit import NY, FakeClock, FakePoster, make_tips, run_minutes, utc

from bot.knowledge.models import Tip
from bot.scheduling import (
    DailyScheduler,
    NotConfiguredError,
    Outcome,
    PostFailure,
    PostUnconfirmed,
    UnknownTimeZoneError,
    nonce_for,
)
from bot.scheduling.tables import daily_posts, daily_schedules
from bot.store import Database
from bot.tips import DailyTips

G1, G2, G3 = 101, 202, 303


async def post_rows(db: Database, guild_id: int) -> list[tuple[date, str]]:
    async with db.connect() as conn:
        p = daily_posts.c
        query = sa.select(p.local_date, p.status).where(p.guild_id == guild_id)
        return [tuple(row) for row in await conn.execute(query.order_by(p.local_date))]  # type: ignore[misc]


# --------------------------------------------------------------------------- the basics
async def test_posts_once_a_day_at_local_time_claiming_first(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster, database: Database
) -> None:
    status = await scheduler.configure(G1, channel_id=11, post_time="9am", timezone=NY)
    assert status.next_post_utc == utc(2026, 3, 2, 14)  # 09:00 EST
    seen_at_send: list[list[tuple[date, str]]] = []

    async def look(guild_id: int) -> None:
        seen_at_send.append(await post_rows(database, guild_id))

    poster.on_send.append(look)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 13, 59))
    assert [(s.guild_id, s.channel_id, s.at) for s in poster.sent] == [
        (G1, 11, utc(2026, 3, 2, 14))
    ]
    assert seen_at_send == [[(date(2026, 3, 2), "claimed")]]  # claimed before it was sent
    assert poster.sent[0].nonce == nonce_for(G1, "tip", date(2026, 3, 2))
    status = await scheduler.status(G1)
    assert status is not None
    assert status.last_post_date == date(2026, 3, 2)
    assert status.last_item_id == poster.sent[0].tip_id
    assert status.next_post_utc == utc(2026, 3, 3, 14) and not status.retrying


@pytest.mark.parametrize(
    ("post_time", "start", "end", "expected_utc"),
    [
        # Spring forward: 02:30 does not exist on 2026-03-08; it goes out at 03:30 EDT.
        ("02:30", utc(2026, 3, 8, 5), utc(2026, 3, 9, 4), utc(2026, 3, 8, 7, 30)),
        # Fall back: 01:30 happens twice on 2026-11-01; only the first (EDT) one posts.
        ("01:30", utc(2026, 11, 1, 4), utc(2026, 11, 2, 4), utc(2026, 11, 1, 5, 30)),
    ],
    ids=["spring-forward", "fall-back"],
)
async def test_dst_days_post_exactly_once(
    scheduler: DailyScheduler,
    clock: FakeClock,
    poster: FakePoster,
    post_time: str,
    start: object,
    end: object,
    expected_utc: object,
) -> None:
    clock.set(start - timedelta(hours=12))  # type: ignore[operator]
    await scheduler.configure(G1, channel_id=11, post_time=post_time, timezone=NY)
    clock.set(start)  # type: ignore[arg-type]
    await run_minutes(scheduler, clock, until=end, step=timedelta(minutes=2))  # type: ignore[arg-type]
    assert [s.at.replace(second=0) for s in poster.sent] == [expected_utc]
    status = await scheduler.status(G1)
    assert status is not None and status.next_post_local is not None
    assert status.next_post_local.strftime("%H:%M") == post_time  # the day after is normal


# --------------------------------------------------------------------------- never twice
async def test_two_schedulers_on_one_database_post_once(
    database: Database, clock: FakeClock, tips: list[Tip]
) -> None:
    other_db = Database(database.url)  # a second process: its own engine and connections
    await other_db.start()
    posters = [FakePoster(clock), FakePoster(clock)]
    services = [
        DailyTips(db, lambda: tips, p, clock=clock, claimer=f"proc-{i}")
        for i, (db, p) in enumerate(zip([database, other_db], posters, strict=True))
    ]
    for guild_id in range(1, 41):
        await services[0].scheduler.configure(
            guild_id, channel_id=guild_id, post_time="09:00", timezone=NY
        )
    clock.set(utc(2026, 3, 2, 14, 0, 5))
    for _ in range(3):
        await asyncio.gather(*(s.scheduler.tick() for s in services))
    await other_db.close()
    sent = sorted(s.guild_id for p in posters for s in p.sent)
    assert sent == list(range(1, 41))  # every server once, none twice


async def test_restart_between_claim_and_send_does_not_post_again(
    database: Database, clock: FakeClock, tips: list[Tip], poster: FakePoster
) -> None:
    dying = FakePoster(clock)
    dying.block = asyncio.Event()  # never set: the send hangs until the "crash"
    first = DailyTips(database, lambda: tips, dying, clock=clock, claimer="proc-1")
    await first.scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    tick = asyncio.create_task(first.scheduler.tick())
    await asyncio.wait_for(dying.entered.wait(), 5)
    tick.cancel()  # the process stops mid-send
    with pytest.raises(asyncio.CancelledError):
        await tick

    second = DailyTips(database, lambda: tips, poster, clock=clock, claimer="proc-2").scheduler
    clock.advance(minutes=1)
    assert (await second.tick()).outcomes == {G1: Outcome.IN_FLIGHT}  # a fresh claim: left
    clock.advance(minutes=10)  # its lease has run out
    assert (await second.tick()).outcomes == {G1: Outcome.UNCONFIRMED}
    await run_minutes(second, clock, until=utc(2026, 3, 3, 13, 55), step=timedelta(minutes=5))
    assert poster.calls == []  # nothing re-sent that day
    status = await second.status(G1)
    assert status is not None and status.last_error is not None
    assert "never confirmed as sent" in status.last_error
    await run_minutes(second, clock, until=utc(2026, 3, 3, 14))
    assert [s.at for s in poster.sent] == [utc(2026, 3, 3, 14)]  # the next day as usual


async def test_a_5xx_after_sending_is_unconfirmed_not_retried(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    """D1: a 5xx does not prove the message was not created; never blindly again."""
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    poster.fail[G1] = PostUnconfirmed("Discord answered 503 Service Unavailable")
    clock.set(utc(2026, 3, 2, 14))
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 20))
    assert poster.calls == [G1]  # one attempt, no retries
    status = await scheduler.status(G1)
    assert status is not None and status.last_error is not None
    assert status.last_error.startswith("Unconfirmed") and "503" in status.last_error
    assert status.next_post_utc == utc(2026, 3, 3, 14)


async def test_a_timed_out_send_is_unconfirmed(
    make_tips_service: Callable[..., DailyTips], clock: FakeClock, poster: FakePoster
) -> None:
    scheduler = make_tips_service(post_timeout=timedelta(milliseconds=10)).scheduler
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    poster.block = asyncio.Event()
    clock.set(utc(2026, 3, 2, 14))
    assert (await scheduler.tick()).outcomes == {G1: Outcome.UNCONFIRMED}


# --------------------------------------------------------------------------- never lost
async def test_a_connection_refused_before_sending_is_retried(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    """D8: nothing was sent, so the same tip goes out a few minutes later."""
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    poster.fail[G1] = PostFailure("transient", "ClientConnectorError: connection refused")
    clock.set(utc(2026, 3, 2, 14))
    assert (await scheduler.tick()).outcomes == {G1: Outcome.RETRY}
    status = await scheduler.status(G1)
    assert status is not None and status.retrying
    del poster.fail[G1]
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 14, 10))
    assert [s.at for s in poster.sent] == [utc(2026, 3, 2, 14, 2)]


async def test_missing_permissions_retry_then_pause_without_stopping_others(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    for guild_id in (G1, G2):
        await scheduler.configure(guild_id, channel_id=guild_id, post_time="09:00", timezone=NY)
    poster.fail[G1] = PostFailure("missing_permissions", "403 Missing Permissions")
    clock.set(utc(2026, 3, 2, 14))
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 15))
    assert poster.calls.count(G1) == 3  # the first try and two retries
    assert [s.at.date() for s in poster.sent_to(G2)] == [date(2026, 3, 2), date(2026, 3, 3)]
    status = await scheduler.status(G1)
    assert status is not None and status.paused
    assert "missing permission" in (status.paused_reason or "")
    resumed = await scheduler.resume(G1)
    assert not resumed.paused and resumed.failures == 0


async def test_catch_up_within_the_window_posts_once(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 19, 30))  # the bot was down from 08:00 to 14:30 local
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 20))
    assert [s.at for s in poster.sent] == [utc(2026, 3, 2, 19, 30)]


async def test_beyond_the_window_the_day_is_skipped_with_a_reason(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 20, 1))  # 6 h 1 min late
    assert (await scheduler.tick()).outcomes == {G1: Outcome.SKIPPED}
    assert poster.calls == []
    status = await scheduler.status(G1)
    assert status is not None and status.last_skip_date == date(2026, 3, 2)
    assert "catch-up window" in (status.last_skip_reason or "")
    assert status.next_post_utc == utc(2026, 3, 3, 14)


async def test_weekends_are_skipped_when_set(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    clock.set(utc(2026, 3, 6, 12))  # Friday
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY, skip_weekends=True)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 9, 15), step=timedelta(minutes=10))
    assert [s.at.date() for s in poster.sent] == [date(2026, 3, 6), date(2026, 3, 9)]


# --------------------------------------------------------------------------- D2, D9
async def test_stale_claims_never_hold_up_other_servers(
    make_tips_service: Callable[..., DailyTips],
    database: Database,
    clock: FakeClock,
    poster: FakePoster,
) -> None:
    """D2: a dead process left 150 claims (more than a batch) at the head of the queue."""
    scheduler = make_tips_service(batch_size=100).scheduler
    for guild_id in range(1, 201):
        time = "08:59" if guild_id <= 150 else "09:00"  # the dead ones are earlier in line
        await scheduler.configure(guild_id, channel_id=guild_id, post_time=time, timezone=NY)
    async with database.begin() as conn:
        await conn.execute(
            sa.insert(daily_posts),
            [
                {"guild_id": g, "kind": "tip", "local_date": date(2026, 3, 2),
                 "status": "claimed", "attempts": 1, "claimer": "dead",
                 "claimed_at": utc(2026, 3, 2, 13, 59)}
                for g in range(1, 151)
            ],
        )  # fmt: skip
    clock.set(utc(2026, 3, 2, 14, 0, 30))
    for _ in range(3):  # the cog ticks again at once while batches are full
        report = await scheduler.tick()
        if not report.more_due:
            break
    assert sorted(s.guild_id for s in poster.sent) == list(range(151, 201))
    clock.set(utc(2026, 3, 2, 14, 10))  # the dead claims' lease is out: settled, not sent
    await scheduler.tick()
    await scheduler.tick()
    assert len(poster.sent) == 50
    async with database.connect() as conn:
        s = daily_schedules.c
        waiting = await conn.execute(sa.select(sa.func.count()).where(s.next_due_at <= clock()))
        assert waiting.scalar() == 0


async def test_a_bug_hitting_many_servers_logs_one_line_per_tick(
    scheduler: DailyScheduler,
    clock: FakeClock,
    poster: FakePoster,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """D9 (a fault in the code): one line naming the fault and how many servers it hit."""
    for guild_id in range(1, 31):
        await scheduler.configure(guild_id, channel_id=guild_id, post_time="09:00", timezone=NY)

    async def broken(conn: object, guild_id: int) -> str:
        raise RuntimeError("rotation broke")

    monkeypatch.setattr(scheduler.content, "pick", broken)
    clock.set(utc(2026, 3, 2, 14))
    with caplog.at_level(logging.INFO, logger="bot.scheduling"):
        report = await scheduler.tick()
    assert report.count(Outcome.ERROR) == 30 and poster.calls == []
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in errors] == [
        "tip tick: 30 server(s) failed: RuntimeError: rotation broke"
    ]
    clock.advance(minutes=1)
    assert (await scheduler.tick()).due == 0  # backed off, not retried every tick
    monkeypatch.undo()
    clock.advance(minutes=5)
    await scheduler.tick()
    assert len(poster.sent) == 30  # nothing lost: claims were rolled back with the error


# --------------------------------------------------------------------------- rotation
async def test_daily_posts_walk_the_rotation(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster, tips: list[Tip]
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    for _ in range(len(tips)):
        await scheduler.tick()
        clock.advance(days=1)
    shown = [s.tip_id for s in poster.sent]
    assert sorted(shown) == sorted(t.id for t in tips)  # every tip once, no repeat
    tips.append(make_tips(1, prefix="new")[0])  # added: joins the cycle in progress
    del tips[0]  # removed: never picked again
    for _ in range(1 + len(tips)):
        await scheduler.tick()
        clock.advance(days=1)
    later = [s.tip_id for s in poster.sent[10:]]
    assert later[0] == "new-00" and "tip-00" not in later
    assert sorted(later[1:]) == sorted(t.id for t in tips)  # the next cycle: each tip once


async def test_post_now_advances_the_rotation_but_not_the_schedule(
    service: DailyTips, clock: FakeClock, poster: FakePoster
) -> None:
    await service.scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    manual = await service.post_now(G1)
    assert poster.sent[0].nonce is None and poster.sent[0].tip_id == manual.tip.id
    clock.set(utc(2026, 3, 2, 14))
    await service.scheduler.tick()
    assert len(poster.sent) == 2 and poster.sent[1].tip_id != manual.tip.id


# --------------------------------------------------------------------------- admin
async def test_settings_are_validated_and_paused_servers_stay_paused(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    with pytest.raises(UnknownTimeZoneError):
        await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone="Mars/Base")
    with pytest.raises(NotConfiguredError):
        await scheduler.pause(G1)
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    paused = await scheduler.pause(G1, "Paused by Alice.")
    assert paused.paused and paused.next_post_utc is None
    changed = await scheduler.configure(G1, post_time="10:00")
    assert changed.paused and changed.post_time == "10:00"
    clock.set(utc(2026, 3, 2, 15))
    await scheduler.tick()
    assert poster.calls == []
    resumed = await scheduler.resume(G1)
    assert resumed.next_post_utc == utc(2026, 3, 2, 15)


async def test_changing_settings_after_todays_post_waits_for_tomorrow(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    await scheduler.tick()
    status = await scheduler.configure(G1, post_time="11:00")
    assert status.next_post_utc == utc(2026, 3, 3, 16)


async def test_forget_deletes_settings_history_and_rotation(
    service: DailyTips, clock: FakeClock, database: Database
) -> None:
    await service.scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    await service.scheduler.tick()
    await service.forget(G1)
    assert await service.scheduler.status(G1) is None
    assert await post_rows(database, G1) == []


# --------------------------------------------------------------------------- housekeeping
async def test_post_history_is_pruned_once_a_day(
    make_tips_service: Callable[..., DailyTips], clock: FakeClock, database: Database
) -> None:
    scheduler = make_tips_service(keep_history=timedelta(days=30)).scheduler
    async with database.begin() as conn:
        await conn.execute(
            sa.insert(daily_posts),
            [
                {"guild_id": G1, "kind": "tip", "local_date": day, "status": "sent",
                 "attempts": 1}
                for day in (date(2026, 1, 5), date(2026, 1, 30), date(2026, 2, 20))
            ],
        )  # fmt: skip
    await scheduler.tick()
    assert [day for day, _ in await post_rows(database, G1)] == [date(2026, 2, 20)]


async def test_the_shard_filter_keeps_only_this_processs_servers(
    scheduler: DailyScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    ids = [(n << 22) + 7 for n in range(8)]  # shard n of 4 is n % 4
    for guild_id in ids:
        await scheduler.configure(guild_id, channel_id=1, post_time="09:00", timezone=NY)
    scheduler.shards = (4, (1, 2))
    clock.set(utc(2026, 3, 2, 14))
    await scheduler.tick()
    assert sorted(s.guild_id for s in poster.sent) == [ids[1], ids[2], ids[5], ids[6]]


async def test_a_locked_database_stops_the_tick_with_one_log_line(
    tmp_path: object,
    clock: FakeClock,
    poster: FakePoster,
    tips: list[Tip],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """D9: with the database unwritable (here: a write lock held elsewhere, like a full
    disk) and many servers due, one line per tick, not a traceback per server."""
    import sqlite3

    import bot.store.database

    monkeypatch.setattr(bot.store.database, "SQLITE_BUSY_TIMEOUT_MS", 50)
    path = f"{tmp_path}/locked.sqlite3"
    db = Database(f"sqlite+aiosqlite:///{path}")
    await db.start()
    scheduler = DailyTips(db, lambda: tips, poster, clock=clock).scheduler
    for guild_id in range(1, 31):
        await scheduler.configure(guild_id, channel_id=guild_id, post_time="09:00", timezone=NY)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    clock.set(utc(2026, 3, 2, 14))
    with caplog.at_level(logging.INFO, logger="bot.scheduling"):
        report = await scheduler.tick()
    assert report.unavailable is not None and "locked" in report.unavailable
    assert not report.more_due and poster.sent == []
    assert [r.levelno for r in caplog.records if r.levelno >= logging.WARNING] == [logging.ERROR]
    holder.rollback()
    holder.close()
    clock.advance(minutes=1)
    await scheduler.tick()
    assert len(poster.sent) == 30  # nothing lost, nothing twice
    await db.close()
