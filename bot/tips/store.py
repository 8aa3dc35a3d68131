"""Persistence for daily tips: a narrow async `TipStore` protocol and its SQLite implementation.

Correctness lives in the database, not in the process, so a PostgreSQL implementation can
follow with several bot processes sharing one database:

* the daily claim is an INSERT into ``posts`` whose primary key is ``(guild_id, local_date)``:
  a second claim for the same guild and local day fails, whichever process or restart makes it;
* a retry of a *failed* attempt re-claims the row with a conditional UPDATE
  (``WHERE status = 'failed' AND attempts = ?``), so two retriers cannot both win;
* the rotation state is read and advanced inside the claim's transaction. That is why `claim`
  takes a pure ``pick`` function rather than a ready tip id: the tip is chosen from the state
  as it is under the write lock, and the rotation only advances if the claim is won (on
  PostgreSQL: ``SELECT ... FOR UPDATE`` on the rotation row, and the INSERT's unique violation);
* schedule writes made by the scheduler are compare-and-set on ``guild_config.revision``, so a
  process acting on a stale row never overwrites a newer schedule (an admin's change, or another
  process that got there first).

A scheduler tick works on batches: `TipStore.claim_many` claims many guilds' days in one
transaction (the same rules as `claim`, per guild), and `TipStore.apply_writes` records a
batch's outcomes (`MarkSent`, `MarkFailed`, ... - the single-guild methods are batches of one)
in one transaction. Each aiosqlite call is a hop to its thread, so a batch is a handful of
statements (look-ups by a VALUES list, ``executemany``), not a handful per guild.

Migrations are an ordered list of SQL statements per version, tracked by ``PRAGMA
user_version`` (a ``schema_version`` table on PostgreSQL) and applied under the write lock.

The asyncio lock in `SqliteTipStore` only serialises use of its one connection; it is not what
makes claims safe. Timestamps are stored as UTC text ``YYYY-MM-DDTHH:MM:SSZ`` (fixed width, so
text order is time order) and dates as ``YYYY-MM-DD``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal, Protocol, Self, runtime_checkable

import aiosqlite

from bot.tips.rotation import RotationState
from bot.tips.schedule import (
    Due,
    Schedule,
    TipConfigError,
    format_post_time,
    normalize_timezone,
    parse_post_time,
)

log = logging.getLogger(__name__)

PostStatus = Literal["claimed", "sent", "failed", "skipped", "unconfirmed"]

# Given the guild's rotation state and the tip of a failed earlier attempt (or None), return the
# tip to post and the new rotation state (None: leave the rotation unchanged). Must be pure.
Picker = Callable[[RotationState | None, str | None], tuple[str, RotationState | None]]

# --------------------------------------------------------------------------- records


@dataclass(frozen=True, slots=True)
class GuildConfig:
    """One guild's tip settings and schedule state, as stored."""

    guild_id: int
    channel_id: int
    post_time: str  # "HH:MM", guild-local wall-clock time
    timezone: str  # canonical IANA name
    enabled: bool  # False while paused
    paused_reason: str | None
    skip_weekends: bool
    next_due_utc: datetime | None  # None while paused
    due_date: date | None  # the guild-local date next_due_utc is for
    failures: int  # consecutive failed attempts; reset by a successful post
    last_error: str | None
    last_error_at: datetime | None
    last_posted_date: date | None
    last_posted_at: datetime | None
    last_tip_id: str | None
    last_message_id: int | None
    last_skipped_date: date | None
    last_skip_reason: str | None
    last_manual_at: datetime | None
    last_manual_tip_id: str | None
    revision: int  # bumped by every schedule change; scheduler writes compare-and-set on it
    created_at: datetime
    updated_at: datetime

    @property
    def paused(self) -> bool:
        return not self.enabled

    def schedule(self) -> Schedule:
        return _schedule(self.post_time, self.timezone, self.skip_weekends)


# Schedules are immutable and few distinct ones exist (time x zone x weekends): parse each once.
_schedule = lru_cache(maxsize=4096)(Schedule.parse)


@dataclass(frozen=True, slots=True)
class PostRecord:
    """The outcome of one guild's daily tip for one local date."""

    guild_id: int
    local_date: date
    tip_id: str | None
    status: PostStatus
    attempts: int
    claimer: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    message_id: int | None
    error: str | None  # the failure, skip reason or unconfirmed note


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """`won` is True if this caller now owns the day's post and must send `tip_id`.

    When lost, `existing` is the row that beat it (claimed by someone else, already sent,
    skipped, unconfirmed, or failed with no attempts left).
    """

    won: bool
    tip_id: str | None
    attempt: int
    existing: PostRecord | None = None
    error: Exception | None = None  # `claim_many` only: this guild's pick failed; not claimed

    def __bool__(self) -> bool:
        return self.won


@dataclass(frozen=True, slots=True)
class ClaimRequest:
    """One guild's claim in `TipStore.claim_many`: its day and its rotation `pick`."""

    guild_id: int
    local_date: date
    pick: Picker


# --------------------------------------------------------------------------- batched writes
# The scheduler's bookkeeping after a send, a skip or a reschedule, as data, so a whole batch
# of guilds can be written in one transaction by `TipStore.apply_writes`. Each one means
# exactly what the `TipStore` method of the same name does.


@dataclass(frozen=True, slots=True)
class MarkSent:
    guild_id: int
    local_date: date
    claimer: str
    tip_id: str
    message_id: int | None
    now: datetime
    next_due: Due
    revision: int


@dataclass(frozen=True, slots=True)
class MarkFailed:
    guild_id: int
    local_date: date
    claimer: str
    error: str
    now: datetime
    revision: int
    retry_at: datetime | None = None
    next_due: Due | None = None
    pause_reason: str | None = None

    def __post_init__(self) -> None:
        if sum(x is not None for x in (self.retry_at, self.next_due, self.pause_reason)) != 1:
            raise ValueError("give exactly one of retry_at, next_due, pause_reason")


