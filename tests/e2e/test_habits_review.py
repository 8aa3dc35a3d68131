"""/review end to end: a quiz miss becomes a card, /review brings it back when it is due."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.habits.review import LEARNING_STEPS
from bot.practice import QuestionBank, load_bank

from .fake_discord import FakeDiscord
from .medcode_support import custom_ids, embed, fields, is_ephemeral, text
from .test_practice_quiz import sample_bank_dir, shown_question, wrong_letter

NOW = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    return sample_bank_dir(tmp_path / "questions")


@pytest.fixture
async def bot(make_medcode: Any, bank_dir: Path) -> Any:
    bot = await make_medcode(questions_dir=bank_dir)
    await bot.tree.sync()
    return bot


@pytest.fixture
def clock(bot: Any) -> Clock:
    clock = Clock(NOW)
    for name in ("Practice", "Review"):
        bot.get_cog(name).clock = clock
    return clock


async def test_a_missed_quiz_question_comes_back_in_review(
    fake_discord: FakeDiscord, bot: Any, clock: Clock, bank_dir: Path
) -> None:
    bank: QuestionBank = load_bank(bank_dir)
    body = await fake_discord.send_slash_command("review")
    assert is_ephemeral(body) and "no review cards yet" in text(body)

    body = await fake_discord.send_slash_command("quiz", {"section": "icd10cm", "count": 1})
    quiz_message = int(fake_discord.original_message()["id"])
    question = shown_question(body, bank)
    miss = wrong_letter(question.answer)
    [button] = [c for c in custom_ids(body) if c.endswith(f":{miss}")]
    await fake_discord.click_button(button, message=quiz_message)

    body = await fake_discord.send_slash_command("review")
    due_at = int((NOW + LEARNING_STEPS[0]).timestamp())
    assert "Nothing due right now" in text(body) and f"<t:{due_at}:F>" in text(body)

    clock.now = NOW + LEARNING_STEPS[0]
    body = await fake_discord.send_slash_command("review")
    assert embed(body)["title"] == "Review · ICD-10-CM"
    assert embed(body)["description"].startswith(question.question)
    assert [c.split(":")[-1] for c in custom_ids(body)] == ["A", "B", "C", "D"]
    assert body["data"]["allowed_mentions"]["parse"] == []
    message = int(fake_discord.original_message()["id"])
    as_sent = copy.deepcopy(fake_discord.messages[message])
    [right] = [c for c in custom_ids(body) if c.endswith(f":{question.answer}")]
    answered = await fake_discord.click_button(right, message=message)
    assert answered["type"] == 7 and embed(answered)["title"] == "Right!"
    assert question.rationale in embed(answered)["description"]
    assert "This card comes back" in fields(answered)
    assert custom_ids(answered) == []  # nothing else due
    again = await fake_discord.click_button(right, message=as_sent)  # a double press
    assert is_ephemeral(again) and "already answered this card" in text(again)
    cog = bot.get_cog("Review")
    card = await cog.repo.card(int(fake_discord.user["id"]), question.id)
    assert card.reviews == 2 and card.due > clock.now + timedelta(hours=12)
