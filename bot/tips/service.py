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
  them in chunks: decide each guild's day (pure), claim the chunk's days in one transaction
  (`TipStore.claim_many`), send (inline, or with at most ``concurrency`` short-lived workers; no
  task per guild), then record the chunk's outcomes in one transaction
  (`TipStore.apply_writes`). Claims still come before sends, guild by guild; what changes is how
  far ahead: a chunk is about ``claim_ahead`` (1 s) of sends at the pace measured so far in the
  tick, so a hard crash mid-chunk leaves about a second's worth of claimed, unsent tips, which
  (as above) are not re-sent. Whatever the pace, a send is never *started* after
  ``claim_lease - post_timeout`` from its claim: a slower one is handed back as a failed attempt
  (retried, same tip), so no claim of ours can look stale to another process while we may still
  send it. If recording a chunk fails, its outcomes are recorded one guild at a time; one that
  still fails is an ERROR, and its claim row keeps it from being sent again.
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
from bot.tips.rotation import NoTipsError, RotationState, TipIds, next_tip
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
from bot.tips.store import (
    ClaimRequest,
    ClaimResult,
    GuildConfig,
    MarkFailed,
    MarkSent,
    MarkUnconfirmed,
    Picker,
    PostRecord,
    RecordSkip,
    Reschedule,
    StoreWrite,
    TipStore,
)

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
    chunks: int = 0  # claim-send-record rounds (see `TipScheduler`'s ``claim_ahead``)

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


@dataclass(slots=True)
class _Batch:
    """One chunk of a tick in progress: its outcomes (the report's dict), its pending writes."""

    now: datetime
    outcomes: dict[int, Outcome]
    configs: dict[int, GuildConfig]
    writes: list[StoreWrite] = field(default_factory=list)

    def write(self, write: StoreWrite) -> None:
        self.writes.append(write)


@dataclass(frozen=True, slots=True)
class _Step:
    """A due guild whose day's row decides: claim it, or (`missed`: why) record a skip."""

    config: GuildConfig
    schedule: Schedule
    day: date
    missed: str | None = None


