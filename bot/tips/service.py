"""The daily-tip scheduler and admin operations, on top of a `TipStore`. No Discord here.

A Discord cog drives it: call `TipScheduler.tick` from a loop every ~30-60 s, and hand it a
``poster`` that sends one tip and returns the message id, translating Discord errors into
`PostFailure` (see `PostFailure.from_http`).

Guarantees and the choices behind them:

* **Never twice.** Before sending, the tick claims ``(guild, local date)`` in the database; only
  the claimer sends. Another process, a restart or a second tick loses the claim.
* **Crash between claim and send.** A claim still ``claimed`` after ``claim_lease`` (default
  10 min, longer than ``post_timeout``) is *not* re-sent: we cannot know whether the message
  went out, and a duplicate is worse than a gap. The day becomes ``unconfirmed`` and the guild's
  status shows it as its last error; the schedule moves on to the next day. The same holds when
  the poster times out or is cancelled mid-send.
* **Never lost (within reason).** If the bot was down at post time, a tick later the same local
  day and within ``catchup`` (setting ``tip_catchup_hours``) still posts; otherwise the day is
  skipped with a reason shown in the status and logged, and the next day is scheduled.
* **Failures.** A `PostFailure` is recorded (last error, failure count); a retryable one is
  retried (3 attempts by default, 2 then 5 minutes apart) by re-claiming the same day's row, so
  a retry can never double-post. When attempts run out, a missing channel or missing
  permissions pauses the guild with a reason an admin can act on; other failures give up on that
  day only. One guild's error never stops the tick for the others; an unexpected exception is
  logged and that guild is looked at again after ``error_backoff`` (5 min), not every tick.
* **Manual posts** (`post_now`) advance the same rotation (so the daily tip will not repeat
  them) but do not touch the daily claim or schedule: the daily tip still goes out as usual.
* **Scale.** A tick asks the store only for due guilds (an indexed range query) and works through
  them inline, or with at most ``concurrency`` short-lived workers; no task per guild.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time as _time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from bot.knowledge.models import Tip
from bot.tips.rotation import NoTipsError, RotationState, next_tip
from bot.tips.schedule import (
    Due,
    Schedule,
    TipConfigError,
    decide,
    format_post_time,
    next_due,
    normalize_timezone,
    parse_post_time,
)
from bot.tips.store import GuildConfig, Picker, PostRecord, TipStore

log = logging.getLogger(__name__)

DEFAULT_POST_TIME = "09:00"
DEFAULT_TIMEZONE = "America/New_York"

Poster = Callable[[int, int, Tip], Awaitable[int | None]]
"""``await poster(guild_id, channel_id, tip) -> message_id``; raises `PostFailure`."""

TipsProvider = Callable[[], Sequence[Tip]]
"""Returns the current tips (called once per tick with due guilds, and by `post_now`)."""

Clock = Callable[[], datetime]
"""Returns the current time as an aware datetime."""

FailureKind = Literal["channel_missing", "missing_permissions", "transient", "unknown"]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_claimer() -> str:
    """A claimer id unique to this process run: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class PostFailure(Exception):
    """Raised by a poster when Discord definitely did not accept the message.

    ``kind``: ``channel_missing`` (HTTP 404 / code 10003), ``missing_permissions`` (403 / 50001,
    50013), ``transient`` (5xx, 429, network before the request was accepted) or ``unknown``.
    ``retryable`` defaults to True for the first three. Raise it only when the message was not
    created; if the outcome is unknown (a timeout mid-request), let the exception through or
    raise TimeoutError, and the day is recorded as unconfirmed instead of retried.
    """

    def __init__(self, kind: FailureKind, message: str, retryable: bool | None = None):
        self.kind: FailureKind = kind
        self.message = message
        self.retryable = kind != "unknown" if retryable is None else retryable
        super().__init__(f"{kind}: {message}")

    @classmethod
    def from_http(cls, status: int, code: int | None = None, message: str = "") -> PostFailure:
        """Classify a Discord HTTP error (``discord.HTTPException.status`` / ``.code``)."""
        text = message or f"HTTP {status}" + (f" (code {code})" if code else "")
        if code == 10003 or status == 404:
            return cls("channel_missing", text)
        if code in (50001, 50013) or status == 403:
            return cls("missing_permissions", text)
        if status == 429 or status >= 500:
            return cls("transient", text)
        return cls("unknown", text, retryable=False)