@dataclass(frozen=True, slots=True)
class MarkUnconfirmed:
    guild_id: int
    local_date: date
    note: str
    claimed_before: datetime
    now: datetime
    next_due: Due
    revision: int


@dataclass(frozen=True, slots=True)
class RecordSkip:
    guild_id: int
    local_date: date
    reason: str
    now: datetime
    next_due: Due
    revision: int


@dataclass(frozen=True, slots=True)
class Reschedule:
    guild_id: int
    due: Due
    revision: int
    now: datetime


StoreWrite = MarkSent | MarkFailed | MarkUnconfirmed | RecordSkip | Reschedule


# --------------------------------------------------------------------------- the protocol


@runtime_checkable
class TipStore(Protocol):
    """Everything the tip service needs from storage. All datetimes are aware UTC."""

    async def close(self) -> None: ...

    async def get_config(self, guild_id: int) -> GuildConfig | None: ...

    async def upsert_config(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: str,
        timezone: str,
        skip_weekends: bool,
        due: Due | None,
        now: datetime,
    ) -> GuildConfig:
        """Create or update settings (validated); keeps pause state, bumps the revision."""
        ...

    async def set_paused(
        self, guild_id: int, reason: str | None, *, due: Due | None, now: datetime
    ) -> GuildConfig | None:
        """Pause with `reason`, or resume (reason None) with the next `due`. None if unknown."""
        ...

    async def delete_guild(self, guild_id: int) -> bool: ...

    async def due_guilds(self, now: datetime, limit: int) -> list[GuildConfig]:
        """Enabled guilds with next_due_utc <= now, earliest first (an indexed range query)."""
        ...

    async def claim(
        self,
        guild_id: int,
        local_date: date,
        claimer: str,
        now: datetime,
        pick: Picker,
        *,
        max_attempts: int,
    ) -> ClaimResult:
        """Atomically claim the day's post (and advance the rotation) before anything is sent."""
        ...

    async def claim_many(
        self,
        requests: Sequence[ClaimRequest],
        claimer: str,
        now: datetime,
        *,
        max_attempts: int,
    ) -> list[ClaimResult]:
        """`claim` for many guilds (one request per guild) in one transaction; results in
        request order. A guild whose pick raises is not claimed (its result carries `error`);
        a database error claims none of them."""
        ...

    async def apply_writes(self, writes: Sequence[StoreWrite]) -> None:
        """Apply the writes in one transaction: all of them, or (on error) none."""
        ...

    async def get_posts(
        self, keys: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], PostRecord]: ...

    async def checkpoint(self) -> None:
        """Housekeeping for a quiet moment (the scheduler calls it on idle ticks)."""
        ...

    async def mark_sent(
        self,
        guild_id: int,
        local_date: date,
        claimer: str,
        *,
        tip_id: str,
        message_id: int | None,
        now: datetime,
        next_due: Due,
        revision: int,
    ) -> None: ...

    async def mark_failed(
        self,
        guild_id: int,
        local_date: date,
        claimer: str,
        *,
        error: str,
        now: datetime,
        revision: int,
        retry_at: datetime | None = None,
        next_due: Due | None = None,
        pause_reason: str | None = None,
    ) -> None:
        """Record a failed attempt; then retry at `retry_at`, move on to `next_due`, or pause."""
        ...

    async def mark_unconfirmed(
        self,
        guild_id: int,
        local_date: date,
        *,
        note: str,
        claimed_before: datetime,
        now: datetime,
        next_due: Due,
        revision: int,
    ) -> bool:
        """Give up on a stale claim (claimed, never confirmed sent) without re-sending it."""
        ...

    async def record_skip(
        self,
        guild_id: int,
        local_date: date,
        *,
        reason: str,
        now: datetime,
        next_due: Due,
        revision: int,
    ) -> None: ...

    async def reschedule(
        self, guild_id: int, *, due: Due, revision: int, now: datetime
    ) -> bool: ...

    async def take_tip(self, guild_id: int, pick: Picker, *, now: datetime) -> str:
        """Advance the rotation outside the daily schedule (manual posts)."""
        ...

    async def record_manual_post(
        self, guild_id: int, *, tip_id: str, message_id: int | None, now: datetime
    ) -> None: ...

    async def record_error(self, guild_id: int, *, error: str, now: datetime) -> None: ...

    async def get_post(self, guild_id: int, local_date: date) -> PostRecord | None: ...

    async def recent_posts(self, guild_id: int, limit: int = 7) -> list[PostRecord]: ...

    async def latest_post_date(self, guild_id: int) -> date | None: ...

    async def get_rotation(self, guild_id: int) -> RotationState | None: ...

    async def prune_posts(self, before: date) -> int: ...


# --------------------------------------------------------------------------- schema

