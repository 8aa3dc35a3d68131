"""The test bed proves itself with a small, self-contained commands.Bot (not the medcode bot)."""

from __future__ import annotations

import asyncio
import io
import logging
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from .fake_discord import MANAGE_GUILD, SEND_MESSAGES, FakeDiscord
from .openapi_check import SpecChecker, SpecViolation

CODES = ["A00", "A01", "B20", "E11", "Z99"]
NO_PINGS = discord.AllowedMentions.none()
log = logging.getLogger(__name__)


class CountView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Count", custom_id="testbed:count", style=discord.ButtonStyle.primary)
    async def count(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"Clicked by {interaction.user.name}")


class BedBot(commands.Bot):
    def __init__(self, guild_id: int, **options: Any) -> None:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.dm_messages = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, **options)
        self.tree.add_command(lookup)
        self.tree.add_command(admin)
        self.tree.add_command(counter)
        self.tree.add_command(too_long)
        self.tree.add_command(export)
        self.tree.add_command(guildping, guild=discord.Object(guild_id))

    async def setup_hook(self) -> None:
        self.add_view(CountView())  # persistent: dispatched by custom_id

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or self.user not in message.mentions:
            return
        try:
            await message.channel.send(
                f"Hello {message.author.display_name}", allowed_mentions=NO_PINGS
            )
        except discord.HTTPException as exc:
            log.warning("could not answer in %s: %s", message.channel.id, exc)


@app_commands.command(description="Look up a diagnosis code")
@app_commands.describe(code="An ICD-10 code")
async def lookup(interaction: discord.Interaction, code: str) -> None:
    embed = discord.Embed(title=f"Code {code}", description="A made-up description.")
    where = "a DM" if interaction.guild is None else interaction.guild.name
    await interaction.response.send_message(f"Found {code} (in {where})", embed=embed)


@lookup.autocomplete("code")
async def lookup_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=c, value=c) for c in CODES if c.startswith(current.upper())]


admin = app_commands.Group(name="admin", description="Server tools", guild_only=True)


@admin.command(description="Show usage statistics")
async def stats(interaction: discord.Interaction, verbose: bool = False) -> None:
    if not interaction.permissions.manage_guild:
        await interaction.response.send_message("You need Manage Server.", ephemeral=True)
        return
    await interaction.response.defer(ephemeral=True, thinking=True)
    await interaction.followup.send(f"42 questions answered (verbose={verbose})", ephemeral=True)


