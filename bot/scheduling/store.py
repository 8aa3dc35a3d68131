"""`DailyPostStore`: the SQL of daily posts, one method per operation, for one kind of post.

The invariants live in these statements, not in the process, so any number of bot processes
can share one database:

* a claim is ``INSERT ... ON CONFLICT DO NOTHING`` on the (server, kind, local date) key, and a
  retry re-claims a failed row by compare-and-set (``WHERE status = 'failed' AND attempts <
  max``): one winner, whichever process or restart tries;
* the scheduler's schedule writes are compare-and-set on (revision, due date), so a process
  acting on a stale row never undoes an admin's change or another process's progress;
* on SQLite a write transaction writes first (a read first would take a snapshot that a
  concurrent writer invalidates, failing at once instead of waiting for the lock).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.scheduling.tables import daily_posts, daily_schedules
from bot.scheduling.times import Due, Schedule
from bot.store import Database, dialect_insert

ShardFilter = tuple[int, tuple[int, ...]]
"""``(shard_count, shard_ids)``: a process owns the servers with
``(guild_id >> 22) % shard_count in shard_ids`` (Discord's sharding formula)."""


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One server's settings and schedule state for one kind of daily post."""

    guild_id: int
    kind: str
    channel_id: int
    post_time: str
    timezone: str
    skip_weekends: bool
    paused_reason: str | None
    next_due_at: datetime | None
    due_date: date | None
    failures: int
    last_error: str | None
    last_error_at: datetime | None
    revision: int
    created_at: datetime
    updated_at: datetime

    @property
    def paused(self) -> bool:
        return self.paused_reason is not None

    def schedule(self) -> Schedule:
        return Schedule.parse(self.post_time, self.timezone, self.skip_weekends)


@dataclass(frozen=True, slots=True)
class PostRow:
    """What happened to one server's post for one local date."""

    guild_id: int
    kind: str
    local_date: date
    status: str  # claimed | sent | failed | skipped | unconfirmed
    item_id: str | None
    attempts: int
    claimer: str | None
    claimed_at: datetime | None
    sent_at: datetime | None
    message_id: int | None
    error: str | None


@dataclass(frozen=True, slots=True)
class Claim:
    """`won`: this caller owns the day's post and must send it (attempt `attempt`, with
    `item_id` if a failed attempt already chose one). Lost: `existing` is the row that beat it."""

    won: bool
    attempt: int = 0
    item_id: str | None = None
    existing: PostRow | None = None


def _schedule(row: sa.Row[tuple[object, ...]] | None) -> ScheduleRow | None:
    return None if row is None else ScheduleRow(**row._asdict())


def _post(row: sa.Row[tuple[object, ...]] | None) -> PostRow | None:
    return None if row is None else PostRow(**row._asdict())


class DailyPostStore:
    """The daily schedule and post history of one `kind` of post (``"tip"``, ...)."""

    def __init__(self, db: Database, kind: str) -> None:
        self.db = db
        self.kind = kind

    def _this_schedule(self, guild_id: int) -> sa.ColumnElement[bool]:
        s = daily_schedules.c
        return (s.guild_id == guild_id) & (s.kind == self.kind)

    def _this_post(self, guild_id: int, day: date) -> sa.ColumnElement[bool]:
        p = daily_posts.c
        return (p.guild_id == guild_id) & (p.kind == self.kind) & (p.local_date == day)

    # -- settings (admin commands): each bumps the revision --------------------------------
    async def get(self, guild_id: int) -> ScheduleRow | None:
        async with self.db.connect() as conn:
            query = sa.select(daily_schedules).where(self._this_schedule(guild_id))
            return _schedule((await conn.execute(query)).first())

    async def save_settings(
        self,
        guild_id: int,
        *,
        channel_id: int,
        post_time: str,
        timezone: str,
        skip_weekends: bool,
        due: Due,
        now: datetime,
    ) -> ScheduleRow:
        """Create or change the settings; a paused schedule stays paused (no next post)."""
        async with self.db.begin() as conn:
            insert = dialect_insert(conn, daily_schedules).values(
                guild_id=guild_id, kind=self.kind, channel_id=channel_id, post_time=post_time,
                timezone=timezone, skip_weekends=skip_weekends, next_due_at=due.at_utc,
                due_date=due.local_date, failures=0, revision=1, created_at=now, updated_at=now,
            )  # fmt: skip
            new, s = insert.excluded, daily_schedules.c
            running = s.paused_reason.is_(None)
            upsert = insert.on_conflict_do_update(
                index_elements=[s.guild_id, s.kind],
                set_={
                    "channel_id": new.channel_id,
                    "post_time": new.post_time,
                    "timezone": new.timezone,
                    "skip_weekends": new.skip_weekends,
                    "next_due_at": sa.case((running, new.next_due_at)),
                    "due_date": sa.case((running, new.due_date)),
                    "revision": s.revision + 1,
                    "updated_at": new.updated_at,
                },
            ).returning(daily_schedules)
            row = _schedule((await conn.execute(upsert)).first())
        assert row is not None
        return row

    async def pause(self, guild_id: int, reason: str, now: datetime) -> ScheduleRow | None:
        return await self._admin_update(
            guild_id, now, paused_reason=reason, next_due_at=None, due_date=None
        )

    async def resume(self, guild_id: int, due: Due, now: datetime) -> ScheduleRow | None:
        return await self._admin_update(
            guild_id, now, paused_reason=None, next_due_at=due.at_utc, due_date=due.local_date,
            failures=0, last_error=None, last_error_at=None,
        )  # fmt: skip

    async def _admin_update(
        self, guild_id: int, now: datetime, **values: object
    ) -> ScheduleRow | None:
        async with self.db.begin() as conn:
            update = (
                sa.update(daily_schedules)
                .where(self._this_schedule(guild_id))
                .values(revision=daily_schedules.c.revision + 1, updated_at=now, **values)
                .returning(daily_schedules)
            )
            return _schedule((await conn.execute(update)).first())

    async def delete(self, guild_id: int) -> bool:
        """Forget the server's settings and history of this kind (it removed the bot)."""
        async with self.db.begin() as conn:
            p = daily_posts.c
            await conn.execute(
                sa.delete(daily_posts).where((p.guild_id == guild_id) & (p.kind == self.kind))
            )
            deleted = await conn.execute(
                sa.delete(daily_schedules).where(self._this_schedule(guild_id))
            )
            return bool(deleted.rowcount)

    # -- the scheduler ----------------------------------------------------------------------
    async def due(
        self, now: datetime, limit: int, shards: ShardFilter | None = None
    ) -> list[ScheduleRow]:
        """Schedules due by `now`, earliest first (an indexed range), optionally only those of
        the shards this process owns."""
        s = daily_schedules.c
        query = (
            sa.select(daily_schedules)
            .where((s.kind == self.kind) & (s.next_due_at <= now))
            .order_by(s.next_due_at)
            .limit(limit)
        )
        if shards is not None:
            count, ids = shards
            shard = s.guild_id.op(">>", return_type=sa.BigInteger)(sa.literal_column("22")) % count
            query = query.where(shard.in_(ids))
        async with self.db.connect() as conn:
            return [ScheduleRow(**row._asdict()) for row in await conn.execute(query)]

    async def move_on(
        self,
        row: ScheduleRow,
        due: Due,
        now: datetime,
        *,
        error: str | None = None,
        failed: bool | None = None,
        conn: AsyncConnection | None = None,
    ) -> bool:
        """Set the next post (compare-and-set on the row as read), noting an `error`.
        `failed`: True counts a failed attempt, False starts the count again."""
        s = daily_schedules.c
        values: dict[str, object] = {
            "next_due_at": due.at_utc,
            "due_date": due.local_date,
            "updated_at": now,
        }
        if failed is not None:
            values["failures"] = s.failures + 1 if failed else 0
        if error is not None:
            values |= {"last_error": error, "last_error_at": now}
        update = (
            sa.update(daily_schedules)
            .where(self._this_schedule(row.guild_id) & (s.revision == row.revision))
            .where(s.due_date.is_not_distinct_from(row.due_date))
            .values(values)
        )
        if conn is not None:
            return bool((await conn.execute(update)).rowcount)
        async with self.db.begin() as own:
            return bool((await own.execute(update)).rowcount)

    async def pause_for(self, row: ScheduleRow, reason: str, error: str, now: datetime) -> bool:
        """The scheduler pauses (failures it cannot get past): compare-and-set, so an admin's
        change meanwhile (say, a new channel) gets a fresh try instead."""
        s = daily_schedules.c
        update = (
            sa.update(daily_schedules)
            .where(self._this_schedule(row.guild_id) & (s.revision == row.revision))
            .values(
                paused_reason=reason,
                next_due_at=None,
                due_date=None,
                last_error=error,
                last_error_at=now,
                revision=s.revision + 1,
                updated_at=now,
            )
        )
        async with self.db.begin() as conn:
            return bool((await conn.execute(update)).rowcount)

    async def claim(
        self,
        conn: AsyncConnection,
        guild_id: int,
        day: date,
        *,
        claimer: str,
        now: datetime,
        max_attempts: int,
    ) -> Claim:
        """Claim the day's post in the caller's transaction, before anything is sent: a new
        row, or a failed attempt with attempts left. Atomic on both backends."""
        insert = (
            dialect_insert(conn, daily_posts)
            .values(
                guild_id=guild_id,
                kind=self.kind,
                local_date=day,
                status="claimed",
                attempts=1,
                claimer=claimer,
                claimed_at=now,
            )
            .on_conflict_do_nothing()
            .returning(daily_posts.c.attempts)
        )
        if (await conn.execute(insert)).first() is not None:
            return Claim(won=True, attempt=1)
        p = daily_posts.c
        retry = (
            sa.update(daily_posts)
            .where(self._this_post(guild_id, day))
            .where((p.status == "failed") & (p.attempts < max_attempts))
            .values(status="claimed", attempts=p.attempts + 1, claimer=claimer, claimed_at=now)
            .returning(p.attempts, p.item_id)
        )
        if (won := (await conn.execute(retry)).first()) is not None:
            return Claim(won=True, attempt=won.attempts, item_id=won.item_id)
        query = sa.select(daily_posts).where(self._this_post(guild_id, day))
        return Claim(won=False, existing=_post((await conn.execute(query)).first()))

    async def set_item(self, conn: AsyncConnection, guild_id: int, day: date, item: str) -> None:
        update = sa.update(daily_posts).where(self._this_post(guild_id, day)).values(item_id=item)
        await conn.execute(update)

    async def settle(
        self,
        row: ScheduleRow,
        day: date,
        *,
        claimer: str,
        status: str,
        now: datetime,
        next_due: Due,
        error: str | None = None,
        message_id: int | None = None,
    ) -> None:
        """How our claimed attempt ended: ``sent``; ``failed`` (certainly not sent: counted,
        claimable again); or ``unconfirmed`` (maybe sent: never again). Then `next_due`."""
        p = daily_posts.c
        values: dict[str, object] = {"status": status, "error": error}
        if status == "sent":
            values |= {"sent_at": now, "message_id": message_id}
        async with self.db.begin() as conn:
            await conn.execute(
                sa.update(daily_posts)
                .where(self._this_post(row.guild_id, day))
                .where((p.claimer == claimer) & (p.status == "claimed"))
                .values(values)
            )
            failed = {"sent": False, "failed": True}.get(status)
            await self.move_on(row, next_due, now, error=error, failed=failed, conn=conn)

    async def give_up_stale(
        self, guild_id: int, day: date, note: str, *, claimed_before: datetime
    ) -> bool:
        """Anyone's claim older than `claimed_before`, never confirmed: unconfirmed for good."""
        p = daily_posts.c
        update = (
            sa.update(daily_posts)
            .where(self._this_post(guild_id, day) & (p.status == "claimed"))
            .where(p.claimed_at <= claimed_before)
            .values(status="unconfirmed", error=note)
        )
        async with self.db.begin() as conn:
            return bool((await conn.execute(update)).rowcount)

    async def record_skip(self, guild_id: int, day: date, reason: str) -> PostRow | None:
        """Record a day given up before any attempt, or after failed ones. Returns the row
        that was there instead, if it tells another story (sent, claimed...)."""
        p = daily_posts.c
        async with self.db.begin() as conn:
            insert = (
                dialect_insert(conn, daily_posts)
                .values(
                    guild_id=guild_id,
                    kind=self.kind,
                    local_date=day,
                    status="skipped",
                    attempts=0,
                    error=reason,
                )
                .on_conflict_do_nothing()
                .returning(p.status)
            )
            if (await conn.execute(insert)).first() is not None:
                return None
            given_up = (
                sa.update(daily_posts)
                .where(self._this_post(guild_id, day) & (p.status == "failed"))
                .values(status="skipped", error=reason)
                .returning(p.status)
            )
            if (await conn.execute(given_up)).first() is not None:
                return None
            query = sa.select(daily_posts).where(self._this_post(guild_id, day))
            return _post((await conn.execute(query)).first())

    # -- history ----------------------------------------------------------------------------
    async def post(self, guild_id: int, day: date) -> PostRow | None:
        async with self.db.connect() as conn:
            query = sa.select(daily_posts).where(self._this_post(guild_id, day))
            return _post((await conn.execute(query)).first())

    async def latest(self, guild_id: int, status: str | None = None) -> PostRow | None:
        """The server's most recent post row (of a `status`, if given)."""
        p = daily_posts.c
        query = (
            sa.select(daily_posts)
            .where((p.guild_id == guild_id) & (p.kind == self.kind))
            .order_by(p.local_date.desc())
            .limit(1)
        )
        if status is not None:
            query = query.where(p.status == status)
        async with self.db.connect() as conn:
            return _post((await conn.execute(query)).first())

    async def prune(self, before: date) -> int:
        """Delete post history older than `before`, every kind (the schedule keeps a post
        from repeating a day: no history is needed for days long gone)."""
        async with self.db.begin() as conn:
            deleted = await conn.execute(
                sa.delete(daily_posts).where(daily_posts.c.local_date < before)
            )
            return int(deleted.rowcount)
