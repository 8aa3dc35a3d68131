"""/progress and /leaderboard end to end, and `medcode-bot progress` on the same database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.habits.repository import HabitsRepository
from bot.practice.runs import AnswerRecord

from .fake_discord import FakeDiscord
from .medcode_support import embed, is_ephemeral, text

ROOT = Path(__file__).resolve().parents[2]


async def test_progress_shows_the_weakest_section_first_and_a_chart(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    body = await fake_discord.send_slash_command("progress")
    request = await fake_discord.wait_for_request("POST", r"/webhooks/\d+/[^/]+$")
    assert "No answers yet" in text(request.json)

    member = int(fake_discord.user["id"])
    now = datetime.now(UTC)
    repo: HabitsRepository = medcode.get_cog("Progress").repo
    answers = [AnswerRecord(member, f"icd-{i}", "icd10cm", i < 3, now, "quiz") for i in range(4)]
    answers += [AnswerRecord(member, f"em-{i}", "em", i < 1, now, "quiz") for i in range(4)]
    await repo.answer(answers)
    body = await fake_discord.send_slash_command("progress")
    assert body["type"] == 5 and is_ephemeral(body)  # thinking while the chart is drawn
    request = await fake_discord.wait_for_request("POST", r"/webhooks/\d+/[^/]+$")
    shown = embed(request.json)
    lines = shown["description"].splitlines()
    weakest = lines.index("**Weakest sections first:**")
    assert (
        lines[weakest + 1].startswith("- Evaluation and Management")
        and "(25 %)" in lines[weakest + 1]
    )
    assert lines[weakest + 2].startswith("- ICD-10-CM: 3/4 (75 %)")
    assert "**Reviews due:** 0" in shown["description"]  # misses come back in hours
    assert shown["image"]["url"] == "attachment://progress.png"
    [chart] = request.files
    assert chart["filename"] == "progress.png" and 1_000 < chart["size"] < 10 * 1024 * 1024


async def test_leaderboard_ranks_with_ties_and_never_pings(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    from tests.habits.test_report import add_qotd  # the same seeding as the store test

    body = await fake_discord.send_slash_command("leaderboard")
    assert "Nobody has answered" in text(body)
    today, guild = datetime.now(UTC).date(), fake_discord.guild_id
    await add_qotd(medcode.db, today - timedelta(days=40), {1: (True, "Old Timer")}, guild)
    await add_qotd(
        medcode.db, today, {2: (True, "Bea *bold*"), 3: (True, None), 4: (False, "Dan")}, guild
    )
    body = await fake_discord.send_slash_command("leaderboard", {"period": "week"})
    assert not is_ephemeral(body)
    assert body["data"]["allowed_mentions"]["parse"] == []
    lines = embed(body)["description"].splitlines()
    assert lines == [
        "**1.** Bea \\*bold\\* — 1/1 right",
        "**1.** a former member — 1/1 right",
        "**3.** Dan — 0/1 right",
    ]
    body = await fake_discord.send_slash_command("leaderboard", {"period": "all"})
    assert "Old Timer — 1/1 right" in text(body)
    assert "<@" not in text(body)


def test_the_cli_prints_progress_and_writes_the_chart(tmp_path: Path) -> None:
    import asyncio

    from bot.store import Database

    url = f"sqlite+aiosqlite:///{tmp_path / 'medcode.sqlite3'}"

    async def seed() -> None:
        db = Database(url)
        await db.start()
        try:
            now = datetime.now(UTC)
            await HabitsRepository(db).answer(
                [AnswerRecord(77, f"q-{i}", "icd10cm", i % 2 == 0, now, "quiz") for i in range(6)]
            )
        finally:
            await db.close()

    asyncio.run(seed())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "MEDCODE_"))}
    env["MEDCODE_DATABASE_URL"] = url
    chart = tmp_path / "chart.png"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "progress", "--member", "77", "--chart", str(chart)],
        capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Overall: 3/6 right (50 %)" in result.stdout
    assert "- ICD-10-CM: 3/6 (50 %) (below 70 %)" in result.stdout
    assert "**" not in result.stdout
    assert chart.read_bytes().startswith(b"\x89PNG")
