"""A member's progress report, read from the store: the same for /progress and the CLI.

`load_report` gathers the rows (answer history, mock runs, streak days, due cards) and hands
them to the pure builders (bot.habits.progress, bot.habits.streaks); `report_lines` is the
text both show. The chart is bot.habits.charts.progress_chart(report.progress).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.habits.progress import PASS_LINE, AnswerRow, MockScore, Progress, build_progress
from bot.habits.repository import HabitsRepository
from bot.habits.streaks import Streak, streak
from bot.practice import QuestionBank
from bot.practice.repository import PracticeRepository
from bot.store import Database

MOCKS_SHOWN = 5
# The daily posts' settings (the store's scheduler table): a server's zone is its question
# of the day's, else its daily tip's.
_schedules = sa.table(
    "daily_schedules", sa.column("guild_id"), sa.column("kind"), sa.column("timezone")
)


@dataclass(frozen=True)
class Report:
    member_id: int
    progress: Progress
    streak: Streak
    due: int
    next_due: datetime | None
    zone: ZoneInfo


async def server_zone(db: Database, guild_id: int | None) -> str | None:
    if guild_id is None:
        return None
    query = (
        sa.select(_schedules.c.timezone)
        .where(_schedules.c.guild_id == guild_id)
        .order_by(sa.case((_schedules.c.kind == "qotd", 0), else_=1))
        .limit(1)
    )
    async with db.connect() as conn:
        return await conn.scalar(query)


async def member_zone(db: Database, member_id: int, guild_id: int | None) -> ZoneInfo:
    """The member's own zone, else the server's, else UTC."""
    prefs = await HabitsRepository(db).prefs(member_id)
    return prefs.zone or ZoneInfo(await server_zone(db, guild_id) or "UTC")


async def load_report(
    db: Database, bank: QuestionBank, member_id: int, now: datetime, zone: ZoneInfo
) -> Report:
    habits, practice = HabitsRepository(db), PracticeRepository(db)
    answers = [
        AnswerRow(a.section, a.correct, a.answered_at) for a in await practice.history(member_id)
    ]
    mocks = []
    for run in await practice.finished(member_id, "mock", MOCKS_SHOWN):
        result = run.score(bank)
        mocks.append(MockScore(run.finished_at or run.started_at, result.correct, result.total))
    sections = {s.id: s.name for s in bank.sections.values()}
    progress = build_progress(answers, sections, mocks, zone=zone)
    today = now.astimezone(zone).date()
    return Report(
        member_id,
        progress,
        streak(await habits.streak_days(member_id), today),
        await habits.due_count(member_id, now),
        await habits.next_due(member_id),
        zone,
    )


def _percent(share: float) -> str:
    return f"{round(100 * share)} %"


def report_lines(report: Report, sections_shown: int = 8) -> list[str]:
    """The report as text lines (Markdown bold only): weakest sections first."""
    p = report.progress
    if not p.answered:
        return ["No answers yet: try /quiz, /mock or the question of the day."]
    lines = [f"**Overall:** {p.right}/{p.answered} right ({_percent(p.right / p.answered)})"]
    lines.append("**Weakest sections first:**")
    for s in p.sections[:sections_shown]:
        mark = "" if s.share >= PASS_LINE else " (below 70 %)"
        lines.append(f"- {s.name}: {s.right}/{s.total} ({_percent(s.share)}){mark}")
    if len(p.sections) > sections_shown:
        lines.append(f"- … and {len(p.sections) - sections_shown} more")
    if p.mocks:
        lines.append("**Last mock exams (pass line 70 %):**")
        for m in p.mocks:
            verdict = "passed" if m.passed else "below the line"
            day = m.finished_at.astimezone(report.zone).strftime("%d %b %Y")
            lines.append(f"- {day}: {m.right}/{m.total} ({_percent(m.share)}), {verdict}")
    days = report.streak
    lines.append(f"**Streak:** {days.current} day(s) (longest {days.longest})")
    lines.append(f"**Reviews due:** {report.due}")
    return lines