# Ordered migrations; migration i (1-based) brings PRAGMA user_version from i-1 to i.
# Never edit a released migration: append a new one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """
        CREATE TABLE guild_config (
            guild_id            INTEGER PRIMARY KEY,
            channel_id          INTEGER NOT NULL,
            post_time           TEXT    NOT NULL CHECK (length(post_time) = 5),
            timezone            TEXT    NOT NULL,
            enabled             INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            paused_reason       TEXT,
            skip_weekends       INTEGER NOT NULL DEFAULT 0 CHECK (skip_weekends IN (0, 1)),
            next_due_utc        TEXT,
            due_date            TEXT,
            failures            INTEGER NOT NULL DEFAULT 0,
            last_error          TEXT,
            last_error_at       TEXT,
            last_posted_date    TEXT,
            last_posted_at      TEXT,
            last_tip_id         TEXT,
            last_message_id     INTEGER,
            last_skipped_date   TEXT,
            last_skip_reason    TEXT,
            last_manual_at      TEXT,
            last_manual_tip_id  TEXT,
            revision            INTEGER NOT NULL DEFAULT 1,
            created_at          TEXT    NOT NULL,
            updated_at          TEXT    NOT NULL
        )
        """,
        "CREATE INDEX guild_config_next_due ON guild_config (next_due_utc)",
        """
        CREATE TABLE posts (
            guild_id    INTEGER NOT NULL,
            local_date  TEXT    NOT NULL,
            tip_id      TEXT,
            status      TEXT    NOT NULL
                CHECK (status IN ('claimed', 'sent', 'failed', 'skipped', 'unconfirmed')),
            attempts    INTEGER NOT NULL DEFAULT 0,
            claimer     TEXT,
            claimed_at  TEXT,
            sent_at     TEXT,
            message_id  INTEGER,
            error       TEXT,
            PRIMARY KEY (guild_id, local_date)
        )
        """,
        """
        CREATE TABLE rotation (
            guild_id    INTEGER PRIMARY KEY,
            cycle       INTEGER NOT NULL,
            tip_order   TEXT    NOT NULL,
            position    INTEGER NOT NULL,
            updated_at  TEXT    NOT NULL
        )
        """,
    ),
)

SCHEMA_VERSION = len(MIGRATIONS)

_CONFIG_COLUMNS = (
    "guild_id, channel_id, post_time, timezone, enabled, paused_reason, skip_weekends, "
    "next_due_utc, due_date, failures, last_error, last_error_at, last_posted_date, "
    "last_posted_at, last_tip_id, last_message_id, last_skipped_date, last_skip_reason, "
    "last_manual_at, last_manual_tip_id, revision, created_at, updated_at"
)
_POST_COLUMNS = (
    "guild_id, local_date, tip_id, status, attempts, claimer, claimed_at, sent_at, "
    "message_id, error"
)

_POST_COLUMNS_P = ", ".join(f"p.{column.strip()}" for column in _POST_COLUMNS.split(","))

_AUTOCHECKPOINT_PAGES = 8000

# Keys per batched look-up: at most 800 bound parameters, under SQLite's historical 999 limit.
_KEYS_PER_QUERY = 400

_TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"

# Columns the scheduler's bookkeeping may set through `SqliteTipStore._update_config`.
_UPDATABLE = frozenset(
    {
        "failures",
        "last_error",
        "last_error_at",
        "last_posted_date",
        "last_posted_at",
        "last_tip_id",
        "last_message_id",
        "last_skipped_date",
        "last_skip_reason",
    }
)


@dataclass(frozen=True, slots=True)
class _Expr:
    """A SQL expression (not a parameter) as a column's new value, e.g. ``failures + 1``."""

    sql: str


def ts(value: datetime) -> str:
    """Aware datetime -> stored UTC text (whole seconds)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {value!r}")
    if value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    return value.isoformat(timespec="seconds")[:19] + "Z"  # twice as quick as strftime


def _dt(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)  # 50x quicker than strptime; "Z" reads as UTC
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _d(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


# `_config` builds a GuildConfig positionally from a row of _CONFIG_COLUMNS (a due batch
# decodes hundreds of rows): the two orders must stay the same.
assert tuple(f.name for f in fields(GuildConfig)) == tuple(
    column.strip() for column in _CONFIG_COLUMNS.split(",")
), "GuildConfig fields and _CONFIG_COLUMNS differ"


def _config(row: sqlite3.Row) -> GuildConfig:
    (
        guild_id,
        channel_id,
        post_time,
        timezone,
        enabled,
        paused_reason,
        skip_weekends,
        next_due_utc,
        due_date,
        failures,
        last_error,
        last_error_at,
        last_posted_date,
        last_posted_at,
        last_tip_id,
        last_message_id,
        last_skipped_date,
        last_skip_reason,
        last_manual_at,
        last_manual_tip_id,
        revision,
        created_at,
        updated_at,
    ) = row
    created = _dt(created_at)
    updated = _dt(updated_at)
    assert created is not None and updated is not None
    return GuildConfig(
        guild_id,
        channel_id,
        post_time,
        timezone,
        bool(enabled),
        paused_reason,
        bool(skip_weekends),
        _dt(next_due_utc),
        _d(due_date),
        failures,
        last_error,
        _dt(last_error_at),
        _d(last_posted_date),
        _dt(last_posted_at),
        last_tip_id,
        last_message_id,
        _d(last_skipped_date),
        last_skip_reason,
        _dt(last_manual_at),
        last_manual_tip_id,
        revision,
        created,
        updated,
    )


def _post(row: sqlite3.Row) -> PostRecord:
    local_date = _d(row["local_date"])
    assert local_date is not None
    return PostRecord(
        guild_id=row["guild_id"],
        local_date=local_date,
        tip_id=row["tip_id"],
        status=row["status"],
        attempts=row["attempts"],
        claimer=row["claimer"],
        claimed_at=_dt(row["claimed_at"]),
        sent_at=_dt(row["sent_at"]),
        message_id=row["message_id"],
        error=row["error"],
    )


@lru_cache(maxsize=64)
def _config_update_sql(
    shape: tuple[tuple[str, str | None], ...], rescheduling: bool, pausing: bool
) -> str:
    """See `SqliteTipStore._config_update`: `shape` is (column, SQL expression or None for a
    parameter) per field; the schedule change's parameters follow in this order."""
    sets = [f"{column} = {expr or '?'}" for column, expr in shape]
    sets.append("updated_at = ?")
    changes: list[tuple[str, str]] = []
    if rescheduling:
        changes = [("next_due_utc", "?"), ("due_date", "?")]
    elif pausing:
        changes = [("enabled", "0"), ("paused_reason", "?"), ("next_due_utc", "NULL")]
        changes.append(("due_date", "NULL"))
    if changes:
        changes.append(("revision", "revision + 1"))
        sets += [
            f"{column} = CASE WHEN revision = ? AND enabled = 1 THEN {value} ELSE {column} END"
            for column, value in changes
        ]
    return f"UPDATE guild_config SET {', '.join(sets)} WHERE guild_id = ?"


_MARK_SENT_CONFIG_SQL = _config_update_sql(
    tuple(
        (column, None)
        for column in (
            "last_posted_date",
            "last_posted_at",
            "last_tip_id",
            "last_message_id",
            "failures",
        )
    ),
    True,
    False,
)


