"""`DailyScheduler`: one post a day per server, at its local time, never twice, never lost.

Generic over the kind of post (daily tips, a question of the day...): a `DailyContent`
chooses what to post and sends it; this module decides when, and keeps the promises. No
Discord here. A cog calls `tick` from one `discord.ext.tasks` loop.

* **Claim before send.** The (server, kind, local date) row is claimed in the database, and
  the item chosen in the same transaction, before anything is sent; only the claimer sends.
* **Never twice.** A claim that was never confirmed (the process died mid-send, the send timed
  out, Discord answered 5xx, which does not prove the message was not created) is recorded as
  unconfirmed and never sent again: a missed post beats a double one. Sends carry a nonce
  derived from (server, kind, local date) with ``enforce_nonce``, so Discord itself drops a
  repeat (discord.py retries some 5xx by itself).
* **Never lost.** A post missed while the bot was down still goes out later the same local day
  within `catchup`; later, the day is skipped with the reason in the status. A failure that
  certainly created nothing (a 429, a refused connection, a missing channel) is retried
  (2 then 5 minutes later, the same item); when attempts run out a missing channel or
  permission pauses the schedule with the reason, other failures give up that day.
* **No head-of-line blocking.** A day another process holds (fresh or stale claim) moves that
  server's next look to the end of the claim's lease, so it never stays at the head of the due
  queue (the due query is ``ORDER BY next_due_at LIMIT batch_size``).
* **Quiet failure.** A database fault ends the tick with one log line; a bug hitting many
  servers logs one line per distinct fault and tick.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import socket
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scheduling.store import DailyPostStore, PostRow, ScheduleRow, ShardFilter
from bot.scheduling.times import (
    Due,
    Schedule,
    ScheduleError,
    decide,
    format_post_time,
    next_due,
    normalize_timezone,
    parse_post_time,
)
from bot.store import Database, StoreUnavailable

log = logging.getLogger(__name__)

DEFAULT_POST_TIME = "09:00"
DEFAULT_TIMEZONE = "America/New_York"
FailureKind = Literal["channel_missing", "missing_permissions", "transient", "unknown"]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def default_claimer() -> str:
    """Names this process run in claims: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def nonce_for(guild_id: int, kind: str, day: date) -> str:
    """The message nonce of a server's post for a local date (Discord: at most 25 chars)."""
    return hashlib.sha256(f"{kind}:{guild_id}:{day}".encode()).hexdigest()[:25]


class PostFailure(Exception):
    """The message was certainly not created. `retryable` defaults to True except for
    ``unknown``; ``channel_missing`` and ``missing_permissions`` pause once attempts run out."""

    def __init__(self, kind: FailureKind, message: str, retryable: bool | None = None) -> None:
        self.kind: FailureKind = kind
        self.message = message
        self.retryable = kind != "unknown" if retryable is None else retryable
        super().__init__(f"{kind}: {message}")


class PostUnconfirmed(Exception):
    """The send may have created the message (a 5xx, a dropped connection): not retried."""


def classify_http(status: int, code: int | None, text: str) -> PostFailure | PostUnconfirmed:
    """What a Discord HTTP error status (and JSON code) says about a create-message call."""
    message = text or f"HTTP {status}" + (f" (code {code})" if code else "")
    if code == 10003 or status == 404:
        return PostFailure("channel_missing", message)
    if code in (50001, 50013) or status == 403:
        return PostFailure("missing_permissions", message)
    if status == 429:
        return PostFailure("transient", message)
    if status >= 500:  # Discord may have created it before failing: never blindly again
        return PostUnconfirmed(f"Discord answered {message}")
    return PostFailure("unknown", message, retryable=False)


def pause_reason(kind: str, channel_id: int) -> str:
    if kind == "channel_missing":
        return f"Paused: the channel was deleted or the bot can no longer see it (<#{channel_id}>)."
    return f"Paused: missing permission to send messages or embed links in <#{channel_id}>."


class DailyContent(Protocol):
    """What a kind of daily post provides to the scheduler."""

    def ready(self) -> bool:
        """Whether there is anything to post at all (e.g. the tips are loaded)."""
        ...

    async def pick(self, conn: AsyncConnection, guild_id: int) -> str:
        """Choose (and take, e.g. advance a rotation) the server's next item, inside the
        claim's transaction: it is undone if the claim is."""
        ...

    async def post(self, guild_id: int, channel_id: int, item_id: str, nonce: str) -> int | None:
        """Send it; return the message id. Raise `PostFailure` only when certainly not sent."""
        ...


