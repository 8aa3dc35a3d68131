"""Practice runs and answers in the store, on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.practice import runs as r
from bot.practice.repository import ActiveRunExists, PracticeRepository, RunChanged
from bot.practice.runs import AnswerRecord
from bot.store import Database

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
IDS = ["icd-nec-meaning", "mod-25-same-day-em", "hcpcs-rt-modifier"]
ALICE, BOB = 111_222_333_444_555_666, 999_888_777_666_555_444  # real-sized snowflakes


@pytest.fixture
def repo(database: Database) -> PracticeRepository:
    return PracticeRepository(database)


async def test_a_run_comes_back_as_it_was_saved(repo: PracticeRepository) -> None:
    run = r.new_mock(ALICE, IDS, NOW, guild_id=1, channel_id=2)
    started = await repo.start(run)
    assert started.id is not None
    changed = r.toggle_flag(r.choose(started, 1, "D", NOW), 2, NOW)
    saved = await repo.save(changed)
    loaded = await repo.get(started.id)
    assert loaded == saved
    assert loaded is not None
    assert loaded.answers == (None, "D", None) and loaded.flags == {2} and loaded.position == 2
    assert loaded.deadline == NOW + timedelta(minutes=7.2)
    assert loaded.started_at.tzinfo is not None  # aware UTC on both backends


async def test_one_active_run_a_member(repo: PracticeRepository) -> None:
    first = await repo.start(r.new_quiz(ALICE, IDS, NOW))
    await repo.start(r.new_quiz(BOB, IDS, NOW))  # another member: fine
    with pytest.raises(ActiveRunExists, match="resume it or drop it"):
        await repo.start(r.new_mock(ALICE, IDS, NOW))
    assert await repo.active_run(ALICE) == first
    # dropping the old one and starting the new one is one step
    new = await repo.start(r.new_mock(ALICE, IDS, NOW), replacing=r.drop(first, NOW))
    assert await repo.active_run(ALICE) == new
    old = await repo.get(first.id or 0)
    assert old is not None and old.status == "dropped"


async def test_a_second_press_on_the_same_revision_saves_nothing(repo: PracticeRepository) -> None:
    run = await repo.start(r.new_quiz(ALICE, IDS, NOW))
    bank_free = replace(run, answers=("A", None, None))
    record = AnswerRecord(ALICE, IDS[0], "icd10cm", True, NOW, "quiz", run.id)
    await repo.save(bank_free, [record])
    with pytest.raises(RunChanged):
        await repo.save(replace(run, answers=("B", None, None)), [replace(record, correct=False)])
    assert [a.correct for a in await repo.history(ALICE)] == [True]


async def test_answer_history_and_totals_for_progress(repo: PracticeRepository) -> None:
    run = await repo.start(r.new_quiz(ALICE, IDS, NOW))
    rows = [
        AnswerRecord(ALICE, "icd-nec-meaning", "icd10cm", True, NOW, "quiz", run.id),
        AnswerRecord(ALICE, "icd-placeholder-x", "icd10cm", False, NOW + timedelta(1), "mock"),
        AnswerRecord(ALICE, "hcpcs-rt-modifier", "hcpcs", True, NOW + timedelta(2), "mock"),
        AnswerRecord(BOB, "hcpcs-rt-modifier", "hcpcs", False, NOW, "quiz"),
    ]
    await repo.save(run, rows)
    history = await repo.history(ALICE)
    assert [a.question_id for a in history] == [
        "icd-nec-meaning",
        "icd-placeholder-x",
        "hcpcs-rt-modifier",
    ]
    assert history[0] == rows[0]
    assert [a.question_id for a in await repo.history(ALICE, since=NOW + timedelta(1))] == [
        "icd-placeholder-x",
        "hcpcs-rt-modifier",
    ]
    assert await repo.section_totals(ALICE) == {"icd10cm": (1, 2), "hcpcs": (1, 1)}
    assert await repo.recent_question_ids(ALICE, limit=2) == {
        "hcpcs-rt-modifier",
        "icd-placeholder-x",
    }


async def test_runs_whose_time_ran_out(repo: PracticeRepository) -> None:
    soon = await repo.start(r.new_mock(ALICE, IDS, NOW))
    await repo.start(r.new_mock(BOB, IDS * 10, NOW))  # 30 questions: 72 minutes
    assert soon.deadline is not None
    assert await repo.due(soon.deadline - timedelta(seconds=1)) == []
    assert [x.id for x in await repo.due(soon.deadline)] == [soon.id]
    await repo.save(r.expire_if_due(soon, soon.deadline))
    assert await repo.due(soon.deadline + timedelta(hours=2)) != []  # only Bob's now
    assert [x.member_id for x in await repo.due(NOW + timedelta(hours=2))] == [BOB]
    [kept] = await repo.finished(ALICE)
    assert kept.status == "expired" and kept.finished_at == soon.deadline


async def test_a_member_can_delete_their_data(repo: PracticeRepository) -> None:
    run = await repo.start(r.new_quiz(ALICE, IDS, NOW))
    await repo.save(run, [AnswerRecord(ALICE, IDS[0], "icd10cm", True, NOW, "quiz", run.id)])
    await repo.start(r.new_quiz(BOB, IDS, NOW))
    assert await repo.delete_member(ALICE) == 2
    assert await repo.active_run(ALICE) is None and await repo.history(ALICE) == []
    assert await repo.active_run(BOB) is not None


async def test_a_down_database_is_a_clear_message(database: Database) -> None:
    repo = PracticeRepository(database)
    await database.close()
    from bot.store import StoreUnavailable

    with pytest.raises(StoreUnavailable, match="database is unavailable"):
        await repo.active_run(ALICE)
