"""The question of the day: the ``"qotd"`` kind of daily post, on the generic `DailyScheduler`.

The scheduler decides when (claim before send, never twice, never lost, DST, catch-up,
failures paused with the reason); this module decides what and keeps the answers:

* **Rotation.** The question a server has been asked least often, so nothing repeats before
  the bank is exhausted and questions added to the bank join at once (they have been asked
  zero times). Among equals the order is a stable shuffle per server.
* **One answer each.** `qotd_answers`' primary key (post, member) is the rule: an answer is an
  INSERT .. ON CONFLICT DO NOTHING, and only an inserted one is recorded in the member's
  history, review cards and streak, in the same transaction. 5,000 members pressing within a
  minute are each recorded exactly once, with no read-then-write race.
* **Reveal.** At `reveal_at` (the server's setting, default 12 hours, and at the latest when
  the next post goes out) a loop claims the post (revealed_at set once) and the cog edits the
  message to show the answer, the rationale and how the server answered.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.habits.repository import record_answers
from bot.habits.tables import qotd_answers, qotd_posts, qotd_settings
from bot.practice import Question, QuestionBank
from bot.practice.runs import AnswerRecord
from bot.scheduling import DailyScheduler, PostFailure
from bot.store import Database, dialect_insert

log = logging.getLogger(__name__)

KIND = "qotd"
DEFAULT_REVEAL = timedelta(hours=12)

Poster = Callable[[int, int, Question, int, datetime | None, str | None], Awaitable[int]]
"""``await poster(guild_id, channel_id, question, post_id, reveal_at, nonce) -> message id``;
raises `PostFailure` (certainly not sent) or `PostUnconfirmed`."""


@dataclass(frozen=True)
class Post:
    id: int
    guild_id: int
    question_id: str
    channel_id: int | None
    message_id: int | None
    posted_at: datetime
    reveal_at: datetime | None
    revealed_at: datetime | None

    def closed(self, now: datetime) -> bool:
        return self.revealed_at is not None or (
            self.reveal_at is not None and now >= self.reveal_at
        )


@dataclass(frozen=True)
class Answered:
    recorded: bool  # False: the member had answered already (`choice` is that answer)
    choice: str


def _post(row: sa.Row[Any]) -> Post:
    return Post(
        row.id,
        row.guild_id,
        row.question_id,
        row.channel_id,
        row.message_id,
        row.posted_at,
        row.reveal_at,
        row.revealed_at,
    )


def pick_question(asked: Mapping[str, int], bank_ids: Iterable[str], guild_id: int) -> str:
    """The question the server was asked least often; among those, a stable per-server order."""

    def shuffle(qid: str) -> str:
        return hashlib.sha256(f"{guild_id}:{qid}".encode()).hexdigest()

    return min(bank_ids, key=lambda qid: (asked.get(qid, 0), shuffle(qid)))


class QotdRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def asked(self, conn: AsyncConnection, guild_id: int) -> dict[str, int]:
        query = (
            sa.select(qotd_posts.c.question_id, sa.func.count())
            .where(qotd_posts.c.guild_id == guild_id)
            .group_by(qotd_posts.c.question_id)
        )
        return {qid: int(n) for qid, n in await conn.execute(query)}

    async def open_post(
        self,
        guild_id: int,
        question_id: str,
        channel_id: int,
        nonce: str | None,
        now: datetime,
        reveal_at: datetime,
    ) -> Post:
        """The post row for this send: a retry of a scheduled day (same nonce) reuses its row.
        Earlier posts of the server still open are due for their reveal now."""
        async with self.db.begin() as conn:
            await conn.execute(
                qotd_posts.update()
                .where(
                    qotd_posts.c.guild_id == guild_id,
                    qotd_posts.c.revealed_at.is_(None),
                    qotd_posts.c.reveal_at > now,
                )
                .values(reveal_at=now)
            )
            if nonce is not None:
                row = (
                    await conn.execute(qotd_posts.select().where(qotd_posts.c.nonce == nonce))
                ).first()
                if row is not None:
                    return _post(row)
            row = (
                await conn.execute(
                    qotd_posts.insert().returning(*qotd_posts.c),
                    {
                        "guild_id": guild_id,
                        "question_id": question_id,
                        "channel_id": channel_id,
                        "nonce": nonce,
                        "posted_at": now,
                        "reveal_at": reveal_at,
                    },
                )
            ).one()
            return _post(row)

    async def set_message(self, post_id: int, message_id: int) -> None:
        async with self.db.begin() as conn:
            await conn.execute(
                qotd_posts.update().where(qotd_posts.c.id == post_id).values(message_id=message_id)
            )

    async def get(self, post_id: int) -> Post | None:
        async with self.db.connect() as conn:
            row = (
                await conn.execute(qotd_posts.select().where(qotd_posts.c.id == post_id))
            ).first()
        return _post(row) if row else None

    async def answer(
        self,
        post: Post,
        question: Question,
        member_id: int,
        choice: str,
        now: datetime,
        display_name: str | None,
        default_zone: str | None,
    ) -> Answered:
        """Record the member's one answer, with its history row, card and streak day."""
        correct = choice == question.answer
        async with self.db.begin() as conn:
            insert = dialect_insert(conn, qotd_answers).values(
                post_id=post.id,
                member_id=member_id,
                guild_id=post.guild_id,
                choice=choice,
                correct=correct,
                answered_at=now,
                display_name=(display_name or None) and display_name[:100],
            )
            inserted = await conn.execute(
                insert.on_conflict_do_nothing().returning(qotd_answers.c.member_id)
            )
            if inserted.first() is None:
                earlier = await conn.scalar(
                    sa.select(qotd_answers.c.choice).where(
                        qotd_answers.c.post_id == post.id, qotd_answers.c.member_id == member_id
                    )
                )
                return Answered(False, str(earlier))
            record = AnswerRecord(member_id, question.id, question.section, correct, now, "qotd")
            await record_answers(conn, [record], default_zone)
        return Answered(True, choice)

    async def counts(self, post_id: int) -> dict[str, int]:
        query = (
            sa.select(qotd_answers.c.choice, sa.func.count())
            .where(qotd_answers.c.post_id == post_id)
            .group_by(qotd_answers.c.choice)
        )
        async with self.db.connect() as conn:
            return {choice: int(n) for choice, n in await conn.execute(query)}

    async def due_reveals(self, now: datetime, limit: int = 100) -> list[Post]:
        query = (
            qotd_posts.select()
            .where(qotd_posts.c.revealed_at.is_(None), qotd_posts.c.reveal_at <= now)
            .order_by(qotd_posts.c.reveal_at)
            .limit(limit)
        )
        async with self.db.connect() as conn:
            return [_post(row) for row in await conn.execute(query)]

    async def claim_reveal(self, post_id: int, now: datetime) -> bool:
        """Take the reveal of a post (once, whichever process gets there first)."""
        query = (
            qotd_posts.update()
            .where(qotd_posts.c.id == post_id, qotd_posts.c.revealed_at.is_(None))
            .values(revealed_at=now)
        )
        async with self.db.begin() as conn:
            return (await conn.execute(query)).rowcount == 1

    async def latest(self, guild_id: int) -> Post | None:
        query = (
            qotd_posts.select()
            .where(qotd_posts.c.guild_id == guild_id)
            .order_by(qotd_posts.c.posted_at.desc(), qotd_posts.c.id.desc())
            .limit(1)
        )
        async with self.db.connect() as conn:
            row = (await conn.execute(query)).first()
        return _post(row) if row else None

    async def reveal_after(self, guild_id: int) -> timedelta:
        async with self.db.connect() as conn:
            hours = await conn.scalar(
                sa.select(qotd_settings.c.reveal_hours).where(qotd_settings.c.guild_id == guild_id)
            )
        return timedelta(hours=hours) if hours else DEFAULT_REVEAL

    async def set_reveal_after(self, guild_id: int, hours: int | None) -> None:
        async with self.db.begin() as conn:
            insert = dialect_insert(conn, qotd_settings).values(
                guild_id=guild_id, reveal_hours=hours
            )
            await conn.execute(
                insert.on_conflict_do_update(
                    index_elements=["guild_id"], set_={"reveal_hours": hours}
                )
            )

    async def forget_guild(self, guild_id: int) -> None:
        """The server removed the bot: its posts (their answers cascade) and settings."""
        async with self.db.begin() as conn:
            await conn.execute(qotd_answers.delete().where(qotd_answers.c.guild_id == guild_id))
            await conn.execute(qotd_posts.delete().where(qotd_posts.c.guild_id == guild_id))
            await conn.execute(qotd_settings.delete().where(qotd_settings.c.guild_id == guild_id))