class TipsNotConfiguredError(LookupError):
    """The guild has no daily-tip settings yet."""

    def __init__(self, guild_id: int):
        self.guild_id = guild_id
        super().__init__("Daily tips are not set up on this server yet.")


_PAUSING_KINDS = frozenset({"channel_missing", "missing_permissions"})


def pause_reason(kind: str, channel_id: int) -> str:
    """The reason shown to admins when repeated failures pause a guild."""
    if kind == "channel_missing":
        return f"Paused: the channel was deleted or the bot can no longer see it (<#{channel_id}>)."
    return f"Paused: missing permission to send messages or embed links in <#{channel_id}>."


class Outcome(StrEnum):
    """What a tick did for one due guild."""

    POSTED = "posted"
    RETRY = "retry"  # failed, retry scheduled in a few minutes
    PAUSED = "paused"  # failed for good; guild paused with a reason
    FAILED = "failed"  # failed for good; today given up, next day scheduled
    SKIPPED = "skipped"  # missed beyond the catch-up window; recorded with a reason
    UNCONFIRMED = "unconfirmed"  # stale claim or ambiguous send; not re-sent
    IN_FLIGHT = "in_flight"  # another worker holds a fresh claim; left alone
    ALREADY_DONE = "already_done"  # the day was handled already; rescheduled
    RESCHEDULED = "rescheduled"  # nothing due after all (weekend, early); rescheduled
    ERROR = "error"  # unexpected exception, logged; retried next tick


@dataclass(slots=True)
class TickReport:
    """What one `TipScheduler.tick` did."""

    now: datetime
    due: int = 0  # due guilds fetched
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    more_due: bool = False  # the batch was full; the rest go next tick
    tips_unavailable: bool = False  # no tips loaded: nothing was done
    error: str | None = None  # the due query itself failed (database down): nothing was done
    elapsed_ms: float = 0.0

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.outcomes.values() if o is outcome)

    @property
    def posted(self) -> list[int]:
        return [g for g, o in self.outcomes.items() if o is Outcome.POSTED]


@dataclass(frozen=True, slots=True)
class ManualPost:
    tip: Tip
    message_id: int | None


@dataclass(frozen=True, slots=True)
class TipStatus:
    """Everything an admin's status command shows."""

    guild_id: int
    channel_id: int
    post_time: str  # "HH:MM" local
    timezone: str
    skip_weekends: bool
    paused: bool
    paused_reason: str | None
    next_post_utc: datetime | None  # None while paused
    next_post_local: datetime | None  # same instant in the guild's zone
    next_post_date: date | None  # the local date that post is for
    retrying: bool  # the next post is a retry of a failed attempt
    last_post_date: date | None
    last_posted_at: datetime | None
    last_tip_id: str | None
    last_message_id: int | None
    last_manual_at: datetime | None
    last_manual_tip_id: str | None
    last_skip_date: date | None
    last_skip_reason: str | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int  # consecutive failed attempts
    recent: tuple[PostRecord, ...] = ()  # newest first


