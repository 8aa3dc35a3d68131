"""/ask, @mentions, DMs, the "did you mean" buttons and the per-user cooldown they share, with
the real MedcodeBot against the fake Discord."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.engine import Answer, Field

from .fake_discord import FakeDiscord
from .medcode_support import custom_ids, embed, embed_problems, fields, is_ephemeral, text

GUIDE = "Medical Coding Salary & Career Outlook in 2026 (as of 2026)"
SUGGESTIONS = [
    "medcode:suggest:topic-national",
    "medcode:suggest:cred-cpc",
    "medcode:suggest:topic-remote",
]


def channel_messages(fake: FakeDiscord, channel_id: int) -> list[Any]:
    return [
        r
        for r in fake.requests
        if r.method == "POST" and r.path == f"/channels/{channel_id}/messages"
    ]


def assert_pings_nobody(body: dict[str, Any]) -> None:
    mentions = body["allowed_mentions"]
    assert mentions["parse"] == []
    assert not mentions.get("users") and not mentions.get("roles")
    assert mentions.get("replied_user", False) is False


# ----------------------------------------------------------------------------- /ask
async def test_ask_answered_is_public(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("ask", {"question": "what does a CPC earn?"})
    assert body["type"] == 4 and not is_ephemeral(body)
    shown = embed(body)
    assert shown["title"] == "CPC: Certified Professional Coder"
    assert (
        fields(body).items()
        >= {
            "Issued by": "AAPC",
            "CPC (AAPC)": "$48,000–$58,000; Full access to outpatient coding roles",
            "CPC + CCS (both)": "$58,000–$72,000+; Maximum opportunities",
        }.items()
    )
    assert shown["footer"]["text"].startswith(
        f"Source: {GUIDE}: How CPC Certification Impacts Salary"
    )
    assert embed_problems(shown) == []
    assert body["data"]["allowed_mentions"] == {"parse": []}
    assert not body["data"].get("components")
    assert fake_discord.original_message()["embeds"][0]["title"] == shown["title"]


async def test_ask_unanswered_is_ephemeral_with_suggestions(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    body = await fake_discord.send_slash_command("ask", {"question": "xyzzy qwerty"})
    assert is_ephemeral(body)
    shown = embed(body)
    assert shown["title"] == "Not in the guide"
    assert (
        "Did you mean: National salary overview; CPC (Certified Professional Coder)"
        in (shown["description"])
    )
    assert custom_ids(body) == SUGGESTIONS
    labels = [c["label"] for row in body["data"]["components"] for c in row["components"]]
    assert labels == [
        "National salary overview",
        "CPC (Certified Professional Coder)",
        "Remote work in medical coding",
    ]


async def test_suggestion_button_posts_that_answer(fake_discord: FakeDiscord, medcode: Any) -> None:
    await fake_discord.send_slash_command("ask", {"question": "xyzzy qwerty"})
    ephemeral = fake_discord.original_message()
    body = await fake_discord.click_button(
        "medcode:suggest:topic-national", message=int(ephemeral["id"])
    )
    assert body["type"] == 4 and not is_ephemeral(body)
    assert embed(body)["title"] == "National salary overview"
    assert fields(body)["Median annual salary"] == "$48,780"
    # a new public message in the channel; the ephemeral one is untouched
    posted = fake_discord.original_message()
    assert posted["id"] != ephemeral["id"]
    assert posted["channel_id"] == str(fake_discord.channel_ids["general"])


async def test_suggestion_button_survives_a_restart(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    """Dynamic items: a button from a message the bot sent before (not in any live view)."""
    body = await fake_discord.click_button("medcode:suggest:cred-crc")  # a synthetic old message
    assert embed(body)["title"] == "CRC: Certified Risk Adjustment Coder"
    assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")


async def test_suggestion_button_for_a_removed_entry(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    body = await fake_discord.click_button("medcode:suggest:cred-gone")
    assert is_ephemeral(body)
    assert "no longer in the knowledge base" in text(body)


async def test_ask_with_a_4000_character_question(fake_discord: FakeDiscord, medcode: Any) -> None:
    question = ("what does CRC pay compared with CPC in California and Texas " * 80)[:4000]
    body = await fake_discord.send_slash_command("ask", {"question": question})
    assert body["type"] == 4
    assert embed_problems(embed(body)) == []
    [callback] = [r for r in fake_discord.requests if r.path.endswith("/callback")]
    assert callback.status == 200  # the fake refuses (400) what Discord's spec refuses


async def test_huge_answer_stays_within_embed_limits(
    fake_discord: FakeDiscord, medcode: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    huge = Answer(
        query="q",
        answered=True,
        topic="topic-national",
        title="T" * 400,
        lead="lead " * 2000,
        fields=tuple(Field(f"name {i} " * 40, f"$1,{i:03d} " * 300) for i in range(40)),
        notes=("note " * 500,),
        sources=("source " * 400,),
    )
    # The cog answers through Engine.reply (the question read with the member's conversation).
    monkeypatch.setattr(
        medcode.engine, "reply", lambda question, context=None, now=0.0: (huge, None)
    )
    body = await fake_discord.send_slash_command("ask", {"question": "anything"})
    shown = embed(body)
    assert embed_problems(shown) == []
    assert shown["title"].endswith("…") and "Source: source" in shown["footer"]["text"]
    assert shown["fields"][0]["value"].startswith("$1,000 $1,000")  # figures kept, in order
    shown_count = len(shown["fields"])
    assert shown["footer"]["text"].startswith(f"{40 - shown_count} more item(s) not shown.")
    [callback] = [r for r in fake_discord.requests if r.path.endswith("/callback")]
    assert callback.status == 200 and callback.problems == []


# ----------------------------------------------------------------------------- mentions
async def test_mention_is_answered_without_pings(fake_discord: FakeDiscord, medcode: Any) -> None:
    general = fake_discord.channel_ids["general"]
    sent = await fake_discord.send_message_create("what does CRC pay")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert reply.status == 200
    assert embed(reply.json)["title"] == "CRC: Certified Risk Adjustment Coder"
    assert fields(reply.json)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
    assert_pings_nobody(reply.json)
    assert reply.json["message_reference"]["message_id"] in (sent["id"], int(sent["id"]))


async def test_mention_with_everyone_never_pings(fake_discord: FakeDiscord, medcode: Any) -> None:
    general = fake_discord.channel_ids["general"]
    await fake_discord.send_message_create("@everyone @here what does CRC pay <@&123>")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert_pings_nobody(reply.json)
    assert "@everyone" not in text(reply.json) and "@here" not in text(reply.json)
    assert fields(reply.json)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")


async def test_unanswered_mention_gets_suggestion_buttons(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    general = fake_discord.channel_ids["general"]
    await fake_discord.send_message_create("@everyone xyzzy qwerty")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert_pings_nobody(reply.json)
    assert embed(reply.json)["title"] == "Not in the guide"
    assert custom_ids(reply.json) == SUGGESTIONS
    message_id = int(reply.response["id"])
    body = await fake_discord.click_button("medcode:suggest:topic-remote", message=message_id)
    assert embed(body)["title"] == "Remote work in medical coding"


async def test_dm_without_mention_is_answered(fake_discord: FakeDiscord, medcode: Any) -> None:
    await fake_discord.send_message_create("what does CRC pay", mentions=[], dm=True)
    reply = await fake_discord.wait_for_request("POST", r"^/channels/\d+/messages$")
    assert fake_discord.channels[int(reply.path.split("/")[2])]["type"] == 1  # the DM channel
    assert fields(reply.json)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
    assert_pings_nobody(reply.json)


async def test_guild_message_without_mention_is_ignored(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    general = fake_discord.channel_ids["general"]
    await fake_discord.send_message_create("what does CRC pay", mentions=[])
    other = fake_discord.make_user("bob")
    await fake_discord.send_message_create(f"{fake_discord.bot_mention} hi", mentions=[other])
    bot_author = fake_discord.make_user("another-bot", bot=True)
    await fake_discord.send_message_create("what does CPC pay", author=bot_author)
    # a later message that is for the bot is answered; it is the only answer
    await fake_discord.send_message_create("what does CCS pay")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert embed(reply.json)["title"] == "CCS: Certified Coding Specialist"
    assert len(channel_messages(fake_discord, general)) == 1


async def test_mention_in_a_channel_without_permission_is_survived(
    fake_discord: FakeDiscord, medcode: Any, caplog: pytest.LogCaptureFixture
) -> None:
    readonly = fake_discord.channel_ids["read-only"]
    await fake_discord.send_message_create("what does CRC pay", channel_id=readonly)
    denied = await fake_discord.wait_for_request("POST", rf"^/channels/{readonly}/messages$")
    assert denied.status == 403
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert embed(body)["title"] == "CRC: Certified Risk Adjustment Coder"
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


# ----------------------------------------------------------------------------- cooldown
async def test_cooldown_on_ask_is_shared_with_mentions(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    bot = await make_medcode(ask_rate=2, ask_per_seconds=60.0)
    await bot.tree.sync()
    for _ in range(2):
        body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
        assert not is_ephemeral(body)
    limited = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert is_ephemeral(limited)
    message = embed(limited)["description"]
    assert message.startswith("Slow down a little: try again in ")
    seconds = int(message.removeprefix("Slow down a little: try again in ").removesuffix(" s."))
    assert 1 <= seconds <= 60

    # the same member's mention shares the bucket: one friendly note, then silence
    general = fake_discord.channel_ids["general"]
    await fake_discord.send_message_create("what does CPC pay")
    note = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert note.json["content"].startswith("Slow down a little: try again in ")
    assert not note.json.get("embeds")
    assert_pings_nobody(note.json)
    await fake_discord.send_message_create("what does CPC pay, please")

    # someone else is not limited (and their answer arrives after alice's ignored mention)
    bob = fake_discord.make_user("bob")
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"}, user=bob)
    assert not is_ephemeral(body) and embed(body)["title"].startswith("CRC")
    await fake_discord.send_message_create("what does CCS pay", author=bob)
    answer = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert embed(answer.json)["title"] == "CCS: Certified Coding Specialist"
    assert len(channel_messages(fake_discord, general)) == 2  # alice's second mention: silence


async def test_mentions_alone_hit_the_cooldown(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    await make_medcode(ask_rate=1, ask_per_seconds=60.0)
    general = fake_discord.channel_ids["general"]
    await fake_discord.send_message_create("what does CRC pay")
    first = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert embed(first.json)["title"].startswith("CRC")
    await fake_discord.send_message_create("what does CPC pay")
    note = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert note.json["content"].startswith("Slow down a little")
    # /ask is limited too
    limited = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert is_ephemeral(limited) and "Slow down a little" in text(limited)


async def test_suggestion_views_leave_nothing_running(
    fake_discord: FakeDiscord, medcode: Any
) -> None:
    """The buttons are dispatched by their custom_id template: no per-message view, task or
    timer is kept for them (discord.py arms a 15-minute timer for an ephemeral message's view)."""
    before = {t for t in asyncio.all_tasks() if not t.done()}
    for _ in range(3):
        body = await fake_discord.send_slash_command("ask", {"question": "xyzzy qwerty"})
        assert custom_ids(body) == SUGGESTIONS
    await fake_discord.send_message_create("xyzzy qwerty")
    await fake_discord.wait_for_request("POST", r"^/channels/\d+/messages$")
    await asyncio.sleep(0)
    leftover = [t for t in asyncio.all_tasks() if not t.done() and t not in before]
    assert not [t for t in leftover if "timeout" in repr(t.get_coro())], leftover
    store = medcode._connection._view_store
    assert not store._synced_message_views and not store._views
    body = await fake_discord.click_button(
        "medcode:suggest:cred-cpc", message=int(fake_discord.original_message()["id"])
    )
    assert embed(body)["title"] == "CPC: Certified Professional Coder"


async def test_ask_in_a_dm(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command(
        "ask", {"question": "coder salary in California"}, dm=True
    )
    assert not is_ephemeral(body)
    assert fields(body)["Mean annual salary"] == "$62,300"
    found = await fake_discord.send_autocomplete("state", {"name": "tex"}, focused="name", dm=True)
    assert found["data"]["choices"][0] == {"name": "Texas (TX)", "value": "state-tx"}


async def test_mention_where_embeds_are_not_allowed_is_answered_in_text(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    """Without Embed Links, Discord drops a message's embeds: the member would get a blank reply."""
    help_channel = fake_discord.channel_ids["help"]
    fake_discord.channels[help_channel]["permission_overwrites"] = [
        {"id": str(fake_discord.bot_role_id), "type": 0, "allow": "0", "deny": str(0x4000)}
    ]
    await make_medcode()
    await fake_discord.send_message_create("what does CRC pay", channel_id=help_channel)
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{help_channel}/messages$")
    assert not reply.json.get("embeds")
    content = reply.json["content"]
    assert content.startswith("**CRC: Certified Risk Adjustment Coder**\n")
    assert "Risk Adjustment/HCC: $55,000–$72,000" in content
    assert "Source: Medical Coding Salary & Career Outlook in 2026" in content
    assert len(content) <= 2000
    assert_pings_nobody(reply.json)


# ----------------------------------------------------------------- answers made once
@pytest.mark.parametrize("question", ["what does CRC pay", "xyzzy qwerty"])
async def test_a_question_asked_again_is_answered_as_the_first_time(
    fake_discord: FakeDiscord, medcode: Any, question: str
) -> None:
    """The second asker gets the answer a fresh engine gives, buttons and all."""
    from bot.exts._embeds import answer_embed

    first = await fake_discord.send_slash_command("ask", {"question": question})
    bob = fake_discord.make_user("bob")
    again = await fake_discord.send_slash_command("ask", {"question": question}, user=bob)
    assert again["data"] == first["data"]
    assert embed(again) == answer_embed(medcode.engine.answer(question)).to_dict()
    assert is_ephemeral(again) == (question == "xyzzy qwerty")
    if is_ephemeral(again):
        assert custom_ids(again) == SUGGESTIONS
    mention = await fake_discord.send_message_create(question, author=bob)
    reply = await fake_discord.wait_for_request(
        "POST", rf"^/channels/{mention['channel_id']}/messages$"
    )
    assert reply.json["embeds"] == [embed(first)]