def _posts_by_keys_sql(count: int) -> str:
    """Rows for `count` ``(guild_id, local_date)`` pairs: a join on a VALUES list probes the
    primary key once per pair (``(a, b) IN (VALUES ...)`` would scan the table)."""
    values = ", ".join(["(?, ?)"] * count)
    return (
        f"SELECT {_POST_COLUMNS_P} FROM (VALUES {values}) AS k "
        "JOIN posts AS p ON p.guild_id = k.column1 AND p.local_date = k.column2"
    )


def _tip_order(text: str) -> tuple[str, ...]:
    """Decode a stored ``tip_order`` (a JSON list of ids, as `json.dumps` writes it).

    A busy tick decodes hundreds of these: a list written by `json.dumps` with no escapes in
    it (``["a", "b"]``) is split directly, 4x quicker than `json.loads`. The split is exact:
    without a backslash no id holds a quote, so quotes only occur in the ``", "`` separators,
    and any other spacing leaves a quote behind, which sends the text to `json.loads`.
    """
    if text.startswith('["') and text.endswith('"]') and "\\" not in text:
        inner = text[2:-2]
        ids = inner.split('", "')
        if inner.count('"') == 2 * (len(ids) - 1):
            return tuple(ids)
    order = tuple(json.loads(text))
    if not set(map(type, order)) <= {str}:  # always so when written by us
        order = tuple(str(tip_id) for tip_id in order)
    return order


def _rotation(row: sqlite3.Row) -> RotationState:
    order = _tip_order(row["tip_order"])
    return RotationState(
        cycle=row["cycle"], order=order, position=min(max(row["position"], 0), len(order))
    )


def _validate_settings(guild_id: int, channel_id: int, post_time: str, timezone: str) -> None:
    if not isinstance(guild_id, int) or guild_id <= 0:
        raise TipConfigError(f"invalid guild id {guild_id!r}")
    if not isinstance(channel_id, int) or channel_id <= 0:
        raise TipConfigError(f"invalid channel id {channel_id!r}")
    if format_post_time(parse_post_time(post_time)) != post_time:
        raise TipConfigError(f"post time must be stored as HH:MM, got {post_time!r}")
    if normalize_timezone(timezone) != timezone:
        raise TipConfigError(f"time zone must be stored by its canonical name, got {timezone!r}")


# --------------------------------------------------------------------------- SQLite


