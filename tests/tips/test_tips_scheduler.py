"""TipScheduler end to end on a real SQLite file with a controlled clock and a fake poster."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from tipkit import FakeClock, FakePoster, make_tips, run_minutes

from bot.knowledge.models import Tip
from bot.tips import (
    Outcome,
    PostFailure,
    SqliteTipStore,
    TipScheduler,
    TipsNotConfiguredError,
    UnknownTimeZoneError,
)

NY = "America/New_York"
G1, G2, G3, G4 = 101, 202, 303, 404


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --------------------------------------------------------------------------- the basics


async def test_posts_once_a_day_at_local_time(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    status = await scheduler.configure(G1, channel_id=11, post_time="9am", timezone=NY)
    assert status.next_post_utc == utc(2026, 3, 2, 14)  # 09:00 EST
    assert status.next_post_local is not None and status.next_post_local.hour == 9
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 13, 59))
    assert [(s.guild_id, s.channel_id, s.at) for s in poster.sent] == [
        (G1, 11, utc(2026, 3, 2, 14))
    ]
    status = await scheduler.status(G1)
    assert status is not None
    assert status.last_post_date == date(2026, 3, 2)
    assert status.last_tip_id == poster.sent[0].tip_id
    assert status.next_post_date == date(2026, 3, 3) and not status.retrying
    assert [r.status for r in status.recent] == ["sent"]


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
    scheduler: TipScheduler,
    clock: FakeClock,
    poster: FakePoster,
    post_time: str,
    start: datetime,
    end: datetime,
    expected_utc: datetime,
) -> None:
    clock.set(start - timedelta(hours=12))
    await scheduler.configure(G1, channel_id=11, post_time=post_time, timezone=NY)
    clock.set(start)  # local midnight of the DST day
    await run_minutes(scheduler, clock, until=end)
    assert [s.at for s in poster.sent] == [expected_utc]
    status = await scheduler.status(G1)
    assert status is not None and status.next_post_local is not None
    assert status.next_post_local.strftime("%H:%M") == post_time  # the day after is normal


# --------------------------------------------------------------------------- never twice


async def test_restart_between_claim_and_send_does_not_post_again(
    db_path: Path, clock: FakeClock, tips: list[Tip], caplog: pytest.LogCaptureFixture
) -> None:
    # Process 1 claims the day and dies while sending.
    first_poster = FakePoster(clock)
    first_poster.block = asyncio.Event()  # never set: the send hangs until the "crash"
    async with SqliteTipStore(db_path) as store:
        first = TipScheduler(store, first_poster, lambda: tips, clock, claimer="proc-1")
        await first.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
        clock.set(utc(2026, 3, 2, 14))
        tick = asyncio.create_task(first.tick())
        await asyncio.wait_for(first_poster.entered.wait(), 5)
        tick.cancel()  # the process stops mid-send
        with pytest.raises(asyncio.CancelledError):
            await tick
    assert first_poster.sent == []

    # Process 2 starts on the same database file.
    poster = FakePoster(clock)
    async with SqliteTipStore(db_path) as store:
        second = TipScheduler(store, poster, lambda: tips, clock, claimer="proc-2")
        clock.advance(minutes=1)
        report = await second.tick()
        assert report.outcomes == {G1: Outcome.IN_FLIGHT}  # a fresh claim is left alone
        clock.advance(minutes=10)  # the claim's lease has run out
        with caplog.at_level(logging.ERROR, logger="bot.tips.service"):
            report = await second.tick()
        assert report.outcomes == {G1: Outcome.UNCONFIRMED}
        assert "never confirmed as sent" in caplog.text
        clock.set(utc(2026, 3, 2, 14, 15))
        await run_minutes(second, clock, until=utc(2026, 3, 3, 13, 55), step=timedelta(minutes=5))
        assert poster.calls == []  # nothing re-sent that day

        status = await second.status(G1)
        assert status is not None
        assert status.last_error is not None and status.last_error.startswith("Unconfirmed")
        assert status.recent[0].status == "unconfirmed"
        assert status.next_post_date == date(2026, 3, 3)

        await run_minutes(second, clock, until=utc(2026, 3, 3, 14))
        assert [s.at for s in poster.sent] == [utc(2026, 3, 3, 14)]  # next day as usual


async def test_a_send_that_times_out_is_not_retried(
    make_scheduler: Callable[..., TipScheduler], clock: FakeClock, poster: FakePoster
) -> None:
    scheduler = make_scheduler(post_timeout=timedelta(seconds=0.05))
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    poster.block = asyncio.Event()
    clock.set(utc(2026, 3, 2, 14))
    report = await scheduler.tick()
    assert report.outcomes == {G1: Outcome.UNCONFIRMED}
    poster.block = None
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 23), step=timedelta(minutes=5))
    assert poster.calls == [G1] and poster.sent == []
    status = await scheduler.status(G1)
    assert status is not None and status.last_error is not None
    assert "timed out" in status.last_error


async def test_two_schedulers_on_one_database_post_exactly_once(
    db_path: Path, clock: FakeClock, tips: list[Tip]
) -> None:
    guilds = list(range(1, 41))
    poster = FakePoster(clock)
    poster.delay = 0.002  # keep sends in flight while the other scheduler runs
    async with SqliteTipStore(db_path) as one, SqliteTipStore(db_path) as two:
        a = TipScheduler(one, poster, lambda: tips, clock, claimer="proc-a")
        b = TipScheduler(two, poster, lambda: tips, clock, claimer="proc-b", concurrency=1)
        for guild in guilds:
            await a.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
        clock.set(utc(2026, 3, 2, 14))
        for _ in range(5):
            reports = await asyncio.gather(a.tick(), b.tick())
            clock.advance(minutes=1)
        clock.advance(minutes=15)
        await asyncio.gather(a.tick(), b.tick())
    assert sorted(s.guild_id for s in poster.sent) == guilds
    assert sorted(poster.calls) == guilds
    assert reports[0].due == reports[1].due == 0


async def test_two_processes_on_one_database_post_exactly_once(
    db_path: Path, clock: FakeClock, tips: list[Tip]
) -> None:
    import sys

    guilds = list(range(1, 21))
    async with SqliteTipStore(db_path) as store:
        setup = TipScheduler(store, FakePoster(clock), lambda: tips, clock)
        for guild in guilds:
            await setup.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
    script = Path(__file__).with_name("tipkit.py")
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            str(db_path),
            "2026-03-02T14:00:00+00:00",
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [await proc.communicate() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0, 0]
    posted = [int(g) for out, _ in outputs for g in out.decode().split()]
    assert sorted(posted) == guilds


# --------------------------------------------------------------------------- never lost


async def test_catch_up_within_the_window_posts_once(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 19, 30))  # the bot was down; back at 14:30 local, 5.5 h late
    report = await scheduler.tick()
    assert report.outcomes == {G1: Outcome.POSTED}
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 13, 59), step=timedelta(minutes=5))
    assert [s.at for s in poster.sent] == [utc(2026, 3, 2, 19, 30)]


async def test_beyond_the_window_the_day_is_skipped_with_a_reason(
    scheduler: TipScheduler,
    clock: FakeClock,
    poster: FakePoster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 21))  # 16:00 local, 7 h late
    with caplog.at_level(logging.WARNING, logger="bot.tips.service"):
        report = await scheduler.tick()
    assert report.outcomes == {G1: Outcome.SKIPPED}
    assert "catch-up window" in caplog.text
    status = await scheduler.status(G1)
    assert status is not None
    assert status.last_skip_date == date(2026, 3, 2)
    assert status.last_skip_reason is not None and "7h late" in status.last_skip_reason
    assert status.next_post_utc == utc(2026, 3, 3, 14)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 14), step=timedelta(minutes=5))
    assert [s.at for s in poster.sent] == [utc(2026, 3, 3, 14)]


async def test_after_a_long_outage_today_still_posts_if_within_the_window(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 5, 15))  # down from Monday morning to Thursday 10:00 local
    first = await scheduler.tick()
    assert first.outcomes == {G1: Outcome.SKIPPED}  # Monday, recorded
    clock.advance(minutes=1)
    second = await scheduler.tick()
    assert second.outcomes == {G1: Outcome.POSTED}  # Thursday, 1 h late
    status = await scheduler.status(G1)
    assert status is not None
    assert status.last_skip_date == date(2026, 3, 2)
    assert status.last_post_date == date(2026, 3, 5)
    assert len(poster.sent) == 1


async def test_a_late_post_time_is_skipped_once_the_local_day_is_over(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="22:00", timezone=NY)
    clock.set(utc(2026, 3, 3, 6))  # 01:00 local next day: 3 h late but another day
    report = await scheduler.tick()
    assert report.outcomes == {G1: Outcome.SKIPPED}
    status = await scheduler.status(G1)
    assert status is not None and status.last_skip_reason is not None
    assert "local day had ended" in status.last_skip_reason
    assert status.next_post_utc == utc(2026, 3, 4, 3)  # 22:00 local on the 3rd
    assert poster.sent == []


async def test_weekends_are_skipped_when_set(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    clock.set(utc(2026, 3, 6, 12))  # Friday
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY, skip_weekends=True)
    await scheduler.configure(G2, channel_id=22, post_time="09:00", timezone=NY)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 9, 14), step=timedelta(minutes=5))
    days = {
        guild: [s.at.astimezone(UTC).date() for s in poster.sent_to(guild)] for guild in (G1, G2)
    }
    assert days[G1] == [date(2026, 3, 6), date(2026, 3, 9)]
    assert days[G2] == [date(2026, 3, 6), date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]
    # Turning it on on a Saturday moves the next post to Monday.
    clock.set(utc(2026, 3, 14, 12))
    status = await scheduler.set_skip_weekends(G2, True)
    assert status.next_post_date == date(2026, 3, 16)


# --------------------------------------------------------------------------- failures


async def test_failures_are_retried_then_paused_without_affecting_others(
    scheduler: TipScheduler,
    clock: FakeClock,
    poster: FakePoster,
) -> None:
    for guild in (G1, G2, G3, G4):
        await scheduler.configure(guild, channel_id=guild + 1, post_time="09:00", timezone=NY)
    poster.fail[G1] = PostFailure.from_http(404, 10003, "Unknown Channel")
    poster.fail[G2] = PostFailure.from_http(403, 50013, "Missing Permissions")
    poster.fail[G4] = RuntimeError("bug in the embed builder")
    clock.set(utc(2026, 3, 2, 14))
    report = await scheduler.tick()
    assert report.outcomes == {
        G1: Outcome.RETRY,
        G2: Outcome.RETRY,
        G3: Outcome.POSTED,
        G4: Outcome.FAILED,  # unknown error: not retried (might have been sent), not paused
    }
    status = await scheduler.status(G1)
    assert status is not None and status.failures == 1 and status.retrying
    assert status.last_error is not None and "channel_missing" in status.last_error

    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 14, 30))
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 14, 10), step=timedelta(minutes=7))
    assert poster.calls.count(G1) == 3 and poster.calls.count(G2) == 3  # 3 attempts each
    assert poster.calls.count(G4) == 2  # once a day
    assert [s.guild_id for s in poster.sent] == [G3, G3]

    g1 = await scheduler.status(G1)
    g2 = await scheduler.status(G2)
    assert g1 is not None and g2 is not None
    assert g1.paused and g1.paused_reason is not None
    assert g1.paused_reason.startswith("Paused: the channel was deleted")
    assert g2.paused and g2.paused_reason == (
        f"Paused: missing permission to send messages or embed links in <#{G2 + 1}>."
    )
    assert g1.next_post_utc is None and g1.failures == 3
    assert g1.recent[0].status == "failed" and g1.recent[0].attempts == 3

    # An admin fixes the permissions and resumes: the next day posts again.
    del poster.fail[G2]
    resumed = await scheduler.resume(G2)
    assert not resumed.paused and resumed.failures == 0
    assert resumed.next_post_utc == utc(2026, 3, 4, 14)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 4, 14))
    assert len(poster.sent_to(G2)) == 1


async def test_a_transient_failure_retries_the_same_tip_once_then_succeeds(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    poster.fail[G1] = PostFailure("transient", "503 Service Unavailable")
    clock.set(utc(2026, 3, 2, 14))
    assert (await scheduler.tick()).outcomes == {G1: Outcome.RETRY}
    del poster.fail[G1]
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 23))
    assert [s.at for s in poster.sent] == [utc(2026, 3, 2, 14, 2)]
    rotation = await scheduler.store.get_rotation(G1)
    assert rotation is not None and rotation.seen == (poster.sent[0].tip_id,)


async def test_a_guild_that_errors_does_not_stop_the_tick(
    make_scheduler: Callable[..., TipScheduler],
    store: SqliteTipStore,
    clock: FakeClock,
    poster: FakePoster,
) -> None:
    class BrokenForOneGuild(SqliteTipStore):
        """G1's row breaks any transaction that touches it: the batched claim fails whole."""

        async def claim_many(self, requests, *args, **kwargs):  # type: ignore[no-untyped-def]
            if any(r.guild_id == G1 for r in requests):
                raise RuntimeError("disk on fire")
            return await super().claim_many(requests, *args, **kwargs)

    async with BrokenForOneGuild(store.path) as broken:
        scheduler = make_scheduler(store=broken, concurrency=1)
        for guild in (G1, G2, G3):
            await scheduler.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
        clock.set(utc(2026, 3, 2, 14))
        report = await scheduler.tick()
        assert report.outcomes == {G1: Outcome.ERROR, G2: Outcome.POSTED, G3: Outcome.POSTED}
        status = await scheduler.status(G1)
        assert status is not None  # looked at again in 5 minutes, not on every tick
        assert status.next_post_utc == utc(2026, 3, 2, 14, 5)
        clock.advance(minutes=1)
        assert (await scheduler.tick()).due == 0


