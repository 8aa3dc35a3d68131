"""/quiz end to end: the real discord.py client, button presses as component interactions."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.practice import QuestionBank, load_bank

from .fake_discord import FakeDiscord
from .medcode_support import custom_ids, embed, embed_problems, fields, is_ephemeral, text

Json = dict[str, Any]
TESTS = Path(__file__).resolve().parents[1]
SECTIONS = TESTS.parent / "knowledge" / "questions" / "sections.yaml"
SAMPLE = TESTS / "practice" / "fixtures" / "sample.yaml"  # six real-looking questions


def sample_bank_dir(directory: Path) -> Path:
    directory.mkdir(parents=True)
    shutil.copy(SECTIONS, directory / "sections.yaml")
    shutil.copy(SAMPLE, directory / "sample.yaml")
    return directory


@pytest.fixture
def bank_dir(tmp_path: Path) -> Path:
    return sample_bank_dir(tmp_path / "questions")


@pytest.fixture
def bank(bank_dir: Path) -> QuestionBank:
    return load_bank(bank_dir)


@pytest.fixture
async def bot(make_medcode: Any, bank_dir: Path) -> Any:
    bot = await make_medcode(questions_dir=bank_dir)
    await bot.tree.sync()
    return bot


def shown_question(body: Json, bank: QuestionBank) -> Any:
    description = embed(body)["description"]
    [question] = [q for q in bank.questions.values() if description.startswith(q.question)]
    return question


def button(body: Json, ending: str) -> str:
    [found] = [c for c in custom_ids(body) if c.endswith(ending)]
    return found


def wrong_letter(right: str) -> str:
    return "A" if right != "A" else "B"


def check_message(body: Json) -> None:
    """Every practice reply: one embed within Discord's limits, at most 5 rows of 5 buttons,
    and pings nobody."""
    data = body["data"]
    assert embed_problems(embed(body)) == []
    rows = data.get("components") or []
    assert len(rows) <= 5 and all(len(row["components"]) <= 5 for row in rows)
    assert all(len(c["custom_id"]) <= 100 for row in rows for c in row["components"])
    if body["type"] == 4:
        assert data["allowed_mentions"]["parse"] == []


async def test_a_whole_quiz_with_feedback_and_a_score_by_section(
    fake_discord: FakeDiscord, bot: Any, bank: QuestionBank
) -> None:
    body = await fake_discord.send_slash_command("quiz", {"section": "icd10cm", "count": 3})
    assert body["type"] == 4 and is_ephemeral(body)
    check_message(body)
    message_id = int(fake_discord.original_message()["id"])
    right = wrong = 0
    for number in range(1, 4):
        assert embed(body)["title"] == f"Question {number}/3 · ICD-10-CM"
        question = shown_question(body, bank)
        assert [c.split(":")[-1] for c in custom_ids(body)] == ["A", "B", "C", "D"]
        letter = question.answer if number != 2 else wrong_letter(question.answer)
        body = await fake_discord.click_button(button(body, f":{letter}"), message=message_id)
        assert body["type"] == 7  # the same private message, updated
        check_message(body)
        if letter == question.answer:
            right += 1
            assert embed(body)["title"].startswith("Right!")
        else:
            wrong += 1
            assert embed(body)["title"].startswith(f"Not quite: you answered {letter}")
        assert fields(body)["Right answer"] == f"{question.answer}) {question.right_option}"
        assert question.rationale in embed(body)["description"]
        assert embed(body)["footer"]["text"] == f"Source: {question.source}"
        label = "See your score" if number == 3 else "Next question"
        [next_button] = embed_buttons(body)
        assert next_button["label"] == label
        body = await fake_discord.click_button(next_button["custom_id"], message=message_id)
        check_message(body)
    assert embed(body)["title"] == "Quiz done: 2/3 (67 %)"
    assert fields(body) == {"ICD-10-CM": "2/3 · 67 % below 70 %"}
    assert custom_ids(body) == []
    # the store kept every answer for progress and review
    cog = bot.get_cog("Practice")
    history = await cog.repo.history(int(fake_discord.user["id"]))
    assert [a.correct for a in history] == [True, False, True]


def embed_buttons(body: Json) -> list[Json]:
    return [c for row in body["data"].get("components") or [] for c in row["components"]]


async def test_only_the_owner_can_press_and_a_double_press_counts_once(
    fake_discord: FakeDiscord, bot: Any, bank: QuestionBank
) -> None:
    body = await fake_discord.send_slash_command("quiz", {"section": "modifiers"})
    message_id = int(fake_discord.original_message()["id"])
    # a double click: the second press carries the message as it was before the first edit
    as_sent = copy.deepcopy(fake_discord.messages[message_id])
    answer = button(body, ":D")
    bob = fake_discord.make_user("bob")
    other = await fake_discord.click_button(answer, message=message_id, user=bob)
    assert other["type"] == 4 and is_ephemeral(other)
    assert "belongs to someone else" in text(other)
    first = await fake_discord.click_button(answer, message=message_id)
    assert embed(first)["title"].startswith("Right!")
    again = await fake_discord.click_button(answer, message=as_sent)
    assert is_ephemeral(again) and "already been answered" in text(again)
    finished = await fake_discord.click_button(button(first, ":next"), message=message_id)
    assert embed(finished)["title"] == "Quiz done: 1/1 (100 %)"
    late = await fake_discord.click_button(answer, message=as_sent)
    assert is_ephemeral(late) and "This quiz is over. Start another with /quiz." in text(late)


async def test_a_quiz_survives_a_restart(
    fake_discord: FakeDiscord, make_medcode: Any, bot: Any, bank_dir: Path, bank: QuestionBank
) -> None:
    body = await fake_discord.send_slash_command("quiz", {"section": "icd10cm", "count": 2})
    message_id = int(fake_discord.original_message()["id"])
    first = shown_question(body, bank)
    body = await fake_discord.click_button(button(body, f":{first.answer}"), message=message_id)
    next_id = button(body, ":next")

    await bot.close()  # the process ends; a new one starts on the same database
    restarted = await make_medcode(questions_dir=bank_dir)
    assert restarted is not bot
    body = await fake_discord.click_button(next_id, message=message_id)
    assert embed(body)["title"] == "Question 2/2 · ICD-10-CM"
    second = shown_question(body, bank)
    assert second.id != first.id
    body = await fake_discord.click_button(button(body, f":{second.answer}"), message=message_id)
    body = await fake_discord.click_button(button(body, ":next"), message=message_id)
    assert embed(body)["title"] == "Quiz done: 2/2 (100 %)"


async def test_one_active_run_resume_or_drop(
    fake_discord: FakeDiscord, bot: Any, bank: QuestionBank
) -> None:
    body = await fake_discord.send_slash_command("quiz", {"section": "icd10cm", "count": 3})
    first_title = embed(body)["title"]
    offer = await fake_discord.send_slash_command("quiz", {"section": "hcpcs"})
    assert is_ephemeral(offer) and embed(offer)["title"] == "You already have a quiz going"
    check_message(offer)
    offer_id = int(fake_discord.original_message()["id"])
    resumed = await fake_discord.click_button(
        button(offer, ":resume:quiz:hcpcs:10"), message=offer_id
    )
    assert embed(resumed)["title"] == first_title

    offer = await fake_discord.send_slash_command("quiz", {"section": "hcpcs"})
    offer_id = int(fake_discord.original_message()["id"])
    started = await fake_discord.click_button(
        button(offer, ":drop:quiz:hcpcs:10"), message=offer_id
    )
    assert is_ephemeral(started) and embed(started)["title"] == "Question 1/1 · HCPCS Level II"
    # the dropped run's buttons now say so
    old = await fake_discord.click_button(button(body, ":A"))
    assert "This quiz was dropped" in text(old)


async def test_section_autocomplete_lists_sections_with_questions(
    fake_discord: FakeDiscord, bot: Any
) -> None:
    body = await fake_discord.send_autocomplete("quiz", {"section": "icd"}, "section")
    assert body["data"]["choices"] == [{"name": "ICD-10-CM (3)", "value": "icd10cm"}]
    body = await fake_discord.send_autocomplete("quiz", {"section": ""}, "section")
    names = [c["value"] for c in body["data"]["choices"]]
    assert names == ["em", "modifiers", "icd10cm", "hcpcs"]  # exam order; empty ones left out


async def test_bad_choices_get_clear_messages(fake_discord: FakeDiscord, bot: Any) -> None:
    body = await fake_discord.send_slash_command("quiz", {"section": "surgery"})
    assert is_ephemeral(body) and "I don't know the section 'surgery'" in text(body)
    body = await fake_discord.send_slash_command("quiz", {"section": "anesthesia"})
    assert "no questions in the section Anesthesia yet" in text(body)
    body = await fake_discord.click_button("medcode:quiz:999999:0:A")
    assert is_ephemeral(body) and "no longer exists" in text(body)


async def test_ask_offers_practise_this_under_a_study_answer(
    fake_discord: FakeDiscord, bot: Any
) -> None:
    body = await fake_discord.send_slash_command("ask", {"question": "NEC vs NOS"})
    assert embed(body)["title"].startswith("Study tip")
    [practise] = embed_buttons(body)
    assert practise["custom_id"] == "medcode:practise:icd10cm"
    assert practise["label"] == "Practise this: ICD-10-CM"
    started = await fake_discord.click_button(practise["custom_id"])
    assert is_ephemeral(started) and embed(started)["title"] == "Question 1/3 · ICD-10-CM"
    # a career answer has no such button
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert custom_ids(body) == []


async def test_the_store_being_down_is_answered_clearly(
    fake_discord: FakeDiscord, make_medcode: Any, bank_dir: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database's folder should be")
    bot = await make_medcode(
        questions_dir=bank_dir, database_url=f"sqlite+aiosqlite:///{blocker}/db.sqlite3"
    )
    await bot.tree.sync()
    body = await fake_discord.send_slash_command("quiz")
    assert is_ephemeral(body) and "database is unavailable right now" in text(body)
    body = await fake_discord.click_button("medcode:quiz:1:0:A")
    assert is_ephemeral(body) and "database is unavailable right now" in text(body)


async def test_kb_reload_reloads_the_bank_and_keeps_the_old_one_on_error(
    fake_discord: FakeDiscord, bot: Any, bank_dir: Path
) -> None:
    before = bot.bank
    sample = bank_dir / "sample.yaml"
    good = sample.read_text()
    sample.write_text(good.replace("answer: B", "answer: E", 1))
    body = await fake_discord.send_slash_command("kb reload")
    assert "Reload failed: 1 problem(s)" in text(body)
    assert "questions/sample.yaml: entry 'icd-sepsis-uti-sequencing', field 'answer'" in text(body)
    assert bot.bank is before

    extra = good.split("  - id: icd-nec-meaning")[0].replace("icd-sepsis-uti-sequencing", "x-1")
    extra = extra.replace("Which code is sequenced first?", "Which code goes first here?")
    sample.write_text(good)
    (bank_dir / "more.yaml").write_text(extra)
    body = await fake_discord.send_slash_command("kb reload")
    assert "7 questions in 4 of 21 sections" in embed(body)["description"]
    body = await fake_discord.send_autocomplete("quiz", {"section": "icd"}, "section")
    assert body["data"]["choices"] == [{"name": "ICD-10-CM (4)", "value": "icd10cm"}]


async def test_a_quiz_in_a_dm(fake_discord: FakeDiscord, bot: Any, bank: QuestionBank) -> None:
    body = await fake_discord.send_slash_command("quiz", {"section": "hcpcs"}, dm=True)
    assert is_ephemeral(body) and embed(body)["title"] == "Question 1/1 · HCPCS Level II"
    body = await fake_discord.click_button(
        button(body, ":B"), message=int(fake_discord.original_message()["id"]), dm=True
    )
    assert embed(body)["title"].startswith("Right!")
