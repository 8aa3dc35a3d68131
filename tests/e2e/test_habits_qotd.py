"""The question of the day end to end: admin setup, the post at local time on the shared
daily-post scheduler, many members answering once each, the reveal edit, spec-valid bodies."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.practice import QuestionBank, load_bank

from .fake_discord import DEFAULT_MEMBER_PERMISSIONS, MANAGE_GUILD, FakeDiscord
from .medcode_support import custom_ids, embed, fields, is_ephemeral, text
from .test_habits_review import Clock
from .test_practice_quiz import sample_bank_dir, wrong_letter

ADMIN = DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)  # 08:00 in New York
NINE = START + timedelta(hours=1, seconds=20)


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    return sample_bank_dir(tmp_path / "questions")


@pytest.fixture
async def qotd(fake_discord: FakeDiscord, make_medcode: Any, bank_dir: Path) -> Any:
    bot = await make_medcode(questions_dir=bank_dir, tip_tick_seconds=300)
    await bot.tree.sync()
    cog = bot.get_cog("QuestionOfTheDay")
    cog.clock = Clock(START)
    for name in ("Review", "Progress"):
        bot.get_cog(name).clock = cog.clock
    return bot, cog


async def setup_general(fake: FakeDiscord, **extra: Any) -> dict[str, Any]:
    options = {"channel": fake.channel_ids["general"], "time": "09:00",
               "timezone": "America/New_York"} | extra  # fmt: skip
    return await fake.send_slash_command("qotd setup", options, permissions=ADMIN)


def shown(body: dict[str, Any], bank: QuestionBank) -> Any:
    description = embed(body)["description"]
    [question] = [q for q in bank.questions.values() if description.startswith(q.question)]
    return question


async def test_post_answers_once_each_and_the_reveal(
    fake_discord: FakeDiscord, qotd: Any, bank_dir: Path
) -> None:
    bot, cog = qotd
    bank = load_bank(bank_dir)
    body = await setup_general(fake_discord, reveal_hours=6)
    assert is_ephemeral(body) and embed(body)["title"] == "Question of the day set up"
    assert fields(body)["Permission check"].startswith("OK")
    assert fields(body)["Answer revealed"].startswith("6 h after the post")

    cog.clock.now = START + timedelta(minutes=59)
    await cog.tick()
    general = fake_discord.channel_ids["general"]
    assert not [r for r in fake_discord.requests if r.path.endswith(f"{general}/messages")]
    cog.clock.now = NINE
    await cog.tick()
    request = await fake_discord.wait_for_request("POST", rf"/channels/{general}/messages$")
    post = request.json
    assert post["allowed_mentions"]["parse"] == [] and post["nonce"]
    assert embed(post)["title"].startswith("Question of the day · ")
    question = shown(post, bank)
    assert [c.split(":")[-1] for c in custom_ids(post)] == ["A", "B", "C", "D"]
    [message_id] = [
        m for m, msg in fake_discord.messages.items() if msg["embeds"] == post["embeds"]
    ]
    as_posted = copy.deepcopy(fake_discord.messages[message_id])

    members = [fake_discord.user] + [fake_discord.make_user(f"member{i}") for i in range(5)]
    letters = {}
    for number, member in enumerate(members):
        letter = question.answer if number % 2 == 0 else wrong_letter(question.answer)
        letters[member["id"]] = letter
        [button] = [c for c in custom_ids(post) if c.endswith(f":{letter}")]
        reply = await fake_discord.click_button(button, message=as_posted, user=member)
        assert reply["type"] == 4 and is_ephemeral(reply)
        assert question.rationale in text(reply)
        right = letter == question.answer
        assert embed(reply)["title"] == ("Right!" if right else embed(reply)["title"])
        if not right:
            assert embed(reply)["title"].startswith(f"Not quite: you answered {letter}")
    # a second press, even on another letter, counts nothing
    [other] = [c for c in custom_ids(post) if c.endswith(":D")]
    again = await fake_discord.click_button(other, message=as_posted, user=members[1])
    assert is_ephemeral(again) and "You already answered this one" in text(again)
    counts = await cog.repo.counts(int(custom_ids(post)[0].split(":")[2]))
    assert sum(counts.values()) == len(members)
    # a miss is a review card for that member
    review = bot.get_cog("Review")
    assert await review.repo.card(int(members[1]["id"]), question.id) is not None
    assert await review.repo.card(int(members[0]["id"]), question.id) is None

    cog.clock.now = NINE + timedelta(hours=6)
    await cog.tick()
    edit = await fake_discord.wait_for_request(
        "PATCH", rf"/channels/{general}/messages/{message_id}$"
    )
    revealed = edit.json
    assert embed(revealed)["title"].endswith(f"answer: {question.answer}")
    assert question.rationale in embed(revealed)["description"]
    right_count = sum(1 for letter in letters.values() if letter == question.answer)
    assert f"{question.answer})" in embed(revealed)["description"]
    assert f"· {right_count} (50 %) ✅" in embed(revealed)["description"]
    assert fields(revealed)["Answers"] == f"{len(members)} · {right_count} right (50 %)"
    assert custom_ids(revealed) == []
    late = await fake_discord.click_button(
        other, message=as_posted, user=fake_discord.make_user("late")
    )
    assert "Answers to this question are closed" in text(late)

    board = await fake_discord.send_slash_command("leaderboard", {"period": "week"})
    lines = embed(board)["description"].splitlines()
    assert len(lines) == len(members) and lines[0].startswith("**1.** ")
    assert sum(line.startswith("**1.** ") for line in lines) == right_count  # ties share 1st

    # the next day: another question (no repeats until the bank is used up)
    cog.clock.now = NINE + timedelta(days=1)
    await cog.tick()
    second = await fake_discord.wait_for_request("POST", rf"/channels/{general}/messages$")
    assert shown(second.json, bank).id != question.id


async def test_admin_commands_and_refusals(fake_discord: FakeDiscord, qotd: Any) -> None:
    _, cog = qotd
    body = await fake_discord.send_slash_command("qotd status", permissions=ADMIN)
    assert "not set up here yet" in text(body)
    body = await setup_general(fake_discord, timezone="Mars/Base")
    assert "Mars/Base" in text(body)
    body = await fake_discord.send_slash_command(
        "qotd setup", {"channel": fake_discord.channel_ids["general"], "time": "09:00",
                       "timezone": "UTC"},
    )  # fmt: skip
    assert "Manage Server" in text(body)
    body = await setup_general(fake_discord, channel=fake_discord.channel_ids["read-only"])
    assert "I can't post in" in text(body)
    await setup_general(fake_discord)
    body = await fake_discord.send_slash_command("qotd pause", permissions=ADMIN)
    assert embed(body)["title"] == "Question of the day: paused"
    cog.clock.now = NINE
    await cog.tick()
    general = fake_discord.channel_ids["general"]
    assert not [r for r in fake_discord.requests if r.path.endswith(f"{general}/messages")]
    body = await fake_discord.send_slash_command("qotd resume", permissions=ADMIN)
    assert embed(body)["title"] == "Question of the day: active"
    body = await fake_discord.send_slash_command("qotd now", permissions=ADMIN)
    assert is_ephemeral(body) and text(body).startswith("Posted question `")
    await fake_discord.wait_for_request("POST", rf"/channels/{general}/messages$")
    body = await fake_discord.send_slash_command("qotd status", permissions=ADMIN)
    assert fields(body)["Last post"] != "none yet"
    choices = await fake_discord.send_autocomplete(
        "qotd setup", {"timezone": "new_y"}, "timezone", permissions=ADMIN
    )
    assert "America/New_York" in [c["value"] for c in choices["data"]["choices"]]