async def test_a_failing_database_does_not_make_tick_raise(
    make_scheduler: Callable[..., TipScheduler], store: SqliteTipStore
) -> None:
    scheduler = make_scheduler()
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    await store.close()
    report = await scheduler.tick()
    assert report.error is not None and "not open" in report.error


async def test_without_tips_nothing_is_consumed(
    make_scheduler: Callable[..., TipScheduler], clock: FakeClock, poster: FakePoster
) -> None:
    available: list[Tip] = []
    scheduler = make_scheduler(tips_provider=lambda: available)
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    report = await scheduler.tick()
    assert report.tips_unavailable and report.outcomes == {}
    available.extend(make_tips(3))
    clock.advance(minutes=30)
    assert (await scheduler.tick()).outcomes == {G1: Outcome.POSTED}


# --------------------------------------------------------------------------- rotation


async def test_daily_posts_walk_the_rotation(
    make_scheduler: Callable[..., TipScheduler], clock: FakeClock, poster: FakePoster
) -> None:
    tips = make_tips(5)
    scheduler = make_scheduler(tips_provider=lambda: tips)
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 1, 14))
    for _ in range(4):
        clock.now += timedelta(days=1)  # 09:00 local (10:00 after the DST change: in time)
        await scheduler.tick()
    tips.append(make_tips(1, prefix="new")[0])  # the YAML grows mid-cycle
    for _ in range(8):
        clock.now += timedelta(days=1)
        await scheduler.tick()
    shown = [s.tip_id for s in poster.sent]
    assert len(shown) == 12
    assert sorted(shown[:6]) == sorted(t.id for t in tips)  # new tip joined cycle 1
    assert sorted(shown[6:12]) == sorted(t.id for t in tips)