@app_commands.command(description="Show a button")
async def counter(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("Press it", view=CountView())


@app_commands.command(name="too-long", description="Sends an embed Discord refuses")
async def too_long(interaction: discord.Interaction) -> None:
    await interaction.response.send_message(embed=discord.Embed(title="x" * 300))


@app_commands.command(description="Sends a file")
async def export(interaction: discord.Interaction) -> None:
    file = discord.File(io.BytesIO(b"code,title\nA00,Cholera\n"), filename="codes.csv")
    await interaction.response.send_message("Here you go", file=file, ephemeral=True)


@app_commands.command(description="A guild-only ping")
async def guildping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong from the guild command")
    original = await interaction.original_response()  # GET .../messages/@original
    await interaction.edit_original_response(content=original.content + "!")


@pytest.fixture
async def bot(fake_discord: FakeDiscord, start_bot: Any) -> commands.Bot:
    return await start_bot(lambda **options: BedBot(fake_discord.guild_id, **options))


async def test_login_ready_and_guild(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    assert bot.user is not None and bot.user.id == int(fake_discord.bot_user["id"])
    assert bot.application_id == fake_discord.application_id
    guild = bot.get_guild(fake_discord.guild_id)
    assert guild is not None
    assert {c.name for c in guild.text_channels} == {"general", "help", "read-only"}
    general = guild.get_channel(fake_discord.channel_ids["general"])
    readonly = guild.get_channel(fake_discord.channel_ids["read-only"])
    assert general.permissions_for(guild.me).embed_links
    assert not readonly.permissions_for(guild.me).send_messages
    assert fake_discord.identify is not None and fake_discord.identify["token"] == "fake-bot-token"


async def test_sync_global_and_guild(
    fake_discord: FakeDiscord, bot: commands.Bot, spec_checker: SpecChecker
) -> None:
    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"lookup", "admin", "counter", "too-long", "export"}
    assert all(c.id for c in synced)
    admin_cmd = next(c for c in fake_discord.global_commands if c["name"] == "admin")
    assert [o["name"] for o in admin_cmd["options"]] == ["stats"]

    guild_synced = await bot.tree.sync(guild=discord.Object(fake_discord.guild_id))
    assert [c.name for c in guild_synced] == ["guildping"]
    assert [c["name"] for c in fake_discord.guild_commands[fake_discord.guild_id]] == ["guildping"]

    for pattern in (r"/commands$", rf"/guilds/{fake_discord.guild_id}/commands$"):
        put = await fake_discord.wait_for_request("PUT", pattern, timeout=1)
        spec_checker.validate(put.method, put.path, put.json)
    # a guild command is found through data.guild_id once it is synced
    body = await fake_discord.send_slash_command("guildping")
    assert fake_discord.last_interaction["data"]["guild_id"] == str(fake_discord.guild_id)
    assert body["data"]["content"] == "pong from the guild command"
    token = fake_discord.last_interaction["token"]
    await fake_discord.wait_for_request("GET", rf"/webhooks/\d+/{token}/messages/@original$")
    edit = await fake_discord.wait_for_request("PATCH", rf"/{token}/messages/@original$")
    assert edit.json["content"] == "pong from the guild command!"
    assert fake_discord.original_message()["content"] == "pong from the guild command!"


@pytest.mark.parametrize("dm", [False, True])
async def test_slash_command(fake_discord: FakeDiscord, bot: commands.Bot, dm: bool) -> None:
    body = await fake_discord.send_slash_command("lookup", {"code": "E11"}, dm=dm)
    assert body["type"] == 4
    where = "a DM" if dm else "Fake Guild"
    assert body["data"]["content"] == f"Found E11 (in {where})"
    assert body["data"]["embeds"][0]["title"] == "Code E11"
    assert fake_discord.original_message()["content"] == f"Found E11 (in {where})"


async def test_autocomplete(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    body = await fake_discord.send_autocomplete("lookup", {"code": "a0"}, focused="code")
    assert body == {
        "type": 8,
        "data": {"choices": [{"name": "A00", "value": "A00"}, {"name": "A01", "value": "A01"}]},
    }


async def test_subcommand_in_group_by_permission(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    refused = await fake_discord.send_slash_command("admin stats")
    assert refused == {
        "type": 4,
        "data": {**refused["data"], "content": "You need Manage Server.", "flags": 64},
    }

    deferred = await fake_discord.send_slash_command(
        "admin stats", {"verbose": True}, permissions=MANAGE_GUILD | SEND_MESSAGES
    )
    assert deferred == {"type": 5, "data": {"flags": 64}}
    token = fake_discord.last_interaction["token"]
    followup = await fake_discord.wait_for_request("POST", rf"/webhooks/\d+/{token}$")
    assert followup.query.get("wait") in ("1", "true")
    assert followup.json["content"] == "42 questions answered (verbose=True)"
    assert followup.json["flags"] == 64
    # as on Discord, the first followup after a "thinking" defer replaces the loading message
    original = fake_discord.original_message()
    assert original["content"] == followup.json["content"]
    assert original["flags"] == 64


async def test_file_upload_is_multipart(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    body = await fake_discord.send_slash_command("export")
    assert body["data"]["content"] == "Here you go"
    assert body["data"]["attachments"] == [{"id": 0, "filename": "codes.csv"}]
    [callback] = [r for r in fake_discord.requests if r.path.endswith("/callback")]
    assert callback.files == [{"filename": "codes.csv", "size": 23}]
    assert fake_discord.original_message()["attachments"][0]["filename"] == "codes.csv"


async def test_button_click(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    body = await fake_discord.send_slash_command("counter")
    button = body["data"]["components"][0]["components"][0]
    assert button["custom_id"] == "testbed:count"
    message = fake_discord.original_message()

    clicked = await fake_discord.click_button("testbed:count", message=int(message["id"]))
    assert clicked["type"] == 7
    assert clicked["data"]["content"] == "Clicked by alice"
    assert fake_discord.messages[int(message["id"])]["content"] == "Clicked by alice"


async def test_mention_gets_a_channel_message(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    general = fake_discord.channel_ids["general"]
    sent = await fake_discord.send_message_create("hi there")
    assert sent["content"] == f"{fake_discord.bot_mention} hi there"
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert reply.status == 200
    assert reply.json["content"] == "Hello alice"
    assert reply.json["allowed_mentions"] == {"parse": []}

    # no permission: Discord answers 403 / 50013 and the bot survives it
    readonly = fake_discord.channel_ids["read-only"]
    await fake_discord.send_message_create("hi", channel_id=readonly)
    denied = await fake_discord.wait_for_request("POST", rf"^/channels/{readonly}/messages$")
    assert denied.status == 403
    # messages without the mention are ignored: only the one below is answered
    await fake_discord.send_message_create("nobody", mentions=[])
    await fake_discord.send_message_create("again")
    again = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert again.json["content"] == "Hello alice"
    assert sum(r.path == f"/channels/{general}/messages" for r in fake_discord.requests) == 2

    await fake_discord.send_message_create("psst", dm=True)
    dm = await fake_discord.wait_for_request("POST", r"^/channels/\d+/messages$")
    assert fake_discord.channels[int(dm.path.split("/")[2])]["type"] == 1
    assert dm.json["content"] == "Hello alice"


async def test_rate_limited_callback_is_retried(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    fake_discord.inject_429("POST", r"/callback$", times=2, retry_after=0.05)
    body = await fake_discord.send_slash_command("lookup", {"code": "Z99"})
    assert body["data"]["content"] == "Found Z99 (in Fake Guild)"
    statuses = [r.status for r in fake_discord.requests if r.path.endswith("/callback")]
    assert statuses == [429, 429, 200]


async def test_rate_limited_channel_message_is_retried(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    general = fake_discord.channel_ids["general"]
    fake_discord.inject_429("POST", rf"^/channels/{general}/messages$", is_global=True)
    await fake_discord.send_message_create("hello?")
    reply = await fake_discord.wait_for_request("POST", rf"^/channels/{general}/messages$")
    assert reply.json["content"] == "Hello alice"
    assert [r.status for r in fake_discord.requests if r.method == "POST"] == [429, 200]


async def test_heartbeats_are_acknowledged(fake_discord: FakeDiscord, start_bot: Any) -> None:
    fake_discord.heartbeat_interval_ms = 20
    await start_bot(lambda **options: BedBot(fake_discord.guild_id, **options))
    async with asyncio.timeout(3):
        while sum(f["op"] == 1 for f in fake_discord.gateway_frames) < 3:  # noqa: ASYNC110
            await asyncio.sleep(0.01)  # (polling the fake's record is the point here)
    assert not [f for f in fake_discord.gateway_frames if f["op"] == 6]  # never had to resume


async def test_reconnect_resumes(fake_discord: FakeDiscord, bot: commands.Bot) -> None:
    await fake_discord.reconnect()
    resume = [f for f in fake_discord.gateway_frames if f["op"] == 6]
    assert len(resume) == 1 and resume[0]["d"]["seq"] >= 2
    assert [f for f in fake_discord.gateway_frames if f["op"] == 2] == [
        {"op": 2, "d": fake_discord.identify}
    ]  # resumed, not identified again
    body = await fake_discord.send_slash_command("lookup", {"code": "A00"})
    assert body["data"]["content"] == "Found A00 (in Fake Guild)"


async def test_events_sent_while_disconnected_are_replayed(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    reconnecting = asyncio.create_task(fake_discord.reconnect())
    await asyncio.sleep(0)  # op 7 is out; the client is not back yet
    body = await fake_discord.send_slash_command("lookup", {"code": "B20"})
    await reconnecting
    assert body["data"]["content"] == "Found B20 (in Fake Guild)"
    assert [f["op"] for f in fake_discord.gateway_frames].count(6) == 1


async def test_async_factory(fake_discord: FakeDiscord, start_bot: Any) -> None:
    async def factory(**options: Any) -> commands.Bot:
        await asyncio.sleep(0)  # e.g. open a database first
        return BedBot(fake_discord.guild_id, **options)

    bot = await start_bot(factory)
    assert bot.is_ready() and bot.get_guild(fake_discord.guild_id) is not None


async def test_rejected_token(fake_discord: FakeDiscord, start_bot: Any) -> None:
    fake_discord.reject_token = True
    with pytest.raises(discord.LoginFailure):
        await start_bot(lambda **options: BedBot(fake_discord.guild_id, **options))


async def test_fake_rejects_what_discord_would(
    fake_discord: FakeDiscord, bot: commands.Bot, spec_checker: SpecChecker
) -> None:
    body = await fake_discord.send_slash_command("too-long")
    assert len(body["data"]["embeds"][0]["title"]) == 300
    [callback] = [r for r in fake_discord.requests if r.path.endswith("/callback")]
    assert callback.status == 400
    assert "maxLength: 256" in callback.problems[0]
    fake_discord.check_spec = False  # expected: do not fail this test at teardown


def test_spec_checker_rejects_and_accepts(spec_checker: SpecChecker) -> None:
    callback = "/api/v10/interactions/123/tok-abc/callback"
    spec_checker.validate("POST", callback, {"type": 4, "data": {"content": "ok"}})
    spec_checker.validate("POST", callback, {"type": 8, "data": {"choices": []}})
    spec_checker.validate(
        "POST",
        "/channels/1/messages",
        {"content": "hi", "embeds": [{"title": "x" * 256}], "allowed_mentions": {"users": [42]}},
    )
    spec_checker.validate("GET", "/api/v10/users/@me", None)

    with pytest.raises(SpecViolation, match=r"maxLength: 256"):
        spec_checker.validate("POST", "/channels/1/messages", {"embeds": [{"title": "x" * 300}]})
    with pytest.raises(SpecViolation, match=r"at \$\.type"):
        spec_checker.validate("POST", callback, {"type": 42, "data": {"content": "ok"}})
    with pytest.raises(SpecViolation, match=r"\$\.data\.flags"):
        spec_checker.validate("POST", callback, {"type": 4, "data": {"flags": "ephemeral"}})
    assert spec_checker.check("GET", "/api/v10/no/such/thing", None)


async def test_late_callback_is_an_unknown_interaction(
    fake_discord: FakeDiscord, bot: commands.Bot
) -> None:
    fake_discord.interaction_deadline = 0.0  # Discord allows 3 s; here every answer is late
    await fake_discord.send_slash_command("lookup", {"code": "A00"})
    [callback] = [r for r in fake_discord.requests if r.path.endswith("/callback")]
    assert callback.status == 404
    assert fake_discord.original_message() is None


async def test_fake_replies_match_the_spec(
    fake_discord: FakeDiscord, bot: commands.Bot, spec_checker: SpecChecker
) -> None:
    """Keeps the fake honest: what it answers is what Discord's spec says Discord answers."""
    await bot.tree.sync()
    await bot.tree.sync(guild=discord.Object(fake_discord.guild_id))
    await fake_discord.send_slash_command("guildping")
    await fake_discord.wait_for_request("PATCH", r"/messages/@original$")
    await fake_discord.send_slash_command("admin stats", permissions=MANAGE_GUILD)
    await fake_discord.wait_for_request("POST", r"^/webhooks/")
    await fake_discord.send_slash_command("counter")
    await fake_discord.click_button(
        "testbed:count", message=int(fake_discord.original_message()["id"])
    )
    await fake_discord.send_autocomplete("lookup", {"code": "a"}, focused="code")
    await fake_discord.send_slash_command("export")
    fake_discord.inject_429("POST", r"/channels/\d+/messages$")
    await fake_discord.send_message_create("hi")
    await fake_discord.wait_for_request("POST", r"^/channels/\d+/messages$")
    await fake_discord.send_message_create("hi", channel_id=fake_discord.channel_ids["read-only"])
    await fake_discord.wait_for_request("POST", r"^/channels/\d+/messages$")
    await bot.fetch_channel(fake_discord.channel_ids["general"])
    dm = await bot.create_dm(discord.Object(int(fake_discord.user["id"])))  # /users/@me/channels
    await dm.send("a DM")
    with pytest.raises(discord.NotFound):
        await bot.fetch_channel(fake_discord.ids())
    statuses = {r.status for r in fake_discord.requests}
    assert {200, 403, 404, 429} <= statuses
    problems = [
        p
        for r in fake_discord.requests
        for p in spec_checker.check_response(r.method, r.path, r.status, r.response)
    ]
    assert problems == []