class QotdContent:
    """The `DailyContent` of the question of the day."""

    def __init__(
        self,
        repo: QotdRepository,
        bank: Callable[[], QuestionBank],
        poster: Poster,
        clock: Callable[[], datetime],
    ) -> None:
        self.repo = repo
        self.bank = bank
        self.poster = poster
        self.clock = clock

    def ready(self) -> bool:
        return bool(self.bank().questions)

    async def pick(self, conn: AsyncConnection, guild_id: int) -> str:
        return pick_question(await self.repo.asked(conn, guild_id), self.bank().questions, guild_id)

    async def post(self, guild_id: int, channel_id: int, item_id: str, nonce: str | None) -> int:
        question = self.bank().questions.get(item_id)
        if question is None:  # removed from the bank between the claim and a retry
            raise PostFailure("unknown", f"question {item_id} is no longer in the bank")
        now = self.clock()
        reveal_at = now + await self.repo.reveal_after(guild_id)
        post = await self.repo.open_post(guild_id, item_id, channel_id, nonce, now, reveal_at)
        message_id = await self.poster(
            guild_id, channel_id, question, post.id, post.reveal_at, nonce
        )
        await self.repo.set_message(post.id, message_id)
        return message_id


class QuestionOfTheDay:
    """The question-of-the-day scheduler of one bot process, the manual post and reveals."""

    def __init__(
        self,
        db: Database,
        bank: Callable[[], QuestionBank],
        poster: Poster,
        **scheduler_options: Any,
    ) -> None:
        self.db = db
        self.repo = QotdRepository(db)
        self.content = QotdContent(self.repo, bank, poster, lambda: self.scheduler.now())
        self.scheduler = DailyScheduler(db, KIND, self.content, **scheduler_options)

    async def post_now(self, guild_id: int) -> tuple[str, int]:
        """Post the server's next question now (also while paused); the day's scheduled one
        still goes out. Returns the question id and the message id."""
        row = await self.scheduler.require(guild_id)
        if not self.content.ready():
            raise PostFailure("unknown", "the question bank is empty")
        async with self.db.begin() as conn:
            question_id = await self.content.pick(conn, guild_id)
        return question_id, await self.content.post(guild_id, row.channel_id, question_id, None)

    async def reveal_due(
        self, reveal: Callable[[Post, dict[str, int]], Awaitable[None]], limit: int = 100
    ) -> list[int]:
        """Reveal the posts whose time came: each claimed once, then `reveal` edits it."""
        now = self.scheduler.now()
        done = []
        for post in await self.repo.due_reveals(now, limit):
            if not await self.repo.claim_reveal(post.id, now):
                continue
            try:
                await reveal(post, await self.repo.counts(post.id))
            except Exception:  # the message was deleted, or Discord failed: not retried
                log.exception("guild %s: could not reveal question post %s", post.guild_id, post.id)
                continue
            done.append(post.id)
        return done

    async def forget(self, guild_id: int) -> None:
        await self.scheduler.forget(guild_id)
        await self.repo.forget_guild(guild_id)