class SqliteTipStore:
    """`TipStore` on one SQLite file (WAL, busy timeout, versioned migrations).

    Use ``store = await SqliteTipStore(path).open()`` ... ``await store.close()``, or
    ``async with SqliteTipStore(path) as store:``. The parent directory (e.g. ``data/``) is
    created if missing. Several stores (processes) may share one file.
    """

    def __init__(self, path: str | Path, *, busy_timeout_ms: int = 5000):
        self.path = Path(path)
        self.busy_timeout_ms = int(busy_timeout_ms)
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    # -- lifecycle

    async def open(self) -> Self:
        if self._db is not None:
            return self
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = await aiosqlite.connect(
            str(self.path), isolation_level=None, timeout=self.busy_timeout_ms / 1000
        )
        try:
            db.row_factory = sqlite3.Row
            await db.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
            async with db.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
            if row is None or str(row[0]).lower() != "wal":
                log.warning("SQLite at %s did not switch to WAL (got %r)", self.path, row)
            await db.execute("PRAGMA synchronous = NORMAL")
            # A checkpoint (copying the WAL back, with fsyncs) costs tens of ms; the scheduler
            # runs one when a tick is idle (`checkpoint`), so that a busy tick, which writes
            # about 1,000 pages, does not pay for it. This is the safety net (~32 MB).
            await db.execute(f"PRAGMA wal_autocheckpoint = {_AUTOCHECKPOINT_PAGES}")
            await self._migrate(db)
        except BaseException:
            await db.close()
            raise
        self._db = db
        return self

    async def close(self) -> None:
        if self._db is not None:
            db, self._db = self._db, None
            async with self._lock:
                await db.close()

    async def __aenter__(self) -> Self:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _migrate(self, db: aiosqlite.Connection) -> None:
        # BEGIN IMMEDIATE takes the write lock first, so two processes starting together
        # cannot both apply the same migration.
        await db.execute("BEGIN IMMEDIATE")
        try:
            async with db.execute("PRAGMA user_version") as cursor:
                row = await cursor.fetchone()
            version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} has tips schema version {version}, newer than this code "
                    f"({SCHEMA_VERSION}); upgrade the bot"
                )
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1]:
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {number}")
                log.info("tips database %s migrated to version %d", self.path, number)
            await db.execute("COMMIT")
        except BaseException:
            await db.execute("ROLLBACK")
            raise

    # -- plumbing

    def _conn(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("SqliteTipStore is not open; call `await store.open()` first")
        return self._db

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._lock:
            yield self._conn()

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """One IMMEDIATE transaction: committed on success, rolled back on any exception."""
        async with self._lock:
            db = self._conn()
            await db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                await db.execute("ROLLBACK")
                raise
            await db.execute("COMMIT")

    # Every aiosqlite call is a hop to its thread (~0.1 ms), so these helpers make one each.

    @staticmethod
    async def _one(
        db: aiosqlite.Connection, sql: str, params: Sequence[object] = ()
    ) -> sqlite3.Row | None:
        rows = await db.execute_fetchall(sql, params)
        return next(iter(rows), None)

    @staticmethod
    async def _changed(db: aiosqlite.Connection, sql: str, params: Sequence[object]) -> int:
        cursor = await db.execute(sql, params)
        return cursor.rowcount

    def _config_update(
        self,
        guild_id: int,
        now: datetime,
        fields: dict[str, object],
        *,
        revision: int | None = None,
        due: Due | None = None,
        pause_reason: str | None = None,
    ) -> tuple[str, tuple[object, ...]]:
        """One UPDATE of a guild's row: `fields` always; a schedule change - reschedule to
        `due`, or pause with `pause_reason` - only if the row is still at `revision` and
        enabled (compare-and-set). SET expressions all see the row's old values.

        The SQL text depends only on the *shape* of the change (which fields, which kind of
        schedule change), so it is built once per shape, and a batch of like updates runs as
        one ``executemany``."""
        unknown = fields.keys() - _UPDATABLE
        if unknown:
            raise ValueError(f"not updatable: {sorted(unknown)}")
        pausing = due is None and pause_reason is not None
        if (due is not None or pausing) and revision is None:
            raise ValueError("a schedule change needs the revision it was decided on")
        shape = tuple((k, v.sql if isinstance(v, _Expr) else None) for k, v in fields.items())
        params: list[object] = [v for v in fields.values() if not isinstance(v, _Expr)]
        params.append(ts(now))
        if due is not None:
            params += (revision, ts(due.at_utc), revision, due.local_date.isoformat(), revision)
        elif pausing:
            params += (revision, revision, pause_reason, revision, revision, revision)
        params.append(guild_id)
        return _config_update_sql(shape, due is not None, pausing), tuple(params)

    async def _update_config(
        self,
        db: aiosqlite.Connection,
        guild_id: int,
        now: datetime,
        fields: dict[str, object],
        *,
        revision: int | None = None,
        due: Due | None = None,
        pause_reason: str | None = None,
    ) -> None:
        sql, params = self._config_update(
            guild_id, now, fields, revision=revision, due=due, pause_reason=pause_reason
        )
        await db.execute(sql, params)

    async def _config_row(self, db: aiosqlite.Connection, guild_id: int) -> GuildConfig | None:
        row = await self._one(
            db, f"SELECT {_CONFIG_COLUMNS} FROM guild_config WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _config(row)

    async def _post_row(
        self, db: aiosqlite.Connection, guild_id: int, local_date: date
    ) -> PostRecord | None:
        row = await self._one(
            db,
            f"SELECT {_POST_COLUMNS} FROM posts WHERE guild_id = ? AND local_date = ?",
            (guild_id, local_date.isoformat()),
        )
        return None if row is None else _post(row)

    async def _post_rows(
        self, db: aiosqlite.Connection, keys: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], PostRecord]:
        """The rows for many ``(guild, local date)`` keys: one primary-key probe per key, one
        query per `_KEYS_PER_QUERY` keys."""
        found: dict[tuple[int, date], PostRecord] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), _KEYS_PER_QUERY):
            chunk = unique[start : start + _KEYS_PER_QUERY]
            params = [x for guild_id, day in chunk for x in (guild_id, day.isoformat())]
            rows = await db.execute_fetchall(_posts_by_keys_sql(len(chunk)), params)
            for row in rows:
                post = _post(row)
                found[(post.guild_id, post.local_date)] = post
        return found

    async def _rotation_row(self, db: aiosqlite.Connection, guild_id: int) -> RotationState | None:
        row = await self._one(
            db, "SELECT cycle, tip_order, position FROM rotation WHERE guild_id = ?", (guild_id,)
        )
        return None if row is None else _rotation(row)

    async def _rotation_rows(
        self, db: aiosqlite.Connection, guild_ids: Sequence[int]
    ) -> dict[int, RotationState | Exception]:
        """Rotation states by guild (absent: none yet); a row that does not decode maps to
        its exception, so it fails its own guild only."""
        found: dict[int, RotationState | Exception] = {}
        for start in range(0, len(guild_ids), _KEYS_PER_QUERY):
            chunk = guild_ids[start : start + _KEYS_PER_QUERY]
            rows = await db.execute_fetchall(
                "SELECT guild_id, cycle, tip_order, position FROM rotation "
                f"WHERE guild_id IN ({', '.join(['?'] * len(chunk))})",
                chunk,
            )
            for row in rows:
                try:
                    found[row["guild_id"]] = _rotation(row)
                except Exception as exc:
                    found[row["guild_id"]] = exc
        return found

    async def _save_rotation(
        self, db: aiosqlite.Connection, guild_id: int, state: RotationState, now: datetime
    ) -> None:
        await self._save_rotations(db, [(guild_id, None, state)], now)

    async def _save_rotations(
        self,
        db: aiosqlite.Connection,
        saves: Sequence[tuple[int, RotationState | None, RotationState]],
        now: datetime,
    ) -> None:
        """Write ``(guild, old state as read in this transaction, new state)`` triples. When
        only the position moved (the usual daily step), only the position is written."""
        stamp = ts(now)
        whole: list[tuple[object, ...]] = []
        moved: list[tuple[object, ...]] = []
        for guild_id, old, new in saves:
            if old is not None and old.cycle == new.cycle and old.order == new.order:
                moved.append((new.position, stamp, guild_id))
            else:
                whole.append((guild_id, new.cycle, json.dumps(new.order), new.position, stamp))
        if whole:
            await db.executemany(
                """
                INSERT INTO rotation (guild_id, cycle, tip_order, position, updated_at)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET
                    cycle = excluded.cycle, tip_order = excluded.tip_order,
                    position = excluded.position, updated_at = excluded.updated_at
                """,
                whole,
            )
        if moved:
            await db.executemany(
                "UPDATE rotation SET position = ?, updated_at = ? WHERE guild_id = ?", moved
            )

    @staticmethod
    def _reschedule_sql(
        guild_id: int, due: Due, revision: int, now: datetime
    ) -> tuple[str, tuple[object, ...]]:
        return (
            """
            UPDATE guild_config
               SET next_due_utc = ?, due_date = ?, revision = revision + 1, updated_at = ?
             WHERE guild_id = ? AND revision = ? AND enabled = 1
            """,
            (ts(due.at_utc), due.local_date.isoformat(), ts(now), guild_id, revision),
        )

    async def _reschedule(
        self, db: aiosqlite.Connection, guild_id: int, due: Due, revision: int, now: datetime
    ) -> bool:
        changed = await self._changed(db, *self._reschedule_sql(guild_id, due, revision, now))
        if not changed:
            log.debug("guild %s: schedule changed concurrently; not rescheduling", guild_id)
        return bool(changed)

    # -- configuration

    async def get_config(self, guild_id: int) -> GuildConfig | None:
        async with self._read() as db:
            return await self._config_row(db, guild_id)

    async def upsert_config(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: str,
        timezone: str,
        skip_weekends: bool,
        due: Due | None,
        now: datetime,
    ) -> GuildConfig:
        _validate_settings(guild_id, channel_id, post_time, timezone)
        due_utc = ts(due.at_utc) if due else None
        due_date = due.local_date.isoformat() if due else None
        stamp = ts(now)
        async with self._write() as db:
            await db.execute(
                """
                INSERT INTO guild_config (guild_id, channel_id, post_time, timezone,
                    skip_weekends, next_due_utc, due_date, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (guild_id) DO UPDATE SET
                    channel_id = excluded.channel_id,
                    post_time = excluded.post_time,
                    timezone = excluded.timezone,
                    skip_weekends = excluded.skip_weekends,
                    next_due_utc = CASE WHEN guild_config.enabled = 1
                                        THEN excluded.next_due_utc END,
                    due_date = CASE WHEN guild_config.enabled = 1 THEN excluded.due_date END,
                    revision = guild_config.revision + 1,
                    updated_at = excluded.updated_at
                """,
                (
                    guild_id,
                    channel_id,
                    post_time,
                    timezone,
                    int(bool(skip_weekends)),
                    due_utc,
                    due_date,
                    stamp,
                    stamp,
                ),
            )
            config = await self._config_row(db, guild_id)
        assert config is not None
        return config

    async def set_paused(
        self, guild_id: int, reason: str | None, *, due: Due | None, now: datetime
    ) -> GuildConfig | None:
        async with self._write() as db:
            if reason is not None:
                await db.execute(
                    """
                    UPDATE guild_config
                       SET enabled = 0, paused_reason = ?, next_due_utc = NULL, due_date = NULL,
                           revision = revision + 1, updated_at = ?
                     WHERE guild_id = ?
                    """,
                    (reason, ts(now), guild_id),
                )
            else:
                if due is None:
                    raise ValueError("resuming needs the next due time")
                await db.execute(
                    """
                    UPDATE guild_config
                       SET enabled = 1, paused_reason = NULL, failures = 0,
                           next_due_utc = ?, due_date = ?, revision = revision + 1,
                           updated_at = ?
                     WHERE guild_id = ?
                    """,
                    (ts(due.at_utc), due.local_date.isoformat(), ts(now), guild_id),
                )
            return await self._config_row(db, guild_id)

    async def delete_guild(self, guild_id: int) -> bool:
        async with self._write() as db:
            await db.execute("DELETE FROM posts WHERE guild_id = ?", (guild_id,))
            await db.execute("DELETE FROM rotation WHERE guild_id = ?", (guild_id,))
            return bool(
                await self._changed(db, "DELETE FROM guild_config WHERE guild_id = ?", (guild_id,))
            )

    # -- the daily cycle

    async def due_guilds(self, now: datetime, limit: int) -> list[GuildConfig]:
        # Uses the guild_config_next_due index: a range scan over due rows only.
        async with self._read() as db:
            rows = await db.execute_fetchall(
                f"""
                SELECT {_CONFIG_COLUMNS} FROM guild_config
                 WHERE next_due_utc <= ? AND enabled = 1
                 ORDER BY next_due_utc
                 LIMIT ?
                """,
                (ts(now), int(limit)),
            )
        return [_config(row) for row in rows]

    async def get_posts(
        self, keys: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], PostRecord]:
        if not keys:
            return {}
        async with self._read() as db:
            return await self._post_rows(db, keys)

    async def claim(
        self,
        guild_id: int,
        local_date: date,
        claimer: str,
        now: datetime,
        pick: Picker,
        *,
        max_attempts: int,
    ) -> ClaimResult:
        try:
            [result] = await self.claim_many(
                [ClaimRequest(guild_id, local_date, pick)], claimer, now, max_attempts=max_attempts
            )
        except sqlite3.IntegrityError:
            # Someone else inserted first (possible on a server database; under SQLite's
            # IMMEDIATE transaction it cannot happen, but stay honest). Nothing was written.
            return ClaimResult(False, None, 0, await self.get_post(guild_id, local_date))
        if result.error is not None:
            raise result.error
        return result

    async def claim_many(
        self,
        requests: Sequence[ClaimRequest],
        claimer: str,
        now: datetime,
        *,
        max_attempts: int,
    ) -> list[ClaimResult]:
        """Claim many guilds' days in one IMMEDIATE transaction (a handful of statements).

        Under the write lock, the existing rows are read first, so the INSERTs below are of
        days nobody holds; should one collide anyway (a server database; not possible under
        SQLite's lock), `sqlite3.IntegrityError` rolls the whole batch back and nothing is
        claimed. A failed row with attempts left is re-claimed by its conditional UPDATE, as
        in `claim`. Rotations advance only for the claims won, in the same transaction.
        """
        if not requests:
            return []
        guild_ids = [r.guild_id for r in requests]
        if len(set(guild_ids)) != len(guild_ids):
            raise ValueError("claim_many takes one request per guild")
        stamp = ts(now)
        results: dict[int, ClaimResult] = {}
        async with self._write() as db:
            existing = await self._post_rows(db, [(r.guild_id, r.local_date) for r in requests])
            todo: list[tuple[ClaimRequest, PostRecord | None]] = []
            for request in requests:
                row = existing.get((request.guild_id, request.local_date))
                if row is None or (row.status == "failed" and row.attempts < max_attempts):
                    todo.append((request, row))
                else:  # claimed, sent, skipped, unconfirmed, or out of attempts
                    results[request.guild_id] = ClaimResult(False, row.tip_id, 0, row)
            states = await self._rotation_rows(db, [r.guild_id for r, _ in todo])
            inserts: list[tuple[object, ...]] = []
            retries: list[tuple[ClaimRequest, PostRecord, str]] = []
            saves: dict[int, tuple[int, RotationState | None, RotationState]] = {}
            for request, row in todo:
                guild_id = request.guild_id
                found = states.get(guild_id)
                try:
                    if isinstance(found, Exception):
                        raise found
                    state = found
                    tip_id, new_state = request.pick(state, None if row is None else row.tip_id)
                except Exception as exc:  # this guild only (a bad rotation row, a bad pick)
                    results[guild_id] = ClaimResult(False, None, 0, row, error=exc)
                    continue
                if new_state is not None:
                    saves[guild_id] = (guild_id, state, new_state)
                if row is None:
                    day = request.local_date.isoformat()
                    inserts.append((guild_id, day, tip_id, claimer, stamp))
                    results[guild_id] = ClaimResult(True, tip_id, 1)
                else:
                    retries.append((request, row, tip_id))
            if inserts:
                await db.executemany(
                    """
                    INSERT INTO posts (guild_id, local_date, tip_id, status, attempts,
                                       claimer, claimed_at)
                    VALUES (?, ?, ?, 'claimed', 1, ?, ?)
                    """,
                    inserts,
                )
            for request, row, tip_id in retries:  # rare: one conditional UPDATE each
                guild_id, day = request.guild_id, request.local_date
                changed = await self._changed(
                    db,
                    """
                    UPDATE posts
                       SET status = 'claimed', attempts = attempts + 1, tip_id = ?,
                           claimer = ?, claimed_at = ?
                     WHERE guild_id = ? AND local_date = ? AND status = 'failed'
                       AND attempts = ?
                    """,
                    (tip_id, claimer, stamp, guild_id, day.isoformat(), row.attempts),
                )
                if changed:
                    results[guild_id] = ClaimResult(True, tip_id, row.attempts + 1)
                else:
                    saves.pop(guild_id, None)
                    now_row = await self._post_row(db, guild_id, day)
                    results[guild_id] = ClaimResult(
                        False, now_row.tip_id if now_row else None, 0, now_row
                    )
            if saves:
                await self._save_rotations(db, list(saves.values()), now)
        return [results[guild_id] for guild_id in guild_ids]

    # Writes: the single-guild methods are batches of one; `apply_writes` groups like
    # statements of a batch into one executemany each.

    _MARK_SENT_SQL = """
        UPDATE posts SET status = 'sent', sent_at = ?, message_id = ?
         WHERE guild_id = ? AND local_date = ? AND claimer = ?
           AND status IN ('claimed', 'unconfirmed')
        """

    def _statements(self, write: StoreWrite) -> list[tuple[str, tuple[object, ...]]]:
        """The SQL of a write (not `MarkUnconfirmed`, which reads before it writes)."""
        if isinstance(write, MarkSent):  # the bulk of a busy tick: its parameters directly
            stamp = ts(write.now)
            day = write.local_date.isoformat()
            rev, due = write.revision, write.next_due
            return [
                (
                    self._MARK_SENT_SQL,
                    (stamp, write.message_id, write.guild_id, day, write.claimer),
                ),
                (
                    _MARK_SENT_CONFIG_SQL,  # = _config_update(fields below, due=next_due)
                    (
                        day,  # last_posted_date
                        stamp,  # last_posted_at
                        write.tip_id,  # last_tip_id
                        write.message_id,  # last_message_id
                        0,  # failures
                        stamp,  # updated_at
                        rev,
                        ts(due.at_utc),
                        rev,
                        due.local_date.isoformat(),
                        rev,
                        write.guild_id,
                    ),
                ),
            ]
        if isinstance(write, MarkFailed):
            stamp = ts(write.now)
            due = (
                Due(write.local_date, write.retry_at)
                if write.retry_at is not None
                else write.next_due
            )
            return [
                (
                    """
                    UPDATE posts SET status = 'failed', error = ?
                     WHERE guild_id = ? AND local_date = ? AND claimer = ?
                       AND status = 'claimed'
                    """,
                    (write.error, write.guild_id, write.local_date.isoformat(), write.claimer),
                ),
                # The pause is compare-and-set too: if an admin changed the settings meanwhile
                # (say, picked a new channel), the new settings deserve a fresh try.
                self._config_update(
                    write.guild_id,
                    write.now,
                    {
                        "failures": _Expr("failures + 1"),
                        "last_error": write.error,
                        "last_error_at": stamp,
                    },
                    revision=write.revision,
                    due=due,
                    pause_reason=write.pause_reason,
                ),
            ]
        if isinstance(write, RecordSkip):
            day = write.local_date.isoformat()
            return [
                (
                    # A row already there (say, a failed attempt) keeps its own story.
                    """
                    INSERT INTO posts (guild_id, local_date, status, error)
                    VALUES (?, ?, 'skipped', ?)
                    ON CONFLICT (guild_id, local_date) DO NOTHING
                    """,
                    (write.guild_id, day, write.reason),
                ),
                self._config_update(
                    write.guild_id,
                    write.now,
                    {"last_skipped_date": day, "last_skip_reason": write.reason},
                    revision=write.revision,
                    due=write.next_due,
                ),
            ]
        if isinstance(write, Reschedule):
            return [self._reschedule_sql(write.guild_id, write.due, write.revision, write.now)]
        raise TypeError(f"not a batchable write: {write!r}")

    async def apply_writes(self, writes: Sequence[StoreWrite]) -> None:
        if not writes:
            return
        async with self._write() as db:
            await self._apply(db, writes)

    async def _apply(self, db: aiosqlite.Connection, writes: Sequence[StoreWrite]) -> None:
        if len({w.guild_id for w in writes}) < len(writes):
            # Several writes for one guild: keep their order, one at a time.
            for write in writes:
                await self._apply(db, [write])
            return
        # One write per guild: statements of different guilds commute, so like statements
        # (same SQL text) run together, one executemany each.
        grouped: dict[str, list[tuple[object, ...]]] = {}
        sent: list[MarkSent] = []
        for write in writes:
            if isinstance(write, MarkUnconfirmed):
                await self._mark_unconfirmed(db, write)
                continue
            if isinstance(write, MarkSent):
                sent.append(write)
            for sql, params in self._statements(write):
                grouped.setdefault(sql, []).append(params)
        changed: dict[str, int] = {}
        for sql, rows in grouped.items():
            cursor = await db.executemany(sql, rows)
            changed[sql] = cursor.rowcount
        if sent and changed.get(self._MARK_SENT_SQL, 0) < len(sent):
            rows_now = await self._post_rows(db, [(w.guild_id, w.local_date) for w in sent])
            for write in sent:
                row = rows_now.get((write.guild_id, write.local_date))
                if row is None or row.claimer != write.claimer or row.status != "sent":
                    log.warning(
                        "guild %s %s: sent, but the claim row was not ours any more",
                        write.guild_id,
                        write.local_date,
                    )

    async def _mark_unconfirmed(self, db: aiosqlite.Connection, write: MarkUnconfirmed) -> bool:
        changed = await self._changed(
            db,
            """
            UPDATE posts SET status = 'unconfirmed', error = ?
             WHERE guild_id = ? AND local_date = ? AND status = 'claimed'
               AND claimed_at <= ?
            """,
            (write.note, write.guild_id, write.local_date.isoformat(), ts(write.claimed_before)),
        )
        fields: dict[str, object] = (
            {"last_error": write.note, "last_error_at": ts(write.now)} if changed else {}
        )
        await self._update_config(
            db, write.guild_id, write.now, fields, revision=write.revision, due=write.next_due
        )
        return bool(changed)

    async def mark_sent(
        self,
        guild_id: int,
        local_date: date,
        claimer: str,
        *,
        tip_id: str,
        message_id: int | None,
        now: datetime,
        next_due: Due,
        revision: int,
    ) -> None:
        await self.apply_writes(
            [MarkSent(guild_id, local_date, claimer, tip_id, message_id, now, next_due, revision)]
        )

    async def mark_failed(
        self,
        guild_id: int,
        local_date: date,
        claimer: str,
        *,
        error: str,
        now: datetime,
        revision: int,
        retry_at: datetime | None = None,
        next_due: Due | None = None,
        pause_reason: str | None = None,
    ) -> None:
        write = MarkFailed(
            guild_id, local_date, claimer, error, now, revision, retry_at, next_due, pause_reason
        )
        await self.apply_writes([write])

    async def mark_unconfirmed(
        self,
        guild_id: int,
        local_date: date,
        *,
        note: str,
        claimed_before: datetime,
        now: datetime,
        next_due: Due,
        revision: int,
    ) -> bool:
        write = MarkUnconfirmed(guild_id, local_date, note, claimed_before, now, next_due, revision)
        async with self._write() as db:
            return await self._mark_unconfirmed(db, write)

    async def record_skip(
        self,
        guild_id: int,
        local_date: date,
        *,
        reason: str,
        now: datetime,
        next_due: Due,
        revision: int,
    ) -> None:
        await self.apply_writes([RecordSkip(guild_id, local_date, reason, now, next_due, revision)])

    async def reschedule(self, guild_id: int, *, due: Due, revision: int, now: datetime) -> bool:
        async with self._write() as db:
            return await self._reschedule(db, guild_id, due, revision, now)

    async def checkpoint(self) -> None:
        """Copy the WAL back into the database file, as far as readers allow (PASSIVE: never
        waits for them). Cheap when little was written since the last one."""
        async with self._read() as db:
            await db.execute_fetchall("PRAGMA wal_checkpoint(PASSIVE)")

    # -- manual posts and errors

    async def take_tip(self, guild_id: int, pick: Picker, *, now: datetime) -> str:
        async with self._write() as db:
            state = await self._rotation_row(db, guild_id)
            tip_id, new_state = pick(state, None)
            if new_state is not None:
                await self._save_rotation(db, guild_id, new_state, now)
            return tip_id

    async def record_manual_post(
        self, guild_id: int, *, tip_id: str, message_id: int | None, now: datetime
    ) -> None:
        async with self._write() as db:
            await db.execute(
                """
                UPDATE guild_config
                   SET last_manual_at = ?, last_manual_tip_id = ?, updated_at = ?
                 WHERE guild_id = ?
                """,
                (ts(now), tip_id, ts(now), guild_id),
            )

    async def record_error(self, guild_id: int, *, error: str, now: datetime) -> None:
        async with self._write() as db:
            await db.execute(
                """
                UPDATE guild_config SET last_error = ?, last_error_at = ?, updated_at = ?
                 WHERE guild_id = ?
                """,
                (error, ts(now), ts(now), guild_id),
            )

    # -- reading history

    async def get_post(self, guild_id: int, local_date: date) -> PostRecord | None:
        async with self._read() as db:
            return await self._post_row(db, guild_id, local_date)

    async def recent_posts(self, guild_id: int, limit: int = 7) -> list[PostRecord]:
        async with (
            self._read() as db,
            db.execute(
                f"""
            SELECT {_POST_COLUMNS} FROM posts WHERE guild_id = ?
             ORDER BY local_date DESC LIMIT ?
            """,
                (guild_id, int(limit)),
            ) as cursor,
        ):
            return [_post(row) for row in await cursor.fetchall()]

    async def latest_post_date(self, guild_id: int) -> date | None:
        async with self._read() as db:
            row = await self._one(
                db, "SELECT MAX(local_date) FROM posts WHERE guild_id = ?", (guild_id,)
            )
        return _d(row[0]) if row else None

    async def get_rotation(self, guild_id: int) -> RotationState | None:
        async with self._read() as db:
            return await self._rotation_row(db, guild_id)

    async def prune_posts(self, before: date) -> int:
        """Delete post history older than `before` (keep at least a few days)."""
        async with self._write() as db:
            return await self._changed(
                db, "DELETE FROM posts WHERE local_date < ?", (before.isoformat(),)
            )
