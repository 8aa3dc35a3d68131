"""Daily tips end to end: admin commands through INTERACTION_CREATE, the scheduler posting to
the right channel at the right time through the real discord.py client, spec-valid bodies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.bot import MedcodeBot
from bot.settings import Settings

from .fake_discord import DEFAULT_MEMBER_PERMISSIONS, MANAGE_GUILD, FakeDiscord

ADMIN = DEFAULT_MEMBER_PERMISSIONS | MANAGE_GUILD
# 2026-11-25 13:00 UTC is 08:00 in New York (EST): a 09:00 tip is due at 14:00 UTC.
START = datetime(2026, 11, 25, 13, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def tips_bot(fake_discord: FakeDiscord, start_bot, tmp_path):
    settings = Settings(
        _env_file=None, database_path=tmp_path / "tips.sqlite3", tip_tick_seconds=300
    )
    bot = await start_bot(lambda **options: MedcodeBot(settings, **options))
    await bot.tree.sync()
    cog = bot.get_cog("Tips")
    assert cog is not None and cog.scheduler is not None  # (a fresh module: no isinstance)
    clock = Clock(START)
    cog.scheduler.clock = clock
    return bot, cog, clock


def embed_of(body: dict) -> dict:
    return body["data"]["embeds"][0]


async def setup_general(fake: FakeDiscord, **extra) -> dict:
    options = {
        "channel": fake.channel_ids["general"],
        "time": "09:00",
        "timezone": "America/New_York",
    }
    return await fake.send_slash_command("tips setup", options | extra, permissions=ADMIN)


async def test_setup_then_post_at_local_time_once(fake_discord: FakeDiscord, tips_bot):
    bot, cog, clock = tips_bot
    body = await setup_general(fake_discord)
    assert body["data"]["flags"] & 64  # ephemeral
    embed = embed_of(body)
    assert embed["title"] == "Daily tips set up"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "09:00 America/New_York" in fields["Time"]
    assert "Wed 25 Nov 09:00" in fields["Next post"]
    assert fields["Permission check"].startswith("OK")

    clock.now = START + timedelta(minutes=59)  # 08:59 local: not yet
    report = await cog.scheduler.tick()
    assert not report.posted

    clock.now = START + timedelta(hours=1, seconds=20)  # 09:00:20 local
    report = await cog.scheduler.tick()
    assert report.posted == [fake_discord.guild_id]
    general = fake_discord.channel_ids["general"]
    post = await fake_discord.wait_for_request("POST", rf"/channels/{general}/messages$")
    assert post.json["embeds"][0]["title"].startswith("Daily study tip")
    assert post.json["allowed_mentions"]["parse"] == []
    tip_ids = {t.id for t in bot.engine.kb.tips}
    assert any(post.json["embeds"][0]["footer"]["text"].endswith(f"tip {t}") for t in tip_ids)

    # A second tick the same day, or a restart's tick, posts nothing more.
    clock.now += timedelta(minutes=5)
    assert not (await cog.scheduler.tick()).posted
    posts = [
        r
        for r in fake_discord.requests
        if r.method == "POST" and r.path.endswith(f"{general}/messages")
    ]
    assert len(posts) == 1


async def test_members_without_manage_server_are_refused(fake_discord: FakeDiscord, tips_bot):
    options = {"channel": fake_discord.channel_ids["general"], "time": "09:00", "timezone": "UTC"}
    body = await fake_discord.send_slash_command("tips setup", options)
    assert body["data"]["flags"] & 64
    assert "Manage Server" in embed_of(body)["description"]


async def test_unknown_time_zone_is_refused_clearly(fake_discord: FakeDiscord, tips_bot):
    body = await setup_general(fake_discord, timezone="Mars/Base")
    assert body["data"]["flags"] & 64
    assert "Unknown time zone 'Mars/Base'" in embed_of(body)["description"]


async def test_bad_time_is_refused_clearly(fake_discord: FakeDiscord, tips_bot):
    body = await setup_general(fake_discord, time="25:99")
    assert body["data"]["flags"] & 64
    assert "25:99" in embed_of(body)["description"]


async def test_time_zone_autocomplete(fake_discord: FakeDiscord, tips_bot):
    body = await fake_discord.send_autocomplete(
        "tips setup", {"timezone": "new_y"}, "timezone", permissions=ADMIN
    )
    values = [c["value"] for c in body["data"]["choices"]]
    assert "America/New_York" in values and len(values) <= 25


async def test_setup_refuses_a_channel_the_bot_cannot_post_in(fake_discord: FakeDiscord, tips_bot):
    body = await setup_general(fake_discord, channel=fake_discord.channel_ids["read-only"])
    assert body["data"]["flags"] & 64
    assert "missing send messages" in embed_of(body)["description"]


async def test_status_pause_resume_and_weekends(fake_discord: FakeDiscord, tips_bot):
    body = await fake_discord.send_slash_command("tips status", permissions=ADMIN)
    assert "not set up" in embed_of(body)["description"]
    await setup_general(fake_discord)
    body = await fake_discord.send_slash_command("tips pause", permissions=ADMIN)
    assert embed_of(body)["title"] == "Daily tips: Paused"
    body = await fake_discord.send_slash_command("tips resume", permissions=ADMIN)
    assert embed_of(body)["title"] == "Daily tips: Active"
    body = await fake_discord.send_slash_command("tips weekends", {"skip": True}, permissions=ADMIN)
    fields = {f["name"]: f["value"] for f in embed_of(body)["fields"]}
    assert fields["Weekends"] == "skipped"
    body = await fake_discord.send_slash_command("tips status", permissions=ADMIN)
    fields = {f["name"]: f["value"] for f in embed_of(body)["fields"]}
    assert "<t:" in fields["Next post"] and ":R>" in fields["Next post"]  # relative time
    assert fields["Last post"] == "none yet"


async def test_post_now(fake_discord: FakeDiscord, tips_bot):
    await setup_general(fake_discord)
    body = await fake_discord.send_slash_command("tips now", permissions=ADMIN)
    assert "Posted tip" in body["data"]["content"]
    general = fake_discord.channel_ids["general"]
    post = await fake_discord.wait_for_request("POST", rf"/channels/{general}/messages$")
    assert post.json["embeds"][0]["description"]


async def test_deleted_channel_pauses_with_reason_after_retries(
    fake_discord: FakeDiscord, tips_bot
):
    _, cog, clock = tips_bot
    await setup_general(fake_discord)
    fake_discord.deleted_channels.add(fake_discord.channel_ids["general"])
    clock.now = START + timedelta(hours=1, seconds=5)
    for _ in range(4):
        await cog.scheduler.tick()
        clock.now += timedelta(minutes=6)
    body = await fake_discord.send_slash_command("tips status", permissions=ADMIN)
    embed = embed_of(body)
    assert embed["title"] == "Daily tips: Paused"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert "deleted" in fields["Why paused"]


async def test_tip_command_shows_a_tip_of_the_category(fake_discord: FakeDiscord, tips_bot):
    bot, _, _ = tips_bot
    body = await fake_discord.send_slash_command("tip", {"category": "icd10cm"})
    embed = embed_of(body)
    assert embed["title"] == "Study tip · ICD-10-CM"
    texts = {t.text for t in bot.engine.kb.tips if t.category == "icd10cm"}
    assert embed["description"] in texts


async def test_tip_works_in_dms(fake_discord: FakeDiscord, tips_bot):
    body = await fake_discord.send_slash_command("tip", dm=True)
    assert embed_of(body)["title"].startswith("Study tip")