class NotConfiguredError(LookupError):
    """The server has no settings for this kind of post."""


class Outcome(StrEnum):
    """What a tick did for one due server."""

    POSTED = "posted"
    RETRY = "retry"  # certainly not sent; tried again in a few minutes
    PAUSED = "paused"  # failed for good; paused with a reason
    FAILED = "failed"  # failed for good; that day given up
    SKIPPED = "skipped"  # missed beyond the catch-up window; recorded with a reason
    UNCONFIRMED = "unconfirmed"  # maybe sent, maybe not: never sent again
    IN_FLIGHT = "in_flight"  # another process holds a fresh claim: looked at after its lease
    ALREADY_DONE = "already_done"  # that day was handled already
    RESCHEDULED = "rescheduled"  # not due after all (early, a weekend)
    ERROR = "error"  # unexpected: logged, looked at again after a back-off


@dataclass(slots=True)
class TickReport:
    now: datetime
    due: int = 0
    outcomes: dict[int, Outcome] = field(default_factory=dict)
    more_due: bool = False  # the batch was full: tick again soon
    unavailable: str | None = None  # the database failed: the tick stopped
    nothing_to_post: bool = False  # no items loaded: nothing was done

    def count(self, outcome: Outcome) -> int:
        return sum(1 for o in self.outcomes.values() if o is outcome)

    @property
    def posted(self) -> list[int]:
        return [g for g, o in self.outcomes.items() if o is Outcome.POSTED]


@dataclass(frozen=True, slots=True)
class DailyStatus:
    """Everything an admin's status command shows."""

    guild_id: int
    channel_id: int
    post_time: str
    timezone: str
    skip_weekends: bool
    paused_reason: str | None
    next_post_utc: datetime | None  # None while paused
    next_post_local: datetime | None
    retrying: bool  # the next post is a retry of a failed attempt
    last_post_date: date | None
    last_posted_at: datetime | None
    last_item_id: str | None
    last_skip_date: date | None
    last_skip_reason: str | None
    last_error: str | None
    last_error_at: datetime | None
    failures: int

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None


