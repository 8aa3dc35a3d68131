"""The gap log: what the bot could not answer, counted in a real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.engine import Engine
from bot.gaps import GapLog, GapRecorder, gap_text
from bot.store import Database, StoreUnavailable

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_only_unanswered_or_gap_answers_are_recorded(engine: Engine):
    assert gap_text(engine.answer("what does CRC pay")) is None
    assert gap_text(engine.answer("how long to boil an egg??")) == "how long to boil an egg"
    assert gap_text(engine.answer("coder salary in Texas")) == "coder salary in texas"
    assert gap_text(engine.answer("what does XYZ pay")) == "what does xyz pay"
    assert gap_text(engine.answer("hi there")) is None and gap_text(engine.answer("  ")) is None


async def test_counts_first_and_last_seen(database: Database, engine: Engine):
    recorder = GapRecorder(GapLog(database))
    for minute, question in enumerate(["coder pay in Texas", "Coder pay in TEXAS!", "xyz pay"]):
        recorder.note(engine.answer(question), T0 + timedelta(minutes=minute))
    await recorder.flush()
    recorder.note(engine.answer("coder pay in texas"), T0 + timedelta(hours=1))
    await recorder.flush()
    [top, other] = await GapLog(database).most_asked()
    assert (top.text, top.count) == ("coder pay in texas", 3)
    assert top.first_seen == T0 and top.last_seen == T0 + timedelta(hours=1)
    assert other.text == "xyz pay" and other.count == 1
    assert not recorder.pending


async def test_the_table_is_capped(database: Database):
    log = GapLog(database, max_rows=3)
    for n in range(5):
        await log.record({f"question {n}": 1}, T0 + timedelta(minutes=n), T0 + timedelta(minutes=n))
    kept = {g.text for g in await log.most_asked()}
    assert kept == {"question 2", "question 3", "question 4"}  # the least recent went


def test_the_buffer_is_bounded_and_the_switch_turns_it_off(engine: Engine):
    recorder = GapRecorder(GapLog(Database("sqlite+aiosqlite:///:memory:")), max_pending=2)
    for question in ["asdf one", "asdf two", "asdf three", "asdf one"]:
        recorder.note(engine.answer(question))
    assert dict(recorder.pending) == {"asdf one": 2, "asdf two": 1} and recorder.dropped == 1
    off = GapRecorder(GapLog(Database("sqlite+aiosqlite:///:memory:")), enabled=False)
    off.note(engine.answer("asdf one"))
    assert not off.pending


async def test_a_store_failure_keeps_the_batch(engine: Engine, tmp_path):
    down = Database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.sqlite3")
    recorder = GapRecorder(GapLog(down))
    recorder.note(engine.answer("asdf qwer"))
    with pytest.raises(StoreUnavailable):
        await recorder.flush()
    assert dict(recorder.pending) == {"asdf qwer": 1}
