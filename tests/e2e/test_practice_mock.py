"""/mock end to end: a timed exam with a controlled clock, through the fake Discord."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.practice import QuestionBank, load_bank

from .fake_discord import FakeDiscord
from .medcode_support import custom_ids, embed, fields, is_ephemeral, text
from .test_practice_quiz import SECTIONS, button, check_message, embed_buttons

Json = dict[str, Any]
# Now, so that a restarted bot's loop, which runs on the real clock until the test hands it the
# controlled one, sees the same exam as still running.
START = datetime.now(UTC).replace(microsecond=0)


def generated_bank_dir(directory: Path, per_section: int = 2) -> Path:
    """Two questions in each of the 21 sections: enough for a 25-question mock exam."""
    directory.mkdir(parents=True)
    (directory / "sections.yaml").write_text(SECTIONS.read_text())
    sections = [s["id"] for s in yaml.safe_load(SECTIONS.read_text())["sections"]]
    questions = [
        {
            "id": f"{s}-{n}",
            "section": s,
            "kind": "rule",
            "difficulty": 2,
            "code_set": "CPT 2026",
            "question": f"Generated question {s}-{n}?",
            "options": [f"{s}-{n} option {i}" for i in range(4)],
            "answer": "ABCD"[n % 4],
            "rationale": f"Rationale of {s}-{n}.",
            "source": "Test fixture",
        }
        for s in sections
        for n in range(per_section)
    ]
    (directory / "generated.yaml").write_text(yaml.safe_dump({"questions": questions}))
    return directory


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    return generated_bank_dir(tmp_path / "questions")


@pytest.fixture
def bank(bank_dir: Path) -> QuestionBank:
    return load_bank(bank_dir)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def bot(make_medcode: Any, bank_dir: Path, clock: Clock) -> Any:
    bot = await make_medcode(questions_dir=bank_dir)
    bot.get_cog("Practice").clock = clock
    await bot.tree.sync()
    return bot


def question_of(body: Json, bank: QuestionBank) -> Any:
    qid = re.search(r"Generated question ([a-z0-9-]+)\?", embed(body)["description"])
    assert qid, embed(body)["description"]
    return bank.questions[qid[1]]


def by_label(body: Json, label: str) -> Json:
    [found] = [c for c in embed_buttons(body) if c["label"] == label]
    return found


async def start_mock(fake: FakeDiscord, length: int = 25) -> tuple[Json, int]:
    body = await fake.send_slash_command("mock", {"length": length})
    assert body["type"] == 4 and is_ephemeral(body)
    return body, int(fake.original_message()["id"])


async def test_a_mock_exam_moves_changes_flags_and_runs_out_of_time(
    fake_discord: FakeDiscord, bot: Any, bank: QuestionBank, clock: Clock
) -> None:
    body, message = await start_mock(fake_discord)
    check_message(body)
    assert embed(body)["title"] == "Mock exam · question 1/25 · Evaluation and Management"
    assert fields(body)["Time left"].startswith("1 h 00 min (ends <t:")
    assert fields(body)["Answered"] == "0/25 · 0 flagged"
    rows = body["data"]["components"]
    assert [len(row["components"]) for row in rows] == [4, 5]
    assert by_label(body, "◀ Previous")["disabled"] is True

    async def press(custom_id: str) -> Json:
        reply = await fake_discord.click_button(custom_id, message=message)
        assert reply["type"] == 7, text(reply)
        check_message(reply)
        return reply

    first = question_of(body, bank)
    body = await press(button(body, f":{first.answer}"))
    assert fields(body)["Answered"] == "1/25 · 0 flagged"
    assert by_label(body, first.answer)["style"] == 3  # the chosen answer is green
    wrong = "A" if first.answer != "A" else "B"
    body = await press(button(body, f":{wrong}"))  # changed: still one answered
    assert fields(body)["Answered"] == "1/25 · 0 flagged"
    assert f"**{wrong})** {first.option(wrong)} ← your answer" in embed(body)["description"]
    body = await press(by_label(body, "Flag for review")["custom_id"])
    assert " · flagged · " in embed(body)["title"] and by_label(body, "Unflag")
    body = await press(by_label(body, "Next ▶")["custom_id"])
    assert embed(body)["title"].startswith("Mock exam · question 2/25")
    clock.now += timedelta(minutes=20)
    body = await press(by_label(body, "Next flagged")["custom_id"])
    assert embed(body)["title"].startswith("Mock exam · question 1/25 · flagged")
    assert fields(body)["Time left"].startswith("40 min")

    clock.now = START + timedelta(minutes=61)  # past the 60 minutes of 25 questions
    stale = by_label(body, "Next ▶")["custom_id"]
    body = await press(stale)
    assert embed(body)["title"] == "Mock exam result: 0/25 (0 %) · not yet a pass"
    assert embed(body)["description"].startswith("Time is up: your exam was scored as it stood.")
    assert "Time used: 1 h 00 min of 1 h 00 min." in embed(body)["description"]
    assert len(fields(body)) == 21  # every section, against the pass line
    later = await fake_discord.click_button(stale)
    assert is_ephemeral(later) and "This mock exam has expired" in text(later)


async def test_submit_early_with_confirmation_then_review_missed_questions(
    fake_discord: FakeDiscord, bot: Any, bank: QuestionBank, clock: Clock
) -> None:
    body, message = await start_mock(fake_discord)

    async def press(custom_id: str) -> Json:
        reply = await fake_discord.click_button(custom_id, message=message)
        assert reply["type"] == 7, text(reply)
        check_message(reply)
        return reply

    for _ in range(20):  # the first 20 right, the last 5 unanswered
        question = question_of(body, bank)
        body = await press(button(body, f":{question.answer}"))
        body = await press(by_label(body, "Next ▶")["custom_id"])
    clock.now += timedelta(minutes=42)
    body = await press(by_label(body, "Submit…")["custom_id"])
    assert embed(body)["title"] == "Submit your mock exam?"
    assert "The 5 unanswered count as wrong." in embed(body)["description"]
    body = await press(by_label(body, "Keep going")["custom_id"])
    assert embed(body)["title"].startswith("Mock exam · question 21/25")
    body = await press(by_label(body, "Submit…")["custom_id"])
    body = await press(by_label(body, "Submit now")["custom_id"])
    assert embed(body)["title"] == "Mock exam result: 20/25 (80 %) · passed"
    assert "Time used: 42 min of 1 h 00 min." in embed(body)["description"]
    body = await press(by_label(body, "Review the 5 missed question(s)")["custom_id"])
    assert embed(body)["title"].startswith("Missed 1/5 · question 21 · ")
    assert fields(body)["Your answer"] == "Not answered"
    missed = question_of(body, bank)
    assert fields(body)["Right answer"] == f"{missed.answer}) {missed.right_option}"
    assert missed.rationale in embed(body)["description"]
    body = await press(by_label(body, "Next ▶")["custom_id"])
    assert embed(body)["title"].startswith("Missed 2/5 · question 22 · ")
    body = await press(by_label(body, "Back to the score")["custom_id"])
    assert embed(body)["title"] == "Mock exam result: 20/25 (80 %) · passed"
    # results are kept: the history has the 20 answers, the run its score
    cog = bot.get_cog("Practice")
    member = int(fake_discord.user["id"])
    assert len(await cog.repo.history(member)) == 20
    [kept] = await cog.repo.finished(member)
    assert kept.score(bank).correct == 20


async def test_the_clock_loop_scores_a_mock_nobody_touched(
    fake_discord: FakeDiscord, bot: Any, bank: QuestionBank, clock: Clock
) -> None:
    body, message = await start_mock(fake_discord)
    first = question_of(body, bank)
    await fake_discord.click_button(button(body, f":{first.answer}"), message=message)
    cog = bot.get_cog("Practice")
    clock.now += timedelta(minutes=59)
    await cog.close_expired()
    member = int(fake_discord.user["id"])
    assert (await cog.repo.active_run(member)) is not None  # a minute left
    clock.now += timedelta(minutes=2)
    await cog.close_expired()
    assert (await cog.repo.active_run(member)) is None
    assert [a.correct for a in await cog.repo.history(member)] == [True]
    # a new /mock starts at once: nothing left to resume
    body, _ = await start_mock(fake_discord, 50)
    assert embed(body)["title"].startswith("Mock exam · question 1/42")  # the whole bank


async def test_a_mock_exam_resumes_after_a_restart(
    fake_discord: FakeDiscord, make_medcode: Any, bot: Any, bank_dir: Path, clock: Clock
) -> None:
    body, message = await start_mock(fake_discord)
    body = await fake_discord.click_button(button(body, ":C"), message=message)
    next_id = by_label(body, "Next ▶")["custom_id"]
    await bot.close()
    restarted = await make_medcode(questions_dir=bank_dir)
    restarted.get_cog("Practice").clock = clock
    await restarted.tree.sync()
    body = await fake_discord.click_button(next_id, message=message)
    assert embed(body)["title"].startswith("Mock exam · question 2/25")
    assert fields(body)["Answered"] == "1/25 · 0 flagged"
    offer = await fake_discord.send_slash_command("mock", {"length": 25})
    assert embed(offer)["title"] == "You already have a mock exam going"
    resumed = await fake_discord.click_button(
        button(offer, ":resume:mock:all:25"), message=int(fake_discord.original_message()["id"])
    )
    assert embed(resumed)["title"].startswith("Mock exam · question 2/25")
    assert custom_ids(resumed)
