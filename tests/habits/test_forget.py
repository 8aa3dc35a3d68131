"""/me forget's promise: nothing of the member is left in any table (read from the metadata,
so a table added later is checked without touching this test)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, date, datetime

import sqlalchemy as sa

import bot
from bot.habits.repository import HabitsRepository, MemberPrefs
from bot.habits.tables import qotd_answers, qotd_posts
from bot.practice import runs as r
from bot.practice.repository import PracticeRepository
from bot.practice.runs import AnswerRecord
from bot.store import Database, metadata

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
ALICE, BOB = 111_222_333_444_555_666, 999_888_777_666_555_444


def import_every_table_module() -> None:
    for module in pkgutil.walk_packages(bot.__path__, "bot."):
        if module.name.endswith(".tables"):
            importlib.import_module(module.name)


async def leave_traces(db: Database, member: int) -> None:
    practice, habits = PracticeRepository(db), HabitsRepository(db)
    run = await practice.start(r.new_quiz(member, ["q-1", "q-2"], NOW))
    await practice.save(run, [AnswerRecord(member, "q-1", "icd10cm", False, NOW, "quiz", run.id)])
    await habits.save_prefs(MemberPrefs(member, "UTC", date(2026, 6, 1), "08:00", NOW), NOW)
    async with db.begin() as conn:
        post = await conn.execute(
            qotd_posts.insert().returning(qotd_posts.c.id),
            {"guild_id": 42, "question_id": "q-1", "posted_at": NOW},
        )
        await conn.execute(
            qotd_answers.insert(),
            {"post_id": post.scalar_one(), "member_id": member, "guild_id": 42, "choice": "A",
             "correct": False, "answered_at": NOW, "display_name": f"member {member}"},
        )  # fmt: skip


async def rows_mentioning(db: Database, member: int) -> dict[str, int]:
    """Table -> rows with the member's id in any id column (whatever its name)."""
    found: dict[str, int] = {}
    async with db.connect() as conn:
        for table in metadata.sorted_tables:
            columns = [c for c in table.c if isinstance(c.type, sa.BigInteger)]  # Discord ids
            if not columns:
                continue
            query = sa.select(sa.func.count()).where(sa.or_(*(c == member for c in columns)))
            if count := (await conn.execute(query.select_from(table))).scalar_one():
                found[table.name] = count
    return found


async def test_forget_leaves_nothing_of_the_member_in_any_table(database: Database) -> None:
    import_every_table_module()
    await leave_traces(database, ALICE)
    await leave_traces(database, BOB)
    before = await rows_mentioning(database, ALICE)
    assert {"practice_runs", "practice_answers", "review_cards", "member_settings",
            "qotd_answers"} <= set(before)  # fmt: skip
    removed = await HabitsRepository(database).forget(ALICE)
    assert removed == sum(before.values())
    assert await rows_mentioning(database, ALICE) == {}
    assert set(await rows_mentioning(database, BOB)) == set(before)  # others keep theirs