# --------------------------------------------------------------------------- admin API


async def test_post_now_does_not_consume_the_daily_post(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    manual = await scheduler.post_now(G1)
    status = await scheduler.status(G1)
    assert status is not None
    assert status.next_post_utc == utc(2026, 3, 2, 14)  # unchanged
    assert status.last_manual_tip_id == manual.tip.id and status.last_post_date is None
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 14))
    daily = poster.sent_to(G1)
    assert len(daily) == 2 and daily[1].tip_id != manual.tip.id  # rotation advanced

    poster.fail[G1] = PostFailure.from_http(403, 50013, "Missing Permissions")
    with pytest.raises(PostFailure):
        await scheduler.post_now(G1)
    status = await scheduler.status(G1)
    assert status is not None and status.last_error is not None
    assert "missing_permissions" in status.last_error and not status.paused


async def test_changing_settings_after_todays_post_waits_for_tomorrow(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone=NY)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 14))
    status = await scheduler.configure(G1, post_time="17:00")
    assert status.next_post_utc == utc(2026, 3, 3, 22)
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 23), step=timedelta(minutes=10))
    assert len(poster.sent) == 1


async def test_configuration_is_validated(scheduler: TipScheduler) -> None:
    with pytest.raises(UnknownTimeZoneError) as info:
        await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone="Mars/Base")
    assert "Mars/Base" in str(info.value) and "America/New_York" in str(info.value)
    with pytest.raises(ValueError, match="HH:MM"):
        await scheduler.configure(G1, channel_id=11, post_time="25:00", timezone=NY)
    with pytest.raises(ValueError, match="channel"):
        await scheduler.configure(G1, post_time="09:00", timezone=NY)
    assert await scheduler.status(G1) is None
    with pytest.raises(TipsNotConfiguredError):
        await scheduler.pause(G1)
    with pytest.raises(TipsNotConfiguredError):
        await scheduler.post_now(G1)


