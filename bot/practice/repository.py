"""Practice runs and answer history in the store: one readable query a method."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from bot.errors import UserError
from bot.habits.repository import update_cards
from bot.practice.runs import AnswerRecord, Run
from bot.practice.tables import answer_rows, practice_answers, practice_runs
from bot.store import Database

RECENT = 300  # how many of a member's last answers new runs try not to repeat


class ActiveRunExists(UserError):
    """The member already has an active run (the database's one-active-run index said so)."""

    def __init__(self) -> None:
        super().__init__("You already have a practice run going: resume it or drop it first.")


class RunChanged(UserError):
    """Another press changed the run first (a double click): nothing was saved."""

    def __init__(self) -> None:
        super().__init__("That press came in twice; the first one counted.")


# Built once: a press runs these two, and a prepared statement skips rebuilding and re-keying
# the SQL each time (a third of a press's database CPU on SQLite).
_GET = practice_runs.select().where(practice_runs.c.id == sa.bindparam("run_id"))
_CHANGING = ("status", "answers", "flags", "position", "finished_at")  # the rest never changes
_SAVE = (
    practice_runs.update()
    .where(
        practice_runs.c.id == sa.bindparam("run_id"),
        practice_runs.c.revision == sa.bindparam("expected"),
    )
    .values({name: sa.bindparam(name) for name in (*_CHANGING, "revision")})
)


def _row(run: Run) -> dict[str, Any]:
    return {
        "member_id": run.member_id,
        "guild_id": run.guild_id,
        "channel_id": run.channel_id,
        "kind": run.kind,
        "status": run.status,
        "section": run.section,
        "question_ids": list(run.question_ids),
        "answers": list(run.answers),
        "flags": sorted(run.flags),
        "position": run.position,
        "started_at": run.started_at,
        "deadline": run.deadline,
        "finished_at": run.finished_at,
        "revision": run.revision,
    }


def _run(row: sa.Row[Any]) -> Run:
    return Run(
        id=row.id,
        member_id=row.member_id,
        guild_id=row.guild_id,
        channel_id=row.channel_id,
        kind=row.kind,
        status=row.status,
        section=row.section,
        question_ids=tuple(row.question_ids),
        answers=tuple(row.answers),
        flags=frozenset(row.flags),
        position=row.position,
        started_at=row.started_at,
        deadline=row.deadline,
        finished_at=row.finished_at,
        revision=row.revision,
    )


class PracticeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # -- runs -----------------------------------------------------------------------------------
    async def start(self, run: Run, *, replacing: Run | None = None) -> Run:
        """Insert a new run (dropping `replacing`, the member's active one, in the same
        transaction). Raises ActiveRunExists if the member has another active run."""
        try:
            async with self.db.begin() as conn:
                if replacing is not None:
                    await self._save(conn, replacing)
                result = await conn.execute(
                    practice_runs.insert().returning(practice_runs.c.id), _row(run)
                )
                return replace(run, id=result.scalar_one())
        except IntegrityError as exc:
            raise ActiveRunExists() from exc

    async def get(self, run_id: int) -> Run | None:
        async with self.db.connect() as conn:
            row = (await conn.execute(_GET, {"run_id": run_id})).first()
        return _run(row) if row else None

    async def active_run(self, member_id: int) -> Run | None:
        async with self.db.connect() as conn:
            query = practice_runs.select().where(
                practice_runs.c.member_id == member_id, practice_runs.c.status == "active"
            )
            row = (await conn.execute(query)).first()
        return _run(row) if row else None

    async def save(self, run: Run, answers: Sequence[AnswerRecord] = ()) -> Run:
        """Write a changed run, and the answers it produced, in one transaction. The write is a
        compare-and-set on the revision the run was read at: a second press that read the same
        revision raises RunChanged and saves nothing."""
        async with self.db.begin() as conn:
            saved = await self._save(conn, run)
            if answers:
                await conn.execute(practice_answers.insert(), answer_rows(answers))
                await update_cards(conn, answers)  # misses become review cards (issue 9)
        return saved

    @staticmethod
    async def _save(conn: Any, run: Run) -> Run:
        row = _row(run)
        values = {name: row[name] for name in _CHANGING}
        values |= {"run_id": run.id, "expected": run.revision, "revision": run.revision + 1}
        result = await conn.execute(_SAVE, values)
        if result.rowcount != 1:
            raise RunChanged()
        return replace(run, revision=run.revision + 1)

    async def due(self, now: datetime, limit: int = 100) -> list[Run]:
        """Active runs whose time ran out (the partial index on deadline finds them)."""
        async with self.db.connect() as conn:
            query = (
                practice_runs.select()
                .where(practice_runs.c.status == "active", practice_runs.c.deadline <= now)
                .order_by(practice_runs.c.deadline)
                .limit(limit)
            )
            rows = (await conn.execute(query)).all()
        return [_run(row) for row in rows]

    async def finished(self, member_id: int, kind: str = "mock", limit: int = 10) -> list[Run]:
        """The member's last finished runs of a kind, newest first (kept results)."""
        async with self.db.connect() as conn:
            query = (
                practice_runs.select()
                .where(
                    practice_runs.c.member_id == member_id,
                    practice_runs.c.kind == kind,
                    practice_runs.c.status.in_(("finished", "expired")),
                )
                .order_by(practice_runs.c.started_at.desc())
                .limit(limit)
            )
            rows = (await conn.execute(query)).all()
        return [_run(row) for row in rows]

    # -- answer history -------------------------------------------------------------------------
    async def recent_question_ids(self, member_id: int, limit: int = RECENT) -> set[str]:
        async with self.db.connect() as conn:
            query = (
                sa.select(practice_answers.c.question_id)
                .where(practice_answers.c.member_id == member_id)
                .order_by(practice_answers.c.answered_at.desc())
                .limit(limit)
            )
            return set((await conn.execute(query)).scalars())

    async def history(self, member_id: int, since: datetime | None = None) -> list[AnswerRecord]:
        """Every answer of a member, oldest first (spaced review and progress read this)."""
        query = practice_answers.select().where(practice_answers.c.member_id == member_id)
        if since is not None:
            query = query.where(practice_answers.c.answered_at >= since)
        async with self.db.connect() as conn:
            rows = (await conn.execute(query.order_by(practice_answers.c.answered_at))).all()
        return [
            AnswerRecord(
                r.member_id,
                r.question_id,
                r.section,
                r.correct,
                r.answered_at,
                r.source,
                r.run_id,
            )
            for r in rows
        ]

    async def section_totals(self, member_id: int) -> dict[str, tuple[int, int]]:
        """Section -> (answered right, answered) over the member's whole history."""
        right = sa.func.sum(sa.case((practice_answers.c.correct, 1), else_=0))
        query = (
            sa.select(practice_answers.c.section, right, sa.func.count())
            .where(practice_answers.c.member_id == member_id)
            .group_by(practice_answers.c.section)
        )
        async with self.db.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {section: (int(ok), int(total)) for section, ok, total in rows}

    async def delete_member(self, member_id: int) -> int:
        """Forget a member: their runs and their answers. Returns the rows removed."""
        async with self.db.begin() as conn:
            answers = await conn.execute(
                practice_answers.delete().where(practice_answers.c.member_id == member_id)
            )
            runs = await conn.execute(
                practice_runs.delete().where(practice_runs.c.member_id == member_id)
            )
        return int(answers.rowcount) + int(runs.rowcount)
