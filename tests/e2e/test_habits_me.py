"""/me end to end: settings with validation and autocomplete, the reminder DM, /me forget."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.habits.repository import HabitsRepository
from bot.practice.runs import AnswerRecord

from .fake_discord import FakeDiscord
from .medcode_support import custom_ids, embed, fields, is_ephemeral, text
from .test_habits_review import Clock

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 07:00 in New York


async def test_settings_are_validated_and_saved(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_autocomplete("me settings", {"timezone": "chica"}, "timezone")
    assert body["data"]["choices"] == [{"name": "America/Chicago", "value": "America/Chicago"}]
    body = await fake_discord.send_slash_command("me settings", {"timezone": "Mars/Base"})
    assert is_ephemeral(body) and "Unknown time zone 'Mars/Base'" in text(body)
    body = await fake_discord.send_slash_command("me settings", {"reminder": "7 o'clock"})
    assert "use 24-hour HH:MM" in text(body)
    repo: HabitsRepository = medcode.get_cog("Me").repo
    member = int(fake_discord.user["id"])
    assert (await repo.prefs(member)).timezone is None  # a refused change saves nothing

    body = await fake_discord.send_slash_command(
        "me settings",
        {"timezone": "america/new_york", "exam_date": "2099-05-01", "reminder": "08:00"},
    )
    assert is_ephemeral(body) and embed(body)["title"] == "Your settings (saved)"
    shown = fields(body)
    assert shown["Time zone"] == "America/New_York" and shown["Exam date"] == "01 May 2099"
    assert shown["Review reminder"].startswith("daily at 08:00 your time")
    assert body["data"]["allowed_mentions"]["parse"] == []
    prefs = await repo.prefs(member)
    assert prefs.reminder_next_at is not None
    assert prefs.reminder_next_at.astimezone(prefs.zone).hour == 8


async def test_the_reminder_dm_counts_due_cards(fake_discord: FakeDiscord, medcode: Any) -> None:
    cog = medcode.get_cog("Me")
    cog.clock = Clock(NOW)
    member = int(fake_discord.user["id"])
    await cog.repo.answer(
        [AnswerRecord(member, "q-1", "icd10cm", False, NOW - timedelta(days=2), "quiz")]
    )
    await fake_discord.send_slash_command(
        "me settings", {"timezone": "America/New_York", "reminder": "08:00"}
    )
    await cog.send_reminders(NOW + timedelta(hours=1))
    request = await fake_discord.wait_for_request("POST", r"/channels/\d+/messages$")
    assert "You have 1 review card(s) due" in text(request.json)
    assert request.json["allowed_mentions"]["parse"] == []
    await cog.send_reminders(NOW + timedelta(hours=1, minutes=1))  # the next tick: nothing
    posts = [r for r in fake_discord.requests if r.method == "POST" and "/messages" in r.path]
    assert len(posts) == 1


async def test_forget_asks_first_then_deletes_everything(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    member = int(fake_discord.user["id"])
    repo: HabitsRepository = medcode.get_cog("Me").repo
    await repo.answer([AnswerRecord(member, "q-1", "icd10cm", False, NOW, "quiz")])
    await fake_discord.send_slash_command("me settings", {"timezone": "Europe/London"})
    body = await fake_discord.send_slash_command("me forget")
    assert is_ephemeral(body) and embed(body)["title"] == "Delete everything about you?"
    assert await repo.card(member, "q-1") is not None  # nothing deleted before the confirm
    [confirm] = custom_ids(body)
    message = int(fake_discord.original_message()["id"])
    done = await fake_discord.click_button(confirm, message=message)
    assert embed(done)["title"] == "Done: I no longer store anything about you"
    assert "3 record(s) deleted" in text(done)  # the answer, its card, the settings
    assert await repo.card(member, "q-1") is None
    assert (await repo.prefs(member)).timezone is None