async def test_pause_resume_and_forget(
    scheduler: TipScheduler, clock: FakeClock, poster: FakePoster
) -> None:
    await scheduler.configure(G1, channel_id=11, post_time="09:00", timezone="asia/manila")
    paused = await scheduler.pause(G1)
    assert paused.paused and paused.paused_reason == "Paused by an admin."
    assert paused.timezone == "Asia/Manila" and paused.next_post_utc is None
    await run_minutes(scheduler, clock, until=utc(2026, 3, 3, 12), step=timedelta(minutes=10))
    assert poster.sent == []
    resumed = await scheduler.resume(G1)
    assert not resumed.paused and resumed.next_post_utc == utc(2026, 3, 4, 1)
    assert await scheduler.forget(G1)
    assert await scheduler.status(G1) is None


# --------------------------------------------------------------------------- batches


async def test_a_batch_leaves_a_day_another_process_holds(
    db_path: Path, clock: FakeClock, tips: list[Tip]
) -> None:
    poster = FakePoster(clock)
    async with SqliteTipStore(db_path) as mine, SqliteTipStore(db_path) as theirs:
        scheduler = TipScheduler(mine, poster, lambda: tips, clock, claimer="mine")
        for guild in (G1, G2, G3):
            await scheduler.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
        clock.set(utc(2026, 3, 2, 14))
        config = await theirs.get_config(G2)
        assert config is not None and config.due_date is not None
        picked = TipScheduler._picker(G2, {t.id: t for t in tips})
        held = await theirs.claim(G2, config.due_date, "theirs", clock(), picked, max_attempts=3)
        assert held.won  # the other process is mid-send for G2
        report = await scheduler.tick()
        assert report.outcomes == {G1: Outcome.POSTED, G2: Outcome.IN_FLIGHT, G3: Outcome.POSTED}
        assert sorted(poster.calls) == [G1, G3]
        post = await mine.get_post(G2, config.due_date)
        assert post is not None and post.claimer == "theirs" and post.status == "claimed"


