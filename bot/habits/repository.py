"""Study habits in the store: review cards, member settings, forgetting a member.

One readable query a method. `update_cards` and `record_answers` take the caller's
connection, so a member's answer and the card it moves are one transaction: practice calls
`update_cards` inside its own save, review and the question of the day call `record_answers`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.habits.review import CardState, review
from bot.habits.streaks import local_day
from bot.habits.tables import member_settings, qotd_answers, review_cards, streak_days
from bot.practice.runs import AnswerRecord
from bot.practice.tables import answer_rows, practice_answers
from bot.store import Database, UTCDateTime, dialect_insert, metadata

# The sources whose answers make a streak: the question of the day and reviews, not private
# practice (leaderboards read the question of the day only, see QotdRepository).
STREAK_SOURCES = ("qotd", "review")


@dataclass(frozen=True)
class Card:
    member_id: int
    question_id: str
    due: datetime
    state: CardState
    reviews: int


@dataclass(frozen=True)
class MemberPrefs:
    member_id: int
    timezone: str | None = None
    exam_date: date | None = None
    reminder_time: str | None = None  # "HH:MM" local
    reminder_next_at: datetime | None = None
    reminder_last_date: date | None = None
    dm_closed_at: datetime | None = None

    @property
    def zone(self) -> ZoneInfo | None:
        return ZoneInfo(self.timezone) if self.timezone else None


def _prefs(row: sa.Row[Any]) -> MemberPrefs:
    return MemberPrefs(
        row.member_id,
        row.timezone,
        row.exam_date,
        row.reminder_time,
        row.reminder_next_at,
        row.reminder_last_date,
        row.dm_closed_at,
    )


def _card(row: sa.Row[Any]) -> Card:
    return Card(row.member_id, row.question_id, row.due, row.state, row.reviews)


async def update_cards(conn: AsyncConnection, records: Sequence[AnswerRecord]) -> None:
    """Move the review cards these answers touch: a miss makes (or resets) a card, rated
    Again; a right answer is rated Good on a card that exists and ignored otherwise."""
    for member in {r.member_id for r in records}:
        mine = [r for r in records if r.member_id == member]
        settings = (
            await conn.execute(
                sa.select(member_settings.c.timezone, member_settings.c.exam_date).where(
                    member_settings.c.member_id == member
                )
            )
        ).first()
        zone = ZoneInfo(settings.timezone) if settings and settings.timezone else None
        exam = settings.exam_date if settings else None
        cards: dict[str, tuple[CardState, int]] = {
            row.question_id: (row.state, row.reviews)
            for row in await conn.execute(
                sa.select(
                    review_cards.c.question_id, review_cards.c.state, review_cards.c.reviews
                ).where(
                    review_cards.c.member_id == member,
                    review_cards.c.question_id.in_({r.question_id for r in mine}),
                )
            )
        }
        rows = []
        for record in sorted(mine, key=lambda r: r.answered_at):
            card = cards.get(record.question_id)
            if card is None and record.correct:
                continue
            moved = review(
                card[0] if card else None,
                record.correct,
                record.answered_at,
                exam_date=exam,
                zone=zone,
            )
            reviews = (card[1] if card else 0) + 1
            rows.append(
                {
                    "member_id": member,
                    "question_id": record.question_id,
                    "due": moved.due,
                    "state": moved.state,
                    "reviews": reviews,
                    "updated_at": record.answered_at,
                }
            )
            cards[record.question_id] = (moved.state, reviews)  # a later answer in the batch
        if rows:
            upsert = dialect_insert(conn, review_cards)
            excluded = upsert.excluded
            await conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["member_id", "question_id"],
                    set_={
                        "due": excluded.due,
                        "state": excluded.state,
                        "reviews": excluded.reviews,
                        "updated_at": excluded.updated_at,
                    },
                ),
                rows,
            )


async def record_answers(
    conn: AsyncConnection, records: Sequence[AnswerRecord], default_zone: str | None = None
) -> None:
    """Keep answers in the member's history (progress reads it), move their cards, and count
    the local day for the streak (the member's zone, else `default_zone`, the server's)."""
    if not records:
        return
    await conn.execute(practice_answers.insert(), answer_rows(records))
    await update_cards(conn, records)
    zones: dict[int, str | None] = {}
    days = []
    for record in records:
        if record.source not in STREAK_SOURCES:
            continue
        if record.member_id not in zones:
            zones[record.member_id] = await conn.scalar(
                sa.select(member_settings.c.timezone).where(
                    member_settings.c.member_id == record.member_id
                )
            )
        zone = ZoneInfo(zones[record.member_id] or default_zone or "UTC")
        days.append({"member_id": record.member_id, "day": local_day(record.answered_at, zone)})
    if days:
        insert = dialect_insert(conn, streak_days).on_conflict_do_nothing()
        await conn.execute(insert, days)


class HabitsRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- review cards ---------------------------------------------------------------------------
    async def due_cards(self, member_id: int, now: datetime, limit: int = 25) -> list[Card]:
        """The member's cards due by `now`, the longest overdue first."""
        query = (
            review_cards.select()
            .where(review_cards.c.member_id == member_id, review_cards.c.due <= now)
            .order_by(review_cards.c.due)
            .limit(limit)
        )
        async with self.db.connect() as conn:
            return [_card(row) for row in await conn.execute(query)]

    async def due_count(self, member_id: int, now: datetime) -> int:
        query = sa.select(sa.func.count()).where(
            review_cards.c.member_id == member_id, review_cards.c.due <= now
        )
        async with self.db.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def next_due(self, member_id: int) -> datetime | None:
        """When the member's next card falls due (None: no cards at all)."""
        # type_: min() would lose the column's type, and SQLite hand back text
        earliest = sa.func.min(review_cards.c.due, type_=UTCDateTime())
        query = sa.select(earliest).where(review_cards.c.member_id == member_id)
        async with self.db.connect() as conn:
            value: datetime | None = (await conn.execute(query)).scalar_one()
        return value

    async def card(self, member_id: int, question_id: str) -> Card | None:
        query = review_cards.select().where(
            review_cards.c.member_id == member_id, review_cards.c.question_id == question_id
        )
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        return _card(row) if row else None

    async def answer(
        self, records: Sequence[AnswerRecord], default_zone: str | None = None
    ) -> None:
        async with self.db.begin() as conn:
            await record_answers(conn, records, default_zone)

    async def drop_cards(self, member_id: int, question_ids: Sequence[str]) -> int:
        """Cards of questions the bank no longer has: nothing to review them with."""
        async with self.db.begin() as conn:
            result = await conn.execute(
                review_cards.delete().where(
                    review_cards.c.member_id == member_id,
                    review_cards.c.question_id.in_(question_ids),
                )
            )
        return int(result.rowcount)

    # -- member settings ------------------------------------------------------------------------
    async def prefs(self, member_id: int) -> MemberPrefs:
        query = member_settings.select().where(member_settings.c.member_id == member_id)
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        return _prefs(row) if row else MemberPrefs(member_id)

    async def save_prefs(self, prefs: MemberPrefs, now: datetime) -> None:
        values = {
            "member_id": prefs.member_id,
            "timezone": prefs.timezone,
            "exam_date": prefs.exam_date,
            "reminder_time": prefs.reminder_time,
            "reminder_next_at": prefs.reminder_next_at,
            "reminder_last_date": prefs.reminder_last_date,
            "dm_closed_at": prefs.dm_closed_at,
            "updated_at": now,
        }
        async with self.db.begin() as conn:
            upsert = dialect_insert(conn, member_settings).values(values)
            await conn.execute(
                upsert.on_conflict_do_update(
                    index_elements=["member_id"],
                    set_={k: v for k, v in values.items() if k != "member_id"},
                )
            )

    async def reminders_due(self, now: datetime, limit: int = 200) -> list[MemberPrefs]:
        query = (
            member_settings.select()
            .where(
                member_settings.c.reminder_next_at <= now,
                member_settings.c.dm_closed_at.is_(None),
            )
            .order_by(member_settings.c.reminder_next_at)
            .limit(limit)
        )
        async with self.db.connect() as conn:
            return [_prefs(row) for row in await conn.execute(query)]

    async def claim_reminder(
        self, prefs: MemberPrefs, local_date: date, next_at: datetime, now: datetime
    ) -> bool:
        """Take the member's reminder for `local_date` and move it on to `next_at`, before
        sending. A compare-and-set on the instant that was due: of two processes (or a
        restarted one) exactly one wins, and a claimed day is never sent again."""
        query = (
            member_settings.update()
            .where(
                member_settings.c.member_id == prefs.member_id,
                member_settings.c.reminder_next_at == prefs.reminder_next_at,
            )
            .values(reminder_next_at=next_at, reminder_last_date=local_date, updated_at=now)
        )
        async with self.db.begin() as conn:
            return (await conn.execute(query)).rowcount == 1

    async def mark_dm_closed(self, member_id: int, now: datetime) -> None:
        query = (
            member_settings.update()
            .where(member_settings.c.member_id == member_id)
            .values(dm_closed_at=now, updated_at=now)
        )
        async with self.db.begin() as conn:
            await conn.execute(query)

    # -- streaks and history --------------------------------------------------------------------
    async def streak_days(self, member_id: int) -> list[date]:
        """The local days on which the member answered the question of the day or reviewed."""
        query = sa.select(streak_days.c.day).where(streak_days.c.member_id == member_id)
        async with self.db.connect() as conn:
            return list((await conn.execute(query)).scalars())

    async def qotd_scores(
        self, guild_id: int, since: datetime | None
    ) -> list[tuple[int, int, int, str | None]]:
        """(member, right, answered, a stored display name) for a server's question of the
        day, since `since` (None: all time)."""
        right = sa.func.sum(sa.case((qotd_answers.c.correct, 1), else_=0))
        query = (
            sa.select(
                qotd_answers.c.member_id,
                right,
                sa.func.count(),
                sa.func.max(qotd_answers.c.display_name),
            )
            .where(qotd_answers.c.guild_id == guild_id)
            .group_by(qotd_answers.c.member_id)
        )
        if since is not None:
            query = query.where(qotd_answers.c.answered_at >= since)
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [(int(m), int(ok), int(n), name) for m, ok, n, name in rows]

    async def last_server(self, member_id: int) -> int | None:
        """The server where the member last answered a question of the day (its zone is their
        default one)."""
        query = (
            sa.select(qotd_answers.c.guild_id)
            .where(qotd_answers.c.member_id == member_id)
            .order_by(qotd_answers.c.answered_at.desc())
            .limit(1)
        )
        async with self.db.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    # -- forgetting -----------------------------------------------------------------------------
    async def forget(self, member_id: int) -> int:
        """Delete every row of the member in every table that has a `member_id` column (read
        from the metadata, so a table added later is covered without touching this), children
        before parents. Returns the rows removed."""
        removed = 0
        async with self.db.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                if "member_id" in table.c:
                    result = await conn.execute(
                        table.delete().where(table.c.member_id == member_id)
                    )
                    removed += int(result.rowcount)
        return removed