class TipScheduler:
    """Posts each configured guild's daily tip once, at its local time. See the module docs.

    `clock` returns the current aware time (tests pass a fake). `claimer` names this process in
    claims; keep it unique per process run (the default is).
    """

    def __init__(
        self,
        store: TipStore,
        poster: Poster,
        tips_provider: TipsProvider,
        clock: Clock = utc_now,
        catchup: timedelta = timedelta(hours=6),
        claimer: str | None = None,
        *,
        retry_delays: Sequence[timedelta] = (timedelta(minutes=2), timedelta(minutes=5)),
        claim_lease: timedelta = timedelta(minutes=10),
        post_timeout: timedelta = timedelta(seconds=60),
        batch_size: int = 500,
        concurrency: int = 4,
        error_backoff: timedelta = timedelta(minutes=5),
    ):
        if claim_lease <= post_timeout:
            raise ValueError("claim_lease must be longer than post_timeout")
        if catchup < timedelta(0):
            raise ValueError("catchup must not be negative")
        self.store = store
        self.poster = poster
        self.tips_provider = tips_provider
        self.clock = clock
        self.catchup = catchup
        self.claimer = claimer or default_claimer()
        self.retry_delays = tuple(retry_delays)
        self.max_attempts = len(self.retry_delays) + 1
        self.claim_lease = claim_lease
        self.post_timeout = post_timeout
        self.batch_size = max(1, batch_size)
        self.concurrency = max(1, concurrency)
        self.error_backoff = error_backoff

    # ------------------------------------------------------------------ the tick

    async def tick(self) -> TickReport:
        """Handle the guilds due now (at most ``batch_size``; if `TickReport.more_due`, tick
        again soon). Never raises for a guild's problem, nor when the database is unreachable
        (see `TickReport.error`), so a loop calling it keeps running."""
        started = _time.perf_counter()
        now = self._now()
        report = TickReport(now=now)
        try:
            due = await self.store.due_guilds(now, self.batch_size)
        except Exception as exc:
            log.exception("tips tick: could not read due guilds")
            report.error = f"{type(exc).__name__}: {exc}"
            return report
        report.due = len(due)
        report.more_due = len(due) >= self.batch_size
        if due:
            tips = self._load_tips()
            if not tips:
                report.tips_unavailable = True
                log.warning("no tips available; %d due guild(s) wait for the next tick", len(due))
            elif self.concurrency == 1 or len(due) == 1:
                for config in due:
                    report.outcomes[config.guild_id] = await self._process_safely(config, tips)
            else:
                pending = iter(due)

                async def worker() -> None:
                    for config in pending:  # shared iterator: each guild handled once
                        report.outcomes[config.guild_id] = await self._process_safely(config, tips)

                async with asyncio.TaskGroup() as group:
                    for _ in range(min(self.concurrency, len(due))):
                        group.create_task(worker())
        report.elapsed_ms = (_time.perf_counter() - started) * 1000
        if report.outcomes:
            counts = {o.value: report.count(o) for o in Outcome if report.count(o)}
            log.info("tips tick: %d due, %s (%.1f ms)", report.due, counts, report.elapsed_ms)
        return report

    async def _process_safely(self, config: GuildConfig, tips: dict[str, Tip]) -> Outcome:
        try:
            return await self._process(config, tips)
        except Exception:
            log.exception("daily tip for guild %s failed unexpectedly", config.guild_id)
            await self._back_off(config)
            return Outcome.ERROR

    async def _back_off(self, config: GuildConfig) -> None:
        """After an unexpected error, look at this guild again in a few minutes, not every tick.

        Best effort and compare-and-set: if the error came after the schedule moved on, or the
        database itself is failing, this changes nothing. A claim already taken stays taken, so
        the retry can never double-post.
        """
        if config.due_date is None:
            return
        try:
            now = self._now()
            due = Due(config.due_date, now + self.error_backoff)
            await self.store.reschedule(config.guild_id, due=due, revision=config.revision, now=now)
        except Exception:
            log.debug("could not back off guild %s", config.guild_id, exc_info=True)

    async def _process(self, config: GuildConfig, tips: dict[str, Tip]) -> Outcome:
        guild_id = config.guild_id
        now = self._now()
        try:
            schedule = config.schedule()
        except TipConfigError as exc:  # e.g. a zone dropped from tzdata: pause, don't loop
            reason = f"Paused: the saved settings are no longer valid ({exc})"
            await self.store.set_paused(guild_id, reason, due=None, now=now)
            log.error("guild %s: %s", guild_id, reason)
            return Outcome.PAUSED
        day = config.due_date
        if day is None:  # inconsistent row; put it back on schedule
            due = next_due(schedule, now, after=await self.store.latest_post_date(guild_id))
            await self.store.reschedule(guild_id, due=due, revision=config.revision, now=now)
            return Outcome.RESCHEDULED

        decision = decide(schedule, day, now, self.catchup)
        if decision.action == "wait":
            due = Due(day, decision.scheduled_utc)
            await self.store.reschedule(guild_id, due=due, revision=config.revision, now=now)
            return Outcome.RESCHEDULED
        if decision.action == "skip":
            if schedule.skips(day):
                await self._move_on(config, schedule, day, now)
                return Outcome.RESCHEDULED
            existing = await self.store.get_post(guild_id, day)
            reason = decision.reason or f"Missed the tip for {day}."
            if existing is not None:
                if existing.status != "failed":
                    return await self._already_claimed(config, schedule, existing, now)
                reason = (
                    f"Gave up on the tip for {day} after {existing.attempts} failed "
                    f"attempt(s); last error: {existing.error}"
                )
            log.warning("guild %s: %s", guild_id, reason)
            await self.store.record_skip(
                guild_id,
                day,
                reason=reason,
                now=now,
                next_due=self._next(schedule, now, day),
                revision=config.revision,
            )
            return Outcome.SKIPPED

        claim = await self.store.claim(
            guild_id,
            day,
            self.claimer,
            now,
            self._picker(guild_id, tips),
            max_attempts=self.max_attempts,
        )
        if not claim.won:
            if claim.existing is None:  # vanished meanwhile (guild forgotten): nothing to do
                return Outcome.ALREADY_DONE
            return await self._already_claimed(config, schedule, claim.existing, now)
        assert claim.tip_id is not None
        tip = tips[claim.tip_id]

        try:
            async with asyncio.timeout(self.post_timeout.total_seconds()):
                message_id = await self.poster(guild_id, config.channel_id, tip)
        except PostFailure as exc:
            return await self._failed(config, schedule, day, exc, claim.attempt)
        except TimeoutError:
            return await self._ambiguous(config, schedule, day, "the send timed out")
        except Exception as exc:
            log.exception("guild %s: poster raised unexpectedly", guild_id)
            failure = PostFailure("unknown", f"{type(exc).__name__}: {exc}", retryable=False)
            return await self._failed(config, schedule, day, failure, claim.attempt)

        done = self._now()
        await self.store.mark_sent(
            guild_id,
            day,
            self.claimer,
            tip_id=tip.id,
            message_id=message_id,
            now=done,
            next_due=self._next(schedule, done, day),
            revision=config.revision,
        )
        log.info("guild %s: posted tip %s for %s", guild_id, tip.id, day)
        return Outcome.POSTED

    async def _already_claimed(
        self, config: GuildConfig, schedule: Schedule, existing: PostRecord, now: datetime
    ) -> Outcome:
        """The day's row exists and is not ours: leave a fresh claim alone, settle the rest."""
        guild_id, day = config.guild_id, existing.local_date
        if existing.status == "claimed":
            claimed_at = existing.claimed_at or now
            if now - claimed_at < self.claim_lease:
                log.debug("guild %s %s: claimed by %s, in flight", guild_id, day, existing.claimer)
                return Outcome.IN_FLIGHT
            note = (
                f"Unconfirmed: the tip for {day} was claimed at {claimed_at:%Y-%m-%d %H:%M} UTC "
                f"by {existing.claimer} but never confirmed as sent (the bot probably stopped "
                "mid-post). It was not sent again, to avoid a duplicate."
            )
            log.error("guild %s: %s", guild_id, note)
            await self.store.mark_unconfirmed(
                guild_id,
                day,
                note=note,
                claimed_before=now - self.claim_lease,
                now=now,
                next_due=self._next(schedule, now, day),
                revision=config.revision,
            )
            return Outcome.UNCONFIRMED
        # sent / skipped / unconfirmed / failed with no attempts left: that day is done.
        await self._move_on(config, schedule, day, now)
        return Outcome.ALREADY_DONE

    async def _ambiguous(
        self, config: GuildConfig, schedule: Schedule, day: date, what: str
    ) -> Outcome:
        now = self._now()
        note = (
            f"Unconfirmed: the tip for {day} may or may not have been posted ({what}); "
            "it was not sent again, to avoid a duplicate."
        )
        log.error("guild %s: %s", config.guild_id, note)
        await self.store.mark_unconfirmed(
            config.guild_id,
            day,
            note=note,
            claimed_before=now,
            now=now,
            next_due=self._next(schedule, now, day),
            revision=config.revision,
        )
        return Outcome.UNCONFIRMED

    async def _failed(
        self,
        config: GuildConfig,
        schedule: Schedule,
        day: date,
        exc: PostFailure,
        attempt: int,
    ) -> Outcome:
        guild_id = config.guild_id
        now = self._now()
        error = f"{exc.kind}: {exc.message} (attempt {attempt} of {self.max_attempts})"
        common = {"error": error, "now": now, "revision": config.revision}
        if exc.retryable and attempt < self.max_attempts:
            retry_at = now + self.retry_delays[attempt - 1]
            log.warning("guild %s: %s; retrying at %s", guild_id, error, retry_at)
            await self.store.mark_failed(guild_id, day, self.claimer, retry_at=retry_at, **common)
            return Outcome.RETRY
        if exc.kind in _PAUSING_KINDS:
            reason = pause_reason(exc.kind, config.channel_id)
            log.warning("guild %s: %s; %s", guild_id, error, reason)
            await self.store.mark_failed(guild_id, day, self.claimer, pause_reason=reason, **common)
            return Outcome.PAUSED
        log.error("guild %s: %s; giving up on %s", guild_id, error, day)
        await self.store.mark_failed(
            guild_id, day, self.claimer, next_due=self._next(schedule, now, day), **common
        )
        return Outcome.FAILED

    async def _move_on(
        self, config: GuildConfig, schedule: Schedule, day: date, now: datetime
    ) -> None:
        due = self._next(schedule, now, day)
        await self.store.reschedule(config.guild_id, due=due, revision=config.revision, now=now)

    def _next(self, schedule: Schedule, now: datetime, after: date) -> Due:
        return next_due(schedule, now, after=after, catchup=self.catchup)

    @staticmethod
    def _picker(guild_id: int, tips: dict[str, Tip]) -> Picker:
        ids = sorted(tips)

        def pick(
            state: RotationState | None, previous: str | None
        ) -> tuple[str, RotationState | None]:
            if previous is not None and previous in tips:
                return previous, None  # a retry re-sends the same tip
            return next_tip(state, ids, guild_id)

        return pick

    def _load_tips(self) -> dict[str, Tip]:
        try:
            loaded = self.tips_provider()
        except Exception:
            log.exception("loading tips failed")
            return {}
        tips: dict[str, Tip] = {}
        for tip in loaded:
            if tip.id in tips:
                log.warning("duplicate tip id %r ignored", tip.id)
                continue
            tips[tip.id] = tip
        return tips

    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("the clock must return an aware datetime")
        return now.astimezone(UTC)

    # ------------------------------------------------------------------ admin operations

    async def configure(
        self,
        guild_id: int,
        *,
        channel_id: int | None = None,
        post_time: str | None = None,
        timezone: str | None = None,
        skip_weekends: bool | None = None,
    ) -> TipStatus:
        """Create or change settings; omitted ones keep their value (or the defaults).

        Raises `TipConfigError` (a ValueError; `InvalidPostTimeError`, `UnknownTimeZoneError`)
        with a message fit for the admin. A paused guild stays paused (see `resume`).
        The next post is the next scheduled instant from now on, never a day already handled.
        """
        existing = await self.store.get_config(guild_id)
        if channel_id is not None:
            channel = channel_id
        elif existing is not None:
            channel = existing.channel_id
        else:
            raise TipConfigError("Choose a channel for the daily tip first.")
        if post_time is not None:
            time_text = format_post_time(parse_post_time(post_time))
        else:
            time_text = existing.post_time if existing else DEFAULT_POST_TIME
        zone = (
            normalize_timezone(timezone)
            if timezone is not None
            else (existing.timezone if existing else DEFAULT_TIMEZONE)
        )
        if skip_weekends is None:
            skip_weekends = existing.skip_weekends if existing else False
        schedule = Schedule.parse(time_text, zone, skip_weekends)
        now = self._now()
        due = await self._fresh_due(guild_id, schedule, now)
        config = await self.store.upsert_config(
            guild_id,
            channel_id=channel,
            post_time=time_text,
            timezone=zone,
            skip_weekends=skip_weekends,
            due=due,
            now=now,
        )
        log.info(
            "guild %s: daily tips in %s at %s %s%s",
            guild_id,
            channel,
            time_text,
            zone,
            " (weekdays)" if skip_weekends else "",
        )
        return await self._status(config)

    async def set_skip_weekends(self, guild_id: int, skip: bool) -> TipStatus:
        await self._require(guild_id)
        return await self.configure(guild_id, skip_weekends=skip)

    async def pause(self, guild_id: int, reason: str = "Paused by an admin.") -> TipStatus:
        await self._require(guild_id)
        config = await self.store.set_paused(guild_id, reason, due=None, now=self._now())
        assert config is not None
        log.info("guild %s: tips paused (%s)", guild_id, reason)
        return await self._status(config)

    async def resume(self, guild_id: int) -> TipStatus:
        """Unpause (also after an automatic pause); failures reset; next post from now on."""
        config = await self._require(guild_id)
        now = self._now()
        due = await self._fresh_due(guild_id, config.schedule(), now)
        updated = await self.store.set_paused(guild_id, None, due=due, now=now)
        assert updated is not None
        log.info("guild %s: tips resumed", guild_id)
        return await self._status(updated)

    async def forget(self, guild_id: int) -> bool:
        """Delete the guild's settings and history (e.g. the bot left the server)."""
        return await self.store.delete_guild(guild_id)

    async def post_now(self, guild_id: int) -> ManualPost:
        """Post the guild's next tip now, outside the schedule (works while paused too).

        Advances the rotation; does not consume or move the scheduled daily post. Raises
        `TipsNotConfiguredError`, `NoTipsError`, or the poster's `PostFailure` (also recorded
        as the guild's last error).
        """
        config = await self._require(guild_id)
        tips = self._load_tips()
        if not tips:
            raise NoTipsError("No tips are loaded right now.")
        now = self._now()
        tip_id = await self.store.take_tip(guild_id, self._picker(guild_id, tips), now=now)
        tip = tips[tip_id]
        try:
            async with asyncio.timeout(self.post_timeout.total_seconds()):
                message_id = await self.poster(guild_id, config.channel_id, tip)
        except PostFailure as exc:
            await self.store.record_error(guild_id, error=f"post now: {exc}", now=self._now())
            raise
        await self.store.record_manual_post(
            guild_id, tip_id=tip.id, message_id=message_id, now=self._now()
        )
        log.info("guild %s: posted tip %s on request", guild_id, tip.id)
        return ManualPost(tip, message_id)

    async def status(self, guild_id: int) -> TipStatus | None:
        """The guild's settings and schedule, or None if tips were never set up."""
        config = await self.store.get_config(guild_id)
        return None if config is None else await self._status(config)

    async def _status(self, config: GuildConfig) -> TipStatus:
        next_local = retrying = None
        if config.next_due_utc is not None:
            try:
                schedule = config.schedule()
            except TipConfigError:
                schedule = None
            if schedule is not None:
                next_local = config.next_due_utc.astimezone(schedule.zone)
                if config.due_date is not None:
                    retrying = config.next_due_utc > schedule.scheduled_utc(config.due_date)
        recent = await self.store.recent_posts(config.guild_id, 7)
        return TipStatus(
            guild_id=config.guild_id,
            channel_id=config.channel_id,
            post_time=config.post_time,
            timezone=config.timezone,
            skip_weekends=config.skip_weekends,
            paused=config.paused,
            paused_reason=config.paused_reason,
            next_post_utc=config.next_due_utc,
            next_post_local=next_local,
            next_post_date=config.due_date,
            retrying=bool(retrying),
            last_post_date=config.last_posted_date,
            last_posted_at=config.last_posted_at,
            last_tip_id=config.last_tip_id,
            last_message_id=config.last_message_id,
            last_manual_at=config.last_manual_at,
            last_manual_tip_id=config.last_manual_tip_id,
            last_skip_date=config.last_skipped_date,
            last_skip_reason=config.last_skip_reason,
            last_error=config.last_error,
            last_error_at=config.last_error_at,
            failures=config.failures,
            recent=tuple(recent),
        )

    async def _require(self, guild_id: int) -> GuildConfig:
        config = await self.store.get_config(guild_id)
        if config is None:
            raise TipsNotConfiguredError(guild_id)
        return config

    async def _fresh_due(self, guild_id: int, schedule: Schedule, now: datetime) -> Due:
        """Next post after a settings change: from now on, never a day already handled."""
        return next_due(schedule, now, after=await self.store.latest_post_date(guild_id))