async def test_sends_stop_before_a_claims_lease_could_run_out(
    make_scheduler: Callable[..., TipScheduler], clock: FakeClock, poster: FakePoster
) -> None:
    class SlowPoster(FakePoster):
        async def __call__(self, guild_id: int, channel_id: int, tip: Tip) -> int:
            message_id = await super().__call__(guild_id, channel_id, tip)
            self.clock.advance(minutes=2)  # each send takes two minutes
            return message_id

    slow = SlowPoster(clock)
    scheduler = make_scheduler(poster=slow, concurrency=1, chunk_size=10)
    guilds = list(range(1, 11))
    for guild in guilds:
        await scheduler.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    report = await scheduler.tick()
    # Claimed at 14:00, lease 10 min, timeout 1 min: sends may start until 14:09 only.
    assert [report.outcomes[g] for g in guilds] == [Outcome.POSTED] * 5 + [Outcome.RETRY] * 5
    assert slow.calls == guilds[:5]
    late = await scheduler.status(6)
    assert late is not None and late.retrying and late.recent[0].status == "failed"
    assert late.last_error is not None and "not sent" in late.last_error
    await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 16))
    assert sorted(s.guild_id for s in slow.sent) == guilds  # the rest went out, each once
    retried = slow.sent_to(6)[0].tip_id
    assert (await scheduler.store.get_post(6, date(2026, 3, 2))).tip_id == retried  # type: ignore[union-attr]


