"""Follow-ups in Discord: each member's conversation is their own, per channel."""

from __future__ import annotations

from typing import Any

from .fake_discord import FakeDiscord
from .medcode_support import embed, text


async def ask(fake: FakeDiscord, question: str, **context: Any) -> dict[str, Any]:
    return await fake.send_slash_command("ask", {"question": question}, **context)


async def test_two_members_in_one_channel_keep_separate_contexts(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    bob = fake_discord.make_user("bob")
    await ask(fake_discord, "how much do coding auditors make")
    await ask(fake_discord, "what does CRC pay", user=bob)
    alice_follow = await ask(fake_discord, "and in Maryland?")
    bob_follow = await ask(fake_discord, "and in Maryland?", user=bob)
    assert "Coding Auditor" in embed(alice_follow)["title"]
    assert "$60,000–$80,000" in text(alice_follow) and "$56,200" in text(alice_follow)
    assert embed(bob_follow)["title"].startswith("CRC")
    assert "$55,000–$72,000" in text(bob_follow) and "Coding Auditor" not in text(bob_follow)


async def test_a_follow_up_in_another_channel_has_no_context(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    await ask(fake_discord, "what comes before coding manager")
    other = next(i for name, i in fake_discord.channel_ids.items() if name != "general")
    elsewhere = await ask(fake_discord, "and before that?", channel_id=other)
    here = await ask(fake_discord, "and before that?")
    assert "Coding Auditor" not in text(elsewhere)
    assert "Coding Auditor" in text(here)  # before Coding Supervisor


async def test_a_mention_follows_up_a_slash_question(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    general = fake_discord.channel_ids["general"]
    await ask(fake_discord, "highest paying specialty")
    await fake_discord.send_message_create("and the second?")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert "Risk Adjustment/HCC" in embed(reply.json)["description"]
