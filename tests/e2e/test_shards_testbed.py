"""The fake Discord's shards, proved with a small AutoShardedBot (not the medcode bot):
GET /gateway/bot, one session per shard with only its guilds, events routed by guild."""

from __future__ import annotations

import asyncio
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from .fake_discord import FakeDiscord, shard_of

NO_PINGS = discord.AllowedMentions.none()


class ShardBot(commands.AutoShardedBot):
    def __init__(self, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, **options)
        self.tree.add_command(where)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between two IDENTIFYs (Discord's limit); the fake has none."""


@app_commands.command(description="Which shard answers")
async def where(interaction: discord.Interaction) -> None:
    guild = interaction.guild
    assert guild is not None
    await interaction.response.send_message(f"{guild.name} on shard {guild.shard_id}")


async def test_gateway_bot_recommends_the_shard_count(
    fake_discord: FakeDiscord, start_bot: Any
) -> None:
    fake_discord.shard_count = 2
    guilds = fake_discord.add_guilds(6)
    bot = await start_bot(lambda **options: ShardBot(**options))
    assert any(r.path == "/gateway/bot" for r in fake_discord.requests)
    assert bot.shard_count == 2 and set(bot.shards) == {0, 1}
    identified = sorted(f["d"]["shard"] for f in fake_discord.gateway_frames if f["op"] == 2)
    assert identified == [[0, 2], [1, 2]]
    assert {g.id for g in bot.guilds} == {fake_discord.guild_id} | {g.id for g in guilds}
    assert all(g.shard_id == shard_of(g.id, 2) for g in bot.guilds)


async def test_each_shard_gets_only_its_guilds_and_their_events(
    fake_discord: FakeDiscord, start_bot: Any
) -> None:
    guilds = fake_discord.add_guilds(10)
    assert {shard_of(g.id, 2) for g in guilds} == {0, 1}  # spread, not all on one shard
    # two clients, as two processes would run them: one shard each
    first = await start_bot(lambda **options: ShardBot(shard_count=2, shard_ids=[0], **options))
    second = await start_bot(lambda **options: ShardBot(shard_count=2, shard_ids=[1], **options))
    assert not any(r.path == "/gateway/bot" for r in fake_discord.requests)  # count was given
    for bot, shard_id in ((first, 0), (second, 1)):
        session = fake_discord.sessions[shard_id]
        ready = session.sent[0]
        assert ready["t"] == "READY" and ready["d"]["shard"] == [shard_id, 2]
        mine = {g for g in fake_discord.guilds if shard_of(g, 2) == shard_id}
        assert {int(g["id"]) for g in ready["d"]["guilds"]} == mine
        assert {g.id for g in bot.guilds} == mine

    await first.tree.sync()
    for guild in guilds[:4]:
        channel = next(iter(guild.channel_ids.values()))
        body = await fake_discord.send_slash_command("where", guild_id=guild.id)
        assert body["data"]["content"] == f"{guild.name} on shard {shard_of(guild.id, 2)}"
        assert fake_discord.last_interaction["channel_id"] == str(channel)


async def test_messages_are_recorded_per_channel_and_client(
    fake_discord: FakeDiscord, start_bot: Any
) -> None:
    guilds = fake_discord.add_guilds(3)
    bot = await start_bot(lambda **options: ShardBot(**options))
    for i, guild in enumerate(guilds):
        channel = bot.get_channel(guild.channel_ids["tips"])
        assert isinstance(channel, discord.TextChannel)
        for n in range(i + 1):
            await channel.send(f"hello {n}", allowed_mentions=NO_PINGS)
    for i, guild in enumerate(guilds):
        sent = fake_discord.messages_in(guild.channel_ids["tips"])
        assert [m["content"] for m in sent] == [f"hello {n}" for n in range(i + 1)]
        assert all(m["guild_id"] == str(guild.id) for m in sent)


async def test_a_held_request_waits_for_release(fake_discord: FakeDiscord, start_bot: Any) -> None:
    (guild,) = fake_discord.add_guilds(1)
    bot = await start_bot(lambda **options: ShardBot(**options))
    channel = bot.get_channel(guild.channel_ids["tips"])
    assert isinstance(channel, discord.TextChannel)
    hold = fake_discord.hold("POST", r"/messages$", after=1)
    await channel.send("first", allowed_mentions=NO_PINGS)
    second = asyncio.create_task(channel.send("second", allowed_mentions=NO_PINGS))
    await fake_discord.wait_until(lambda: hold.waiting == 1)
    assert [m["content"] for m in fake_discord.messages_in(channel.id)] == ["first"]
    hold.release()
    await second
    assert [m["content"] for m in fake_discord.messages_in(channel.id)] == ["first", "second"]


async def test_a_shard_resumes_on_its_own(fake_discord: FakeDiscord, start_bot: Any) -> None:
    guilds = fake_discord.add_guilds(4)
    bot = await start_bot(lambda **options: ShardBot(shard_count=2, **options))
    await bot.tree.sync()
    other = next(g for g in guilds if shard_of(g.id, 2) == 1)
    reconnecting = asyncio.create_task(fake_discord.reconnect(shard_id=1))
    await asyncio.sleep(0)  # op 7 is out; shard 1 is away, its events wait for the RESUME
    body = await fake_discord.send_slash_command("where", guild_id=other.id)
    await reconnecting
    assert body["data"]["content"] == f"{other.name} on shard 1"
    resumes = [f for f in fake_discord.gateway_frames if f["op"] == 6]
    assert len(resumes) == 1
    assert resumes[0]["d"]["session_id"] == fake_discord.sessions[1].session_id


async def test_an_invalid_shard_is_refused(fake_discord: FakeDiscord, start_bot: Any) -> None:
    """Discord closes with 4010 Invalid shard; discord.py gives up."""
    bot = ShardBot(shard_count=2, shard_ids=[2], guild_ready_timeout=0.05)
    try:
        async with asyncio.timeout(10):
            try:
                await bot.start(fake_discord.token)
            except discord.ConnectionClosed as exc:
                assert exc.code == 4010
            else:
                raise AssertionError("the bot started with shard 2 of 2")
    finally:
        await bot.close()
