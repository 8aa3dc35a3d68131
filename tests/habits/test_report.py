"""Streak days, the leaderboard's scores and the progress report, read from a real store."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.habits.charts import MAX_PNG_BYTES
from bot.habits.leaderboard import rank
from bot.habits.report import load_report, report_lines
from bot.habits.repository import HabitsRepository, MemberPrefs
from bot.habits.tables import qotd_answers, qotd_posts
from bot.practice import QuestionBank, load_bank
from bot.practice import runs as r
from bot.practice.repository import PracticeRepository
from bot.practice.runs import AnswerRecord
from bot.store import Database

ALICE, BOB, CAROL = 111_222_333_444_555_666, 999_888_777_666_555_444, 555_000_555_000_555_000
NY, TOKYO = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
GUILD = 42
SAMPLE = Path(__file__).resolve().parents[1] / "practice" / "fixtures" / "sample.yaml"


@pytest.fixture
def bank(tmp_path: Path) -> QuestionBank:
    from tests.practice.bankkit import sample_bank_dir

    return load_bank(sample_bank_dir(tmp_path / "questions"))


def review(member: int, at: datetime, correct: bool = True) -> AnswerRecord:
    return AnswerRecord(member, f"q-{at.timestamp():.0f}", "icd10cm", correct, at, "review")


async def test_streak_days_are_local_and_survive_a_zone_change(database: Database) -> None:
    repo = HabitsRepository(database)
    await repo.save_prefs(MemberPrefs(ALICE, "America/New_York"), datetime.now(UTC))
    for day in (1, 2, 3):  # 22:00 in New York: already the next day in UTC
        await repo.answer([review(ALICE, datetime(2026, 12, day, 22, tzinfo=NY))])
    await repo.save_prefs(MemberPrefs(ALICE, "Asia/Tokyo"), datetime.now(UTC))
    await repo.answer([review(ALICE, datetime(2026, 12, 4, 20, tzinfo=TOKYO))])
    days = sorted(await repo.streak_days(ALICE))
    assert days == [date(2026, 12, d) for d in (1, 2, 3, 4)]


async def test_without_a_zone_the_servers_counts_and_private_practice_does_not(
    database: Database,
) -> None:
    repo = HabitsRepository(database)
    late = datetime(2026, 12, 2, 3, tzinfo=UTC)  # the 1st in New York
    await repo.answer([review(BOB, late)], default_zone="America/New_York")
    quiz = AnswerRecord(BOB, "q-x", "icd10cm", True, late + timedelta(days=3), "quiz")
    await repo.answer([quiz])
    assert await repo.streak_days(BOB) == [date(2026, 12, 1)]


async def add_qotd(
    db: Database, day: date, answers: dict[int, tuple[bool, str | None]], guild: int = GUILD
) -> None:
    async with db.begin() as conn:
        at = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9)
        post = await conn.execute(
            qotd_posts.insert().returning(qotd_posts.c.id),
            {"guild_id": guild, "question_id": "q-1", "posted_at": at},
        )
        post_id = post.scalar_one()
        await conn.execute(
            qotd_answers.insert(),
            [
                {"post_id": post_id, "member_id": m, "guild_id": guild, "choice": "A",
                 "correct": ok, "answered_at": at, "display_name": name}
                for m, (ok, name) in answers.items()
            ],
        )  # fmt: skip


async def test_leaderboard_scores_by_period_with_ties(database: Database) -> None:
    repo = HabitsRepository(database)
    today = date(2026, 12, 10)
    await add_qotd(database, today - timedelta(days=20), {ALICE: (True, "Alice")})
    await add_qotd(
        database, today - timedelta(days=2), {ALICE: (True, "Alice"), BOB: (True, "Bob")}
    )
    await add_qotd(database, today - timedelta(days=1), {BOB: (False, "Bob"), CAROL: (True, None)})
    now = datetime.combine(today, datetime.min.time(), UTC)
    week = await repo.qotd_scores(GUILD, now - timedelta(days=7))
    board = rank((m, ok, n) for m, ok, n, _ in week)
    assert [(s.member_id, s.place) for s in board] == [(ALICE, 1), (CAROL, 1), (BOB, 3)]
    everything = await repo.qotd_scores(GUILD, None)
    assert rank((m, ok, n) for m, ok, n, _ in everything)[0].member_id == ALICE
    assert await repo.qotd_scores(GUILD + 1, None) == []


async def test_the_report_has_sections_mocks_streak_and_reviews(
    database: Database, bank: QuestionBank
) -> None:
    now = datetime(2026, 12, 10, 15, tzinfo=UTC)
    practice = PracticeRepository(database)
    ids = list(bank.questions)[:4]
    start = now - timedelta(minutes=5)
    mock = await practice.start(r.new_mock(ALICE, ids, start))
    for index, qid in enumerate(ids):
        wrong = "A" if bank.questions[qid].answer != "A" else "B"
        mock = r.choose(mock, index, bank.questions[qid].answer if index else wrong, start)
    done = r.submit(mock, start)
    await practice.save(done, r.answer_records(done, bank, start))
    habits = HabitsRepository(database)
    await habits.answer([review(ALICE, now - timedelta(days=1)), review(ALICE, now)])
    report = await load_report(database, bank, ALICE, now + timedelta(hours=5), UTC)
    assert report.progress.answered == 6 and report.due == 1  # the mock's miss is due
    assert report.streak.current == 2
    [last_mock] = report.progress.mocks
    assert (last_mock.right, last_mock.total) == (3, 4)
    text = "\n".join(report_lines(report))
    assert "Last mock exams (pass line 70 %)" in text and "3/4 (75 %), passed" in text
    assert "**Streak:** 2 day(s)" in text and "**Reviews due:** 1" in text
    from bot.habits.charts import progress_chart

    png = progress_chart(report.progress)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) < MAX_PNG_BYTES