class DailyScheduler:
    """Posts one `kind` of daily post for every configured server. See the module docs.

    `shards`, when set, limits the ticks to the servers of this process's shards.
    """

    def __init__(
        self,
        db: Database,
        kind: str,
        content: DailyContent,
        *,
        clock: Clock = utc_now,
        catchup: timedelta = timedelta(hours=6),
        claimer: str | None = None,
        retry_delays: Sequence[timedelta] = (timedelta(minutes=2), timedelta(minutes=5)),
        claim_lease: timedelta = timedelta(minutes=10),
        post_timeout: timedelta = timedelta(seconds=60),
        batch_size: int = 100,
        concurrency: int = 8,
        error_backoff: timedelta = timedelta(minutes=5),
        keep_history: timedelta = timedelta(days=90),
        shards: ShardFilter | None = None,
    ) -> None:
        if claim_lease <= post_timeout:
            raise ValueError("claim_lease must be longer than post_timeout")
        self.db = db
        self.kind = kind
        self.store = DailyPostStore(db, kind)
        self.content = content
        self.clock = clock
        self.catchup = catchup
        self.claimer = claimer or default_claimer()
        self.retry_delays = tuple(retry_delays)
        self.max_attempts = len(self.retry_delays) + 1
        self.claim_lease = claim_lease
        self.post_timeout = post_timeout
        self.batch_size = batch_size
        self.concurrency = concurrency
        self.error_backoff = error_backoff
        self.keep_history = keep_history
        self.shards = shards
        self._pruned_at: datetime | None = None

    # ------------------------------------------------------------------ the tick
    async def tick(self) -> TickReport:
        """Handle the servers due now (at most ``batch_size``; tick again if `more_due`).
        Never raises for a server's problem nor for a database fault (see the report)."""
        report = TickReport(now=self.now())
        try:
            await self._prune(report.now)
            due = await self.store.due(report.now, self.batch_size, self.shards)
        except StoreUnavailable as error:
            return self._stopped(report, error.detail)
        report.due, report.more_due = len(due), len(due) >= self.batch_size
        if due and not self.content.ready():
            log.warning("%s tick: nothing to post; %d server(s) wait", self.kind, len(due))
            report.nothing_to_post, report.more_due = True, False
            return report
        faults: Counter[str] = Counter()
        first_error: dict[str, BaseException] = {}
        pending = iter(due)

        async def worker() -> None:
            for row in pending:  # shared: each server handled once
                if report.unavailable is not None:
                    return
                try:
                    report.outcomes[row.guild_id] = await self._handle(row)
                except StoreUnavailable as error:
                    report.unavailable = error.detail
                except Exception as error:
                    fault = f"{type(error).__name__}: {error}"
                    faults[fault] += 1
                    first_error.setdefault(fault, error)
                    report.outcomes[row.guild_id] = Outcome.ERROR
                    await self._back_off(row)

        async with asyncio.TaskGroup() as group:
            for _ in range(min(self.concurrency, len(due))):
                group.create_task(worker())
        for fault, count in faults.items():
            log.error(
                "%s tick: %d server(s) failed: %s", self.kind, count, fault,
                exc_info=first_error[fault],
            )  # fmt: skip
        if report.unavailable is not None:
            return self._stopped(report, report.unavailable)
        if report.outcomes:
            counts = {o.value: report.count(o) for o in Outcome if report.count(o)}
            log.info("%s tick: %d due, %s", self.kind, report.due, counts)
        return report

    def _stopped(self, report: TickReport, detail: str) -> TickReport:
        log.error("%s tick stopped: the database is unavailable (%s)", self.kind, detail)
        report.unavailable, report.more_due = detail, False
        return report

    async def _handle(self, row: ScheduleRow) -> Outcome:
        now = self.now()
        try:
            schedule = row.schedule()
        except ScheduleError as error:  # e.g. a zone gone from tzdata: pause, don't loop
            reason = f"Paused: the saved settings are no longer valid ({error})"
            await self.store.pause_for(row, reason, reason, now)
            return Outcome.PAUSED
        day = row.due_date
        if day is None:  # inconsistent row: put it back on schedule
            await self.store.move_on(row, await self._fresh_due(row.guild_id, schedule, now), now)
            return Outcome.RESCHEDULED
        decision = decide(schedule, day, now, self.catchup)
        if decision.action == "wait":
            await self.store.move_on(row, Due(day, decision.scheduled_utc), now)
            return Outcome.RESCHEDULED
        if decision.action == "skip" and schedule.skips(day):
            await self.store.move_on(row, self._next(schedule, now, day), now)
            return Outcome.RESCHEDULED
        if decision.action == "skip":
            return await self._skip(row, schedule, day, decision.reason or "Missed.", now)
        return await self._claim_and_send(row, schedule, day, now)

    async def _skip(
        self, row: ScheduleRow, schedule: Schedule, day: date, reason: str, now: datetime
    ) -> Outcome:
        existing = await self.store.post(row.guild_id, day)
        if existing is not None and existing.status == "failed":
            reason = (
                f"Gave up on the post for {day} after {existing.attempts} failed attempt(s); "
                f"last error: {existing.error}"
            )
        other = await self.store.record_skip(row.guild_id, day, reason)
        if other is not None:
            return await self._lost(row, schedule, other, now)
        log.debug("guild %s: %s", row.guild_id, reason)
        await self.store.move_on(row, self._next(schedule, now, day), now)
        return Outcome.SKIPPED

    async def _claim_and_send(
        self, row: ScheduleRow, schedule: Schedule, day: date, now: datetime
    ) -> Outcome:
        async with self.db.begin() as conn:
            claim = await self.store.claim(
                conn, row.guild_id, day, claimer=self.claimer, now=now,
                max_attempts=self.max_attempts,
            )  # fmt: skip
            item = claim.item_id
            if claim.won and item is None:
                item = await self.content.pick(conn, row.guild_id)
                await self.store.set_item(conn, row.guild_id, day, item)
        if not claim.won or item is None:
            return await self._lost(row, schedule, claim.existing, now)
        return await self._send(row, schedule, day, item, claim.attempt)

    async def _lost(
        self, row: ScheduleRow, schedule: Schedule, existing: PostRow | None, now: datetime
    ) -> Outcome:
        """The day's row is not ours: leave a fresh claim alone until its lease is out
        (looking again only then), settle a stale one, move on from a finished day."""
        if existing is None:  # the server was forgotten meanwhile
            return Outcome.ALREADY_DONE
        day = existing.local_date
        if existing.status == "claimed":
            claimed_at = existing.claimed_at or now
            if now - claimed_at < self.claim_lease:
                await self.store.move_on(row, Due(day, claimed_at + self.claim_lease), now)
                return Outcome.IN_FLIGHT
            note = (
                f"Unconfirmed: the post for {day} was claimed at {claimed_at:%Y-%m-%d %H:%M} "
                "UTC but never confirmed as sent (the bot probably stopped mid-post). It was "
                "not sent again, to avoid a duplicate."
            )
            await self.store.give_up_stale(
                row.guild_id, day, note, claimed_before=now - self.claim_lease
            )
            await self.store.move_on(row, self._next(schedule, now, day), now, error=note)
            log.warning("guild %s: %s", row.guild_id, note)
            return Outcome.UNCONFIRMED
        await self.store.move_on(row, self._next(schedule, now, day), now)
        return Outcome.ALREADY_DONE

    async def _send(
        self, row: ScheduleRow, schedule: Schedule, day: date, item: str, attempt: int
    ) -> Outcome:
        nonce = nonce_for(row.guild_id, self.kind, day)
        try:
            async with asyncio.timeout(self.post_timeout.total_seconds()):
                message_id = await self.content.post(row.guild_id, row.channel_id, item, nonce)
        except PostFailure as failure:
            return await self._failed(row, schedule, day, failure, attempt)
        except TimeoutError:
            return await self._unconfirmed(row, schedule, day, "the send timed out")
        except Exception as error:  # PostUnconfirmed, or a surprise mid-send
            return await self._unconfirmed(row, schedule, day, str(error) or type(error).__name__)
        now = self.now()
        await self.store.settle(
            row, day, claimer=self.claimer, status="sent", now=now, message_id=message_id,
            next_due=self._next(schedule, now, day),
        )  # fmt: skip
        log.debug("guild %s: posted %s %s for %s", row.guild_id, self.kind, item, day)
        return Outcome.POSTED

    async def _failed(
        self, row: ScheduleRow, schedule: Schedule, day: date, failure: PostFailure, attempt: int
    ) -> Outcome:
        now = self.now()
        error = f"{failure} (attempt {attempt} of {self.max_attempts})"
        retrying = failure.retryable and attempt < self.max_attempts
        if retrying:
            next_due = Due(day, now + self.retry_delays[attempt - 1])
        else:
            next_due = self._next(schedule, now, day)
        await self.store.settle(
            row, day, claimer=self.claimer, status="failed", now=now, next_due=next_due,
            error=error,
        )  # fmt: skip
        if retrying:
            log.info("guild %s: %s; retrying at %s", row.guild_id, error, next_due.at_utc)
            return Outcome.RETRY
        if failure.kind in ("channel_missing", "missing_permissions"):
            reason = pause_reason(failure.kind, row.channel_id)
            await self.store.pause_for(row, reason, error, now)
            log.warning("guild %s: %s; %s", row.guild_id, error, reason)
            return Outcome.PAUSED
        log.warning("guild %s: %s; gave up on %s", row.guild_id, error, day)
        return Outcome.FAILED

    async def _unconfirmed(
        self, row: ScheduleRow, schedule: Schedule, day: date, what: str
    ) -> Outcome:
        now = self.now()
        note = (
            f"Unconfirmed: the post for {day} may or may not have gone out ({what}); "
            "it was not sent again, to avoid a duplicate."
        )
        await self.store.settle(
            row, day, claimer=self.claimer, status="unconfirmed", now=now, error=note,
            next_due=self._next(schedule, now, day),
        )  # fmt: skip
        log.warning("guild %s: %s", row.guild_id, note)
        return Outcome.UNCONFIRMED

    async def _back_off(self, row: ScheduleRow) -> None:
        """After an unexpected error, look at the server again later, not every tick. Best
        effort (compare-and-set): a claim already taken still keeps it from posting twice."""
        try:
            now = self.now()
            due = Due(row.due_date or now.date(), now + self.error_backoff)
            await self.store.move_on(row, due, now)
        except Exception:
            log.debug("could not back off guild %s", row.guild_id, exc_info=True)

    async def _prune(self, now: datetime) -> None:
        """Once a day (per process), drop post history older than `keep_history`."""
        if self._pruned_at is not None and now - self._pruned_at < timedelta(days=1):
            return
        deleted = await self.store.prune((now - self.keep_history).date())
        self._pruned_at = now
        if deleted:
            log.info("daily posts: pruned %d history row(s)", deleted)

    def _next(self, schedule: Schedule, now: datetime, after: date) -> Due:
        return next_due(schedule, now, after=after, catchup=self.catchup)

    def now(self) -> datetime:
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
    ) -> DailyStatus:
        """Create or change settings; omitted ones keep their value (or the defaults).
        Raises `ScheduleError` with a message for the admin. A paused schedule stays paused;
        the next post is the next scheduled instant from now, never a day already handled."""
        existing = await self.store.get(guild_id)
        if channel_id is None and existing is None:
            raise ScheduleError("Choose a channel first.")
        channel = channel_id if channel_id is not None else existing.channel_id  # type: ignore[union-attr]
        time_text = (
            format_post_time(parse_post_time(post_time))
            if post_time is not None
            else (existing.post_time if existing else DEFAULT_POST_TIME)
        )
        zone = (
            normalize_timezone(timezone)
            if timezone is not None
            else (existing.timezone if existing else DEFAULT_TIMEZONE)
        )
        if skip_weekends is None:
            skip_weekends = existing.skip_weekends if existing else False
        schedule = Schedule.parse(time_text, zone, skip_weekends)
        now = self.now()
        row = await self.store.save_settings(
            guild_id, channel_id=channel, post_time=time_text, timezone=zone,
            skip_weekends=skip_weekends, due=await self._fresh_due(guild_id, schedule, now),
            now=now,
        )  # fmt: skip
        log.info("guild %s: daily %s in %s at %s %s", guild_id, self.kind, channel, time_text, zone)
        return await self._status(row)

    async def set_skip_weekends(self, guild_id: int, skip: bool) -> DailyStatus:
        await self.require(guild_id)
        return await self.configure(guild_id, skip_weekends=skip)

    async def pause(self, guild_id: int, reason: str = "Paused by an admin.") -> DailyStatus:
        await self.require(guild_id)
        row = await self.store.pause(guild_id, reason, self.now())
        return await self._status(_required(row, guild_id))

    async def resume(self, guild_id: int) -> DailyStatus:
        """Unpause (also after an automatic pause); failures reset; next post from now on."""
        row = await self.require(guild_id)
        now = self.now()
        due = await self._fresh_due(guild_id, row.schedule(), now)
        return await self._status(_required(await self.store.resume(guild_id, due, now), guild_id))

    async def forget(self, guild_id: int) -> bool:
        return await self.store.delete(guild_id)

    async def status(self, guild_id: int) -> DailyStatus | None:
        row = await self.store.get(guild_id)
        return None if row is None else await self._status(row)

    async def _status(self, row: ScheduleRow) -> DailyStatus:
        sent = await self.store.latest(row.guild_id, "sent")
        skipped = await self.store.latest(row.guild_id, "skipped")
        local = retrying = None
        if row.next_due_at is not None:
            try:
                schedule = row.schedule()
            except ScheduleError:
                schedule = None
            if schedule is not None:
                local = row.next_due_at.astimezone(schedule.zone)
                if row.due_date is not None:
                    retrying = row.next_due_at > schedule.scheduled_utc(row.due_date)
        return DailyStatus(
            guild_id=row.guild_id,
            channel_id=row.channel_id,
            post_time=row.post_time,
            timezone=row.timezone,
            skip_weekends=row.skip_weekends,
            paused_reason=row.paused_reason,
            next_post_utc=row.next_due_at,
            next_post_local=local,
            retrying=bool(retrying) and row.failures > 0,
            last_post_date=sent.local_date if sent else None,
            last_posted_at=sent.sent_at if sent else None,
            last_item_id=sent.item_id if sent else None,
            last_skip_date=skipped.local_date if skipped else None,
            last_skip_reason=skipped.error if skipped else None,
            last_error=row.last_error,
            last_error_at=row.last_error_at,
            failures=row.failures,
        )

    async def require(self, guild_id: int) -> ScheduleRow:
        return _required(await self.store.get(guild_id), guild_id)

    async def _fresh_due(self, guild_id: int, schedule: Schedule, now: datetime) -> Due:
        """Next post after a settings change: from now on, never a day already handled."""
        latest = await self.store.latest(guild_id)
        return next_due(schedule, now, after=latest.local_date if latest else None)


def _required(row: ScheduleRow | None, guild_id: int) -> ScheduleRow:
    if row is None:
        raise NotConfiguredError(f"server {guild_id} has no daily posts set up")
    return row