@dataclass(frozen=True, slots=True)
class _Send:
    step: _Step
    tip: Tip
    attempt: int
    send_by: datetime  # do not start the send later (see `TipScheduler._send`)


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
        batch_size: int = 100,
        concurrency: int = 4,
        error_backoff: timedelta = timedelta(minutes=5),
        claim_ahead: timedelta = timedelta(seconds=1),
        chunk_size: int | None = None,
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
        # A tick claims its due guilds a chunk at a time, just before that chunk's sends, and
        # records the chunk's outcomes right after them. A chunk is about `claim_ahead` worth of
        # sends at the pace measured so far in the tick (the first is small), or `chunk_size`
        # guilds if given: that bounds what a hard crash mid-chunk leaves claimed but unsent.
        # The claim lease holds whatever the pace: see `_send`.
        if chunk_size is not None and chunk_size < 1:
            raise ValueError("chunk_size must be at least 1")
        self.claim_ahead = claim_ahead
        self.chunk_size = chunk_size

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
            else:
                ids = TipIds.of(tips)
                size = self.chunk_size or self.concurrency * 8
                start = 0
                while start < len(due):
                    chunk = due[start : start + size]
                    start += len(chunk)
                    report.chunks += 1
                    began = _time.perf_counter()
                    await self._run_chunk(chunk, tips, ids, report)
                    if self.chunk_size is None:  # about `claim_ahead` at the pace so far
                        pace = len(chunk) / max(_time.perf_counter() - began, 1e-6)
                        ahead = int(pace * self.claim_ahead.total_seconds())
                        size = max(self.concurrency, ahead)
        if not due:  # a quiet minute: the time to tidy up the database, not a busy one
            try:
                await self.store.checkpoint()
            except Exception:
                log.warning("tips tick: database checkpoint failed", exc_info=True)
        report.elapsed_ms = (_time.perf_counter() - started) * 1000
        if report.outcomes:
            counts = {o.value: report.count(o) for o in Outcome if report.count(o)}
            log.info("tips tick: %d due, %s (%.1f ms)", report.due, counts, report.elapsed_ms)
        return report

    async def _run_chunk(
        self,
        configs: Sequence[GuildConfig],
        tips: dict[str, Tip],
        ids: TipIds,
        report: TickReport,
    ) -> None:
        """Decide, claim, send, record, for one chunk of due guilds. Never raises (except
        cancellation): every guild ends with an outcome."""
        batch = _Batch(self._now(), report.outcomes, {c.guild_id: c for c in configs})
        try:
            steps = await self._plan_all(configs, batch)
            sends = await self._claim_all(steps, tips, ids, batch)
            await self._send_all(sends, batch)
        except Exception:  # a bug: this chunk's guilds without an outcome are looked at later
            log.exception("tips tick: a chunk of %d guild(s) failed unexpectedly", len(configs))
            for config in configs:
                if config.guild_id not in batch.outcomes:
                    self._error(batch, config)
        finally:
            # Also when cancelled mid-send: what was sent is recorded as sent, if we still can.
            await self._flush(batch)

    async def _plan_all(self, configs: Sequence[GuildConfig], batch: _Batch) -> list[_Step]:
        """Settle what needs no claim (wait, weekend, missed day...); return the rest."""
        to_claim: list[_Step] = []
        missed: list[_Step] = []
        for config in configs:
            try:
                step = await self._plan(config, batch)
            except Exception:
                log.exception("daily tip for guild %s failed unexpectedly", config.guild_id)
                self._error(batch, config)
                continue
            if isinstance(step, Outcome):
                batch.outcomes[config.guild_id] = step
            elif step.missed is None:
                to_claim.append(step)
            else:
                missed.append(step)
        if missed:
            try:
                posts = await self.store.get_posts([(s.config.guild_id, s.day) for s in missed])
            except Exception:
                log.exception("tips tick: could not read %d missed day(s)", len(missed))
                for step in missed:
                    self._error(batch, step.config)
                return to_claim
            for step in missed:
                try:
                    existing = posts.get((step.config.guild_id, step.day))
                    outcome = self._settle_missed(batch, step, existing)
                    batch.outcomes[step.config.guild_id] = outcome
                except Exception:
                    log.exception(
                        "daily tip for guild %s failed unexpectedly", step.config.guild_id
                    )
                    self._error(batch, step.config)
        return to_claim

    async def _plan(self, config: GuildConfig, batch: _Batch) -> Outcome | _Step:
        guild_id = config.guild_id
        now = batch.now
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
            batch.write(Reschedule(guild_id, due, config.revision, now))
            return Outcome.RESCHEDULED

        decision = decide(schedule, day, now, self.catchup)
        if decision.action == "wait":
            batch.write(
                Reschedule(guild_id, Due(day, decision.scheduled_utc), config.revision, now)
            )
            return Outcome.RESCHEDULED
        if decision.action == "skip":
            if schedule.skips(day):
                batch.write(self._move_on(config, schedule, day, now))
                return Outcome.RESCHEDULED
            return _Step(config, schedule, day, decision.reason or f"Missed the tip for {day}.")
        return _Step(config, schedule, day)

    def _settle_missed(self, batch: _Batch, step: _Step, existing: PostRecord | None) -> Outcome:
        """A day missed beyond the catch-up window: record the skip, unless the day's row
        tells another story (posted, in flight...)."""
        config, day, now = step.config, step.day, batch.now
        reason = step.missed or ""
        if existing is not None:
            if existing.status != "failed":
                return self._already_claimed(batch, config, step.schedule, existing, now)
            reason = (
                f"Gave up on the tip for {day} after {existing.attempts} failed "
                f"attempt(s); last error: {existing.error}"
            )
        log.warning("guild %s: %s", config.guild_id, reason)
        next_day = self._next(step.schedule, now, day)
        batch.write(RecordSkip(config.guild_id, day, reason, now, next_day, config.revision))
        return Outcome.SKIPPED

    async def _claim_all(
        self, steps: Sequence[_Step], tips: dict[str, Tip], ids: TipIds, batch: _Batch
    ) -> list[_Send]:
        """Claim the chunk's days in one transaction; return the claims won, to send."""
        if not steps:
            return []
        now = self._now()
        requests = [
            ClaimRequest(s.config.guild_id, s.day, self._picker(s.config.guild_id, tips, ids))
            for s in steps
        ]
        try:
            results = await self.store.claim_many(
                requests, self.claimer, now, max_attempts=self.max_attempts
            )
        except Exception:
            # Nothing of the batch was claimed (one transaction). One by one, a guild whose
            # row or rotation breaks the database fails alone.
            log.warning(
                "batched claim of %d guild(s) failed; one by one", len(steps), exc_info=True
            )
            results = [await self._claim_one(request, now) for request in requests]
        # The claims read as claimed at `now` to the second (stored so): to every process, their
        # lease runs out at claimed + claim_lease. A send started by send_by ends by then.
        send_by = now.replace(microsecond=0) + self.claim_lease - self.post_timeout
        sends: list[_Send] = []
        for step, result in zip(steps, results, strict=True):
            guild_id = step.config.guild_id
            try:
                if result.error is not None:
                    log.error(
                        "daily tip for guild %s failed unexpectedly",
                        guild_id,
                        exc_info=result.error,
                    )
                    self._error(batch, step.config)
                elif not result.won:
                    if result.existing is None:  # vanished meanwhile (guild forgotten)
                        batch.outcomes[guild_id] = Outcome.ALREADY_DONE
                    else:
                        batch.outcomes[guild_id] = self._already_claimed(
                            batch, step.config, step.schedule, result.existing, now
                        )
                else:
                    assert result.tip_id is not None
                    sends.append(_Send(step, tips[result.tip_id], result.attempt, send_by))
            except Exception:
                log.exception("daily tip for guild %s failed unexpectedly", guild_id)
                self._error(batch, step.config)
        return sends

    async def _claim_one(self, request: ClaimRequest, now: datetime) -> ClaimResult:
        try:
            return await self.store.claim(
                request.guild_id,
                request.local_date,
                self.claimer,
                now,
                request.pick,
                max_attempts=self.max_attempts,
            )
        except Exception as exc:
            return ClaimResult(False, None, 0, None, error=exc)

    async def _send_all(self, sends: Sequence[_Send], batch: _Batch) -> None:
        """Send the claimed tips, inline or with at most ``concurrency`` short-lived workers."""
        if self.concurrency == 1 or len(sends) <= 1:
            for send in sends:
                await self._send(send, batch)
            return
        pending = iter(sends)

        async def worker() -> None:
            for send in pending:  # shared iterator: each guild handled once
                await self._send(send, batch)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.concurrency, len(sends))):
                group.create_task(worker())

    async def _send(self, send: _Send, batch: _Batch) -> None:
        config, schedule, day = send.step.config, send.step.schedule, send.step.day
        guild_id, tip = config.guild_id, send.tip
        try:
            if self._now() >= send.send_by:
                # The sends before it were so slow that this claim's lease could run out
                # mid-send, and another process take it for stale: not sent, so it is safe to
                # hand back as a failed attempt (retried with the same tip, never twice).
                failure = PostFailure("transient", "not sent: the sends before it took too long")
                batch.outcomes[guild_id] = self._failed(
                    batch, config, schedule, day, failure, send.attempt
                )
                return
            try:
                async with asyncio.timeout(self.post_timeout.total_seconds()):
                    message_id = await self.poster(guild_id, config.channel_id, tip)
            except PostFailure as exc:
                outcome = self._failed(batch, config, schedule, day, exc, send.attempt)
            except TimeoutError:
                outcome = self._ambiguous(batch, config, schedule, day, "the send timed out")
            except Exception as exc:
                log.exception("guild %s: poster raised unexpectedly", guild_id)
                failure = PostFailure("unknown", f"{type(exc).__name__}: {exc}", retryable=False)
                outcome = self._failed(batch, config, schedule, day, failure, send.attempt)
            else:
                done = self._now()
                batch.write(
                    MarkSent(
                        guild_id,
                        day,
                        self.claimer,
                        tip.id,
                        message_id,
                        done,
                        self._next(schedule, done, day),
                        config.revision,
                    )
                )
                log.info("guild %s: posted tip %s for %s", guild_id, tip.id, day)
                outcome = Outcome.POSTED
        except Exception:
            log.exception("daily tip for guild %s failed unexpectedly", guild_id)
            self._error(batch, config)
            return
        batch.outcomes[guild_id] = outcome

    async def _flush(self, batch: _Batch) -> None:
        """Record the chunk's outcomes in one transaction. If that fails, one guild at a time,
        so one bad row costs only its guild: that guild's outcome becomes ERROR, and its claim
        row (already there) still keeps it from being sent again."""
        writes, batch.writes = batch.writes, []
        if not writes:
            return
        try:
            await self.store.apply_writes(writes)
            return
        except Exception:
            log.warning("recording %d outcome(s) at once failed; one by one", len(writes))
        for write in writes:
            try:
                await self.store.apply_writes([write])
            except Exception:
                log.exception("guild %s: could not record the daily tip", write.guild_id)
                batch.outcomes[write.guild_id] = Outcome.ERROR
                config = batch.configs.get(write.guild_id)
                if config is not None and not isinstance(write, Reschedule):
                    await self._back_off(config)

    def _error(self, batch: _Batch, config: GuildConfig) -> None:
        """An unexpected error for one guild: look at it again after ``error_backoff``, not
        every tick (compare-and-set, so harmless if its schedule moved on meanwhile)."""
        batch.outcomes[config.guild_id] = Outcome.ERROR
        if config.due_date is not None:
            now = self._now()
            due = Due(config.due_date, now + self.error_backoff)
            batch.write(Reschedule(config.guild_id, due, config.revision, now))

    async def _back_off(self, config: GuildConfig) -> None:
        """`_error`'s back-off, written at once. Best effort: if the error came after the
        schedule moved on, or the database itself is failing, this changes nothing. A claim
        already taken stays taken, so the retry can never double-post."""
        if config.due_date is None:
            return
        try:
            now = self._now()
            due = Due(config.due_date, now + self.error_backoff)
            await self.store.reschedule(config.guild_id, due=due, revision=config.revision, now=now)
        except Exception:
            log.debug("could not back off guild %s", config.guild_id, exc_info=True)

    def _already_claimed(
        self,
        batch: _Batch,
        config: GuildConfig,
        schedule: Schedule,
        existing: PostRecord,
        now: datetime,
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
            batch.write(
                MarkUnconfirmed(
                    guild_id,
                    day,
                    note,
                    now - self.claim_lease,
                    now,
                    self._next(schedule, now, day),
                    config.revision,
                )
            )
            return Outcome.UNCONFIRMED
        # sent / skipped / unconfirmed / failed with no attempts left: that day is done.
        batch.write(self._move_on(config, schedule, day, now))
        return Outcome.ALREADY_DONE

    def _ambiguous(
        self, batch: _Batch, config: GuildConfig, schedule: Schedule, day: date, what: str
    ) -> Outcome:
        now = self._now()
        note = (
            f"Unconfirmed: the tip for {day} may or may not have been posted ({what}); "
            "it was not sent again, to avoid a duplicate."
        )
        log.error("guild %s: %s", config.guild_id, note)
        next_day = self._next(schedule, now, day)
        batch.write(
            MarkUnconfirmed(config.guild_id, day, note, now, now, next_day, config.revision)
        )
        return Outcome.UNCONFIRMED

    def _failed(
        self,
        batch: _Batch,
        config: GuildConfig,
        schedule: Schedule,
        day: date,
        exc: PostFailure,
        attempt: int,
    ) -> Outcome:
        guild_id = config.guild_id
        now = self._now()
        error = f"{exc.kind}: {exc.message} (attempt {attempt} of {self.max_attempts})"
        common = (guild_id, day, self.claimer, error, now, config.revision)
        if exc.retryable and attempt < self.max_attempts:
            retry_at = now + self.retry_delays[attempt - 1]
            log.warning("guild %s: %s; retrying at %s", guild_id, error, retry_at)
            batch.write(MarkFailed(*common, retry_at=retry_at))
            return Outcome.RETRY
        if exc.kind in _PAUSING_KINDS:
            reason = pause_reason(exc.kind, config.channel_id)
            log.warning("guild %s: %s; %s", guild_id, error, reason)
            batch.write(MarkFailed(*common, pause_reason=reason))
            return Outcome.PAUSED
        log.error("guild %s: %s; giving up on %s", guild_id, error, day)
        batch.write(MarkFailed(*common, next_due=self._next(schedule, now, day)))
        return Outcome.FAILED

    def _move_on(
        self, config: GuildConfig, schedule: Schedule, day: date, now: datetime
    ) -> Reschedule:
        return Reschedule(config.guild_id, self._next(schedule, now, day), config.revision, now)

    def _next(self, schedule: Schedule, now: datetime, after: date) -> Due:
        return next_due(schedule, now, after=after, catchup=self.catchup)

    @staticmethod
    def _picker(guild_id: int, tips: dict[str, Tip], ids: TipIds | None = None) -> Picker:
        ids = ids or TipIds.of(tips)

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