async def test_chunks_are_claimed_one_after_another(
    make_scheduler: Callable[..., TipScheduler], clock: FakeClock, poster: FakePoster
) -> None:
    scheduler = make_scheduler(chunk_size=3)
    for guild in range(1, 9):
        await scheduler.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
    clock.set(utc(2026, 3, 2, 14))
    report = await scheduler.tick()
    assert report.chunks == 3 and len(report.posted) == 8 and len(poster.sent) == 8
    with pytest.raises(ValueError):
        make_scheduler(chunk_size=0)


async def test_outcomes_are_recorded_one_by_one_if_the_batch_write_fails(
    make_scheduler: Callable[..., TipScheduler],
    store: SqliteTipStore,
    clock: FakeClock,
    poster: FakePoster,
) -> None:
    class NoBatches(SqliteTipStore):
        broken = True  # while set, any write touching G2 fails

        async def apply_writes(self, writes):  # type: ignore[no-untyped-def]
            if self.broken and any(w.guild_id == G2 for w in writes):
                raise RuntimeError("G2's row breaks the transaction")
            return await super().apply_writes(writes)

    async with NoBatches(store.path) as broken:
        scheduler = make_scheduler(store=broken)
        for guild in (G1, G2, G3):
            await scheduler.configure(guild, channel_id=guild, post_time="09:00", timezone=NY)
        clock.set(utc(2026, 3, 2, 14))
        report = await scheduler.tick()
        # G2 was sent but could not be recorded: reported as an error, and never sent again.
        assert report.outcomes == {G1: Outcome.POSTED, G2: Outcome.ERROR, G3: Outcome.POSTED}
        broken.broken = False
        for guild in (G1, G3):
            status = await scheduler.status(guild)
            assert status is not None and status.recent[0].status == "sent"
        await run_minutes(scheduler, clock, until=utc(2026, 3, 2, 23), step=timedelta(minutes=3))
        assert sorted(poster.calls) == [G1, G2, G3]
        row = await broken.get_post(G2, date(2026, 3, 2))
        assert row is not None and row.status == "unconfirmed"  # lease ran out: not re-sent
