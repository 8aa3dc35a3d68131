"""The question of the day's rotation and answers, on a real SQLite file and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.habits.qotd import QotdRepository, pick_question
from bot.habits.tables import qotd_answers
from bot.practice import QuestionBank, load_bank
from bot.practice.tables import practice_answers
from bot.store import Database

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
GUILD = 42


@pytest.fixture
def bank(tmp_path: Path) -> QuestionBank:
    from tests.practice.bankkit import sample_bank_dir

    return load_bank(sample_bank_dir(tmp_path / "questions"))


def test_no_repeats_until_the_bank_is_used_up_and_new_questions_join() -> None:
    ids = [f"q-{i}" for i in range(5)]
    asked: dict[str, int] = {}
    order = []
    for _ in range(10):
        qid = pick_question(asked, ids, GUILD)
        asked[qid] = asked.get(qid, 0) + 1
        order.append(qid)
    assert sorted(order[:5]) == ids and sorted(order[5:]) == ids  # each once per round
    assert order[:5] != [pick_question({}, ids, GUILD + 1)] * 5  # stable, not the same for all
    assert pick_question(asked, [*ids, "q-new"], GUILD) == "q-new"  # a new one comes next


async def test_a_retried_send_reuses_its_post_and_a_new_post_reveals_the_old(
    database: Database,
) -> None:
    repo = QotdRepository(database)
    first = await repo.open_post(GUILD, "q-1", 7, "nonce-1", NOW, NOW + timedelta(hours=12))
    again = await repo.open_post(GUILD, "q-1", 7, "nonce-1", NOW, NOW + timedelta(hours=12))
    assert again.id == first.id
    later = NOW + timedelta(hours=3)
    second = await repo.open_post(GUILD, "q-2", 7, "nonce-2", later, later + timedelta(hours=12))
    assert [p.id for p in await repo.due_reveals(later)] == [first.id]  # revealed at the next post
    assert await repo.claim_reveal(first.id, later)
    assert not await repo.claim_reveal(first.id, later)  # once, whoever gets there first
    assert (await repo.latest(GUILD)).id == second.id  # type: ignore[union-attr]
    async with database.connect() as conn:
        assert await repo.asked(conn, GUILD) == {"q-1": 1, "q-2": 1}


async def test_many_members_at_once_each_recorded_exactly_once(
    database: Database, bank: QuestionBank
) -> None:
    repo = QotdRepository(database)
    question = next(iter(bank.questions.values()))
    post = await repo.open_post(GUILD, question.id, 7, "n", NOW, NOW + timedelta(hours=12))
    members = range(1_000_000, 1_000_400)
    presses = [
        repo.answer(
            post, question, m, letter, NOW + timedelta(milliseconds=m % 1000), f"m{m}", "UTC"
        )
        for m in members
        for letter in ("A", "B")  # every member presses twice, on two letters, at once
    ]
    results = await asyncio.gather(*presses)
    assert sum(r.recorded for r in results) == len(members)
    counts = await repo.counts(post.id)
    assert sum(counts.values()) == len(members)
    async with database.connect() as conn:
        rows = await conn.scalar(sa.select(sa.func.count()).select_from(qotd_answers))
        history = await conn.scalar(
            sa.select(sa.func.count()).where(practice_answers.c.source == "qotd")
        )
    assert rows == history == len(members)
