"""A local fake Discord (HTTP API v10 + gateway) that the real discord.py client talks to.

See ../shared/notes/fake-discord-protocol.md for what discord.py needs at each step. Point
discord.py here with `FakeDiscord.patch_discord_py()` (the only two constants it touches).

Shards: `GET /gateway/bot` recommends `shard_count`; each gateway connection IDENTIFYs as one
shard (`[id, count]`, or none: shard 0 of 1) and gets a READY and GUILD_CREATEs for its own
guilds only; events of a guild go to the connection of its shard, `(guild_id >> 22) % count`,
as on Discord; several connections (shards, processes) are served at once. `add_guilds(n)` adds
guilds with one text channel each. A client (a bot process) can tag its requests and gateway
connections with a path prefix (`api_base_for(tag)`, `gateway_url_for(tag)`), so a test can
tell which process sent what (`RecordedRequest.client`, `GatewaySession.client`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import secrets
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import discord
import yarl
from aiohttp import BodyPartReader, WSMsgType, web

if TYPE_CHECKING:
    from .openapi_check import SpecChecker

Json = dict[str, Any]

VIEW_CHANNEL, SEND_MESSAGES, EMBED_LINKS, ATTACH_FILES = 0x400, 0x800, 0x4000, 0x8000
READ_MESSAGE_HISTORY, USE_APPLICATION_COMMANDS = 0x10000, 0x80000000
MANAGE_GUILD, ADMINISTRATOR = 0x20, 0x8
DEFAULT_MEMBER_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
)
BOT_PERMISSIONS = DEFAULT_MEMBER_PERMISSIONS | EMBED_LINKS | ATTACH_FILES
EPHEMERAL, LOADING = 64, 128
DISCORD_EPOCH_MS = 1_420_070_400_000
API_PREFIX = "/api/v10"


class Snowflakes:
    """Increasing, realistic snowflake ids (timestamp << 22)."""

    def __init__(self) -> None:
        self._last = 0

    def __call__(self) -> int:
        self._last = max(self._last + 1, (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22)
        return self._last

    def next_millisecond(self) -> int:
        """An id in a later millisecond than any before: guild ids made in one loop then spread
        over the shards (`(id >> 22) % count`) as real guilds do, instead of sharing one."""
        self._last = max(((self._last >> 22) + 1) << 22, self._last + 1)
        return self()


def shard_of(guild_id: int, shard_count: int) -> int:
    """Discord's rule for which shard receives a guild's events."""
    return (guild_id >> 22) % shard_count


@dataclass
class RecordedRequest:
    method: str
    path: str  # without the /api/v10 prefix, e.g. "/users/@me"
    query: dict[str, str]
    json: Any  # parsed JSON body (multipart: its payload_json), or None
    files: list[Json] = field(default_factory=list)
    status: int = 0
    problems: list[str] = field(default_factory=list)  # spec violations found on receipt
    response: Any = None  # the JSON the fake answered with
    claimed: bool = field(default=False, repr=False)
    client: str | None = None  # the tag of `api_base_for(tag)` the request came through


@dataclass
class FakeGuild:
    id: int
    name: str
    bot_role_id: int
    channel_ids: dict[str, int]  # name -> id, text channels


@dataclass(eq=False)
class GatewaySession:
    """One IDENTIFYed gateway session: shard `shard = (id, count)` of the bot, with its own
    sequence numbers and the frames dispatched to it (replayed on RESUME)."""

    identify: Json
    shard: tuple[int, int]
    client: str | None
    ws: web.WebSocketResponse | None
    session_id: str = field(default_factory=lambda: secrets.token_hex(16))
    seq: int = 0
    sent: list[Json] = field(default_factory=list)
    resumed: asyncio.Event = field(default_factory=asyncio.Event)

    def owns(self, guild_id: int) -> bool:
        return shard_of(guild_id, self.shard[1]) == self.shard[0]


@dataclass(eq=False)
class Hold:
    """Requests held by the fake until `release()`: Discord is slow to answer them."""

    method: str
    pattern: re.Pattern[str]
    client: str | None
    after: int  # this many matching requests pass before holding starts
    passed: int = 0
    waiting: int = 0  # held right now
    released: asyncio.Event = field(default_factory=asyncio.Event)
    drop: int = 0  # this many held requests are then lost (502, nothing done), the rest handled

    def release(self, *, drop: int = 0) -> None:
        self.drop = drop
        self.released.set()


@dataclass
class _Injection:
    method: str
    pattern: re.Pattern[str]
    remaining: int
    retry_after: float
    is_global: bool


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _json(data: Any, status: int = 200) -> web.Response:
    # Exactly "application/json": discord.py does not parse "...; charset=utf-8".
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def _with_ids(components: list[Json]) -> list[Json]:
    """Discord numbers components (depth first, from 1) that were sent without an `id`."""
    counter = 0

    def walk(items: list[Json]) -> None:
        nonlocal counter
        for item in items:
            counter += 1
            item.setdefault("id", counter)
            walk(item.get("components") or [])

    walk(components)
    return components


def _error(status: int, code: int, message: str, **extra: Any) -> web.Response:
    return _json({"message": message, "code": code, **extra}, status)


def _guild_of(event: str, data: Any) -> int | None:
    """The guild an event belongs to (it decides the shard), None for DMs and the like."""
    if not isinstance(data, dict):
        return None
    if event.startswith("GUILD_") and "guild_id" not in data and "id" in data:
        return int(data["id"])  # GUILD_CREATE / UPDATE / DELETE carry the guild itself
    return int(data["guild_id"]) if data.get("guild_id") else None


class FakeDiscord:
    """One guild, three text channels, one human user ("alice") and the bot; `add_guilds`
    for more guilds, `shard_count` for what `GET /gateway/bot` recommends."""

    def __init__(self, *, token: str = "fake-bot-token", spec_checker: SpecChecker | None = None):
        self.token = token
        self.reject_token = False  # GET /users/@me etc. answer 401 -> discord.LoginFailure
        self.spec_checker = spec_checker
        self.reject_invalid = True  # answer 400/50035 to bodies the spec rejects, like Discord
        self.check_spec = True  # the fake_discord fixture fails the test on spec problems
        self.ids = Snowflakes()
        self.application_id = self.ids()
        self.bot_user: Json = self.make_user("medcode-test-bot", bot=True)
        self.user: Json = self.make_user("alice")
        self.guild_id = self.ids.next_millisecond()
        self.bot_role_id = self.ids()
        self.bot_permissions = BOT_PERMISSIONS
        self.heartbeat_interval_ms = 41_250
        self.interaction_deadline: float | None = 3.0  # later callbacks: 404 / 10062, as Discord
        self.channels: dict[int, Json] = {}
        self.channel_ids: dict[str, int] = {}
        for position, name in enumerate(("general", "help", "read-only")):
            self.channel_ids[name] = cid = self.ids()
            self.channels[cid] = {
                "id": str(cid), "type": 0, "name": name, "position": position,
                "guild_id": str(self.guild_id), "permission_overwrites": [], "topic": None,
                "nsfw": False, "parent_id": None, "last_message_id": None,
                "rate_limit_per_user": 0, "flags": 0,
            }  # fmt: skip
        readonly = self.channel_ids["read-only"]
        self.channels[readonly]["permission_overwrites"] = [
            {"id": str(self.bot_role_id), "type": 0, "allow": "0", "deny": str(SEND_MESSAGES)}
        ]
        self.guilds: dict[int, FakeGuild] = {
            self.guild_id: FakeGuild(
                self.guild_id, "Fake Guild", self.bot_role_id, self.channel_ids
            )
        }
        self.shard_count = 1  # what GET /gateway/bot recommends
        self.sessions: dict[int, GatewaySession] = {}  # by shard id: the live session of each
        self.no_permission_channels: set[int] = {readonly}  # POST messages -> 403 / 50013
        self.deleted_channels: set[int] = set()  # POST messages, GET channel -> 404 / 10003
        self.requests: list[RecordedRequest] = []
        self.gateway_frames: list[Json] = []  # every frame the client sent
        self.errors: list[str] = []  # crashes of the fake itself (the fixture fails on them)
        self.global_commands: list[Json] = []
        self.guild_commands: dict[int, list[Json]] = {}
        self.messages: dict[int, Json] = {}  # every message the bot created, by id
        self.interactions: dict[int, Json] = {}  # INTERACTION_CREATE payloads, by id
        self.last_interaction: Json | None = None
        self.identify: Json | None = None  # the last IDENTIFY's "d" (of any shard)
        self._acked: set[int] = set()
        self._dispatched_at: dict[str, float] = {}  # interaction id -> loop time
        self._originals: dict[str, int] = {}  # interaction token -> original message id
        self._injections: list[_Injection] = []
        self._holds: list[Hold] = []
        self._changed = asyncio.Condition()
        self._sockets: set[web.WebSocketResponse] = set()
        self._ws_clients: dict[web.WebSocketResponse, str | None] = {}  # the connection's tag
        self._runner: web.AppRunner | None = None
        self.port = 0
        app, token, msg = r"(?P<app>\d+)", r"(?P<token>[^/]+)", r"(?P<mid>@original|\d+)"
        hook_message = rf"/webhooks/{app}/{token}/messages/{msg}"
        commands = rf"/applications/{app}(?:/guilds/(?P<guild>\d+))?/commands"
        self._routes: list[tuple[str, re.Pattern[str], Any]] = [
            (m, re.compile(p), h)
            for m, p, h in [
                ("GET", r"/users/@me", self._get_me),
                ("GET", r"/gateway/bot", self._get_gateway_bot),
                ("GET", r"/oauth2/applications/@me", self._get_application),
                ("PUT", commands, self._put_commands),
                ("GET", commands, self._get_commands),
                (
                    "POST",
                    rf"/interactions/(?P<iid>\d+)/{token}/callback",
                    self._interaction_callback,
                ),
                ("POST", rf"/webhooks/{app}/{token}", self._followup),
                ("GET", hook_message, self._webhook_message),
                ("PATCH", hook_message, self._webhook_message),
                ("DELETE", hook_message, self._webhook_message),
                ("POST", r"/channels/(?P<cid>\d+)/messages", self._create_message),
                ("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
                ("POST", r"/users/@me/channels", self._create_dm),
            ]
        ]

    # ----------------------------------------------------------------------------- lifecycle
    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API_PREFIX}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gw"

    def api_base_for(self, client: str) -> str:
        """The REST base for one client (bot process): its requests carry `client`."""
        return f"http://127.0.0.1:{self.port}/{client}{API_PREFIX}"

    def gateway_url_for(self, client: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{client}/gw"

    @property
    def bot_mention(self) -> str:
        return f"<@{self.bot_user['id']}>"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gw", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._http)
        app.router.add_get("/{client}/gw", self._gateway)
        app.router.add_route("*", "/{client}" + API_PREFIX + "/{tail:.*}", self._http)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        for hold in self._holds:
            hold.release()
        for ws in list(self._sockets):
            await ws.close(code=1001)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextlib.contextmanager
    def patch_discord_py(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway here; restore them afterwards."""
        ws_cls = discord.gateway.DiscordWebSocket
        old_base, old_gateway = discord.http.Route.BASE, ws_cls.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        ws_cls.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        try:
            yield
        finally:
            discord.http.Route.BASE, ws_cls.DEFAULT_GATEWAY = old_base, old_gateway

    # ------------------------------------------------------------------------- test helpers
    def make_user(self, name: str, *, bot: bool = False) -> Json:
        return {
            "id": str(self.ids()), "username": name, "discriminator": "0", "global_name": name,
            "avatar": None, "bot": bot, "system": False, "public_flags": 0, "flags": 0,
            "primary_guild": None,
        }  # fmt: skip

    def add_guilds(self, count: int, *, channel: str = "tips") -> list[FakeGuild]:
        """`count` more guilds (ids spread over the shards), each with one text channel the bot
        can post in. Add them before the bot connects: they arrive in READY / GUILD_CREATE."""
        added = []
        for _ in range(count):
            guild = FakeGuild(self.ids.next_millisecond(), "", self.ids(), {channel: self.ids()})
            guild.name = f"Guild {len(self.guilds)}"
            cid = guild.channel_ids[channel]
            self.channels[cid] = {
                "id": str(cid), "type": 0, "name": channel, "position": 0,
                "guild_id": str(guild.id), "permission_overwrites": [], "topic": None,
                "nsfw": False, "parent_id": None, "last_message_id": None,
                "rate_limit_per_user": 0, "flags": 0,
            }  # fmt: skip
            self.guilds[guild.id] = guild
            added.append(guild)
        return added

    def messages_in(self, channel_id: int) -> list[Json]:
        """The messages the bot created in a channel, oldest first."""
        return [m for m in self.messages.values() if m["channel_id"] == str(channel_id)]

    def hold(
        self, method: str, path_regex: str, *, client: str | None = None, after: int = 0
    ) -> Hold:
        """Hold matching requests (re.search on the path; from `client` if given) after the
        first `after` have passed, until `Hold.release()`; then they are handled as usual."""
        hold = Hold(method.upper(), re.compile(path_regex), client, after)
        self._holds.append(hold)
        return hold

    async def wait_until(self, predicate: Any, timeout: float = 5.0) -> None:
        """Wait until `predicate()` holds; it is checked whenever a request is recorded or
        held, or a gateway session starts."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def session_for_guild(self, guild_id: int | None) -> GatewaySession | None:
        """The live session that gets this guild's events (None: DMs, on shard 0)."""
        if guild_id is None:
            return self.sessions.get(0)
        return next((s for s in self.sessions.values() if s.owns(guild_id)), None)

    def inject_429(
        self,
        method: str,
        path_regex: str,
        times: int = 1,
        retry_after: float = 0.05,
        *,
        is_global: bool = False,
    ) -> None:
        """Answer the next `times` matching requests (re.search on the path) with a 429."""
        self._injections.append(
            _Injection(method.upper(), re.compile(path_regex), times, retry_after, is_global)
        )

    async def wait_for_request(
        self, method: str, path_regex: str, timeout: float = 5.0
    ) -> RecordedRequest:
        """The first not yet claimed, non-429 request matching (past or future); claims it."""
        pattern = re.compile(path_regex)

        def find() -> RecordedRequest | None:
            for rec in self.requests:
                wanted = rec.method == method.upper() and pattern.search(rec.path)
                if wanted and not rec.claimed and rec.status != 429:
                    return rec
            return None

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(find), timeout)
            except TimeoutError:
                recent = "\n  ".join(f"{r.method} {r.path} -> {r.status}" for r in self.requests)
                raise TimeoutError(
                    f"no {method} {path_regex} within {timeout} s; requests so far:\n  {recent}"
                ) from None
        found = find()
        assert found is not None
        found.claimed = True
        return found

    def original_message(self, interaction: Json | None = None) -> Json | None:
        """The stored original response message of `interaction` (default: the last one)."""
        interaction = interaction or self.last_interaction
        mid = self._originals.get(interaction["token"]) if interaction else None
        return self.messages.get(mid) if mid is not None else None

    async def dispatch(self, event: str, data: Any) -> None:
        """Send a DISPATCH frame to the session of the event's guild (its shard), kept there
        for RESUME replay (sent later if that session is not connected right now). With no
        session for that shard yet, the event is lost, as it would be on Discord."""
        session = self.session_for_guild(_guild_of(event, data))
        if session is not None:
            await self._send_dispatch(session, event, data)

    async def _send_dispatch(self, session: GatewaySession, event: str, data: Any) -> None:
        session.seq += 1
        frame = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        if session.ws is not None and not session.ws.closed:
            await session.ws.send_str(json.dumps(frame))

    @property
    def _sent(self) -> list[Json]:
        """The replay buffer of the default guild's session (benchmarks clear it)."""
        session = self.session_for_guild(self.guild_id)
        return session.sent if session is not None else []

    async def reconnect(self, timeout: float = 5.0, *, shard_id: int | None = None) -> None:
        """Send op 7 RECONNECT to a shard's session (default: the default guild's) and wait
        until the client has RESUMEd (and got RESUMED)."""
        if shard_id is None:
            session = self.session_for_guild(self.guild_id)
        else:
            session = self.sessions.get(shard_id)
        assert session is not None and session.ws is not None, "the client is not connected"
        ws, session.ws = session.ws, None  # frames dispatched meanwhile go to the replay buffer
        session.resumed.clear()
        await ws.send_str(json.dumps({"op": 7, "d": None}))
        await asyncio.wait_for(session.resumed.wait(), timeout)

    # --------------------------------------------------------------------- interactions
    def _interaction(
        self,
        type_: int,
        data: Json,
        *,
        dm: bool = False,
        channel_id: int | None = None,
        user: Json | None = None,
        permissions: int = DEFAULT_MEMBER_PERMISSIONS,
        message: Json | None = None,
        locale: str = "en-US",
        guild_id: int | None = None,
    ) -> Json:
        user = user or self.user
        guild = self.guilds[guild_id or self.guild_id]
        iid = self.ids()
        payload: Json = {
            "id": str(iid), "application_id": str(self.application_id), "type": type_,
            "data": data, "token": f"tok-{secrets.token_hex(16)}", "version": 1,
            "app_permissions": str(self.bot_permissions), "locale": locale,
            "entitlements": [], "attachment_size_limit": 10_485_760,
        }  # fmt: skip
        if dm:
            channel = self._dm_channel(user)
            payload |= {"user": user, "channel_id": channel["id"], "channel": channel}
            payload |= {"context": 1, "authorizing_integration_owners": {"0": "0"}}
        else:
            channel = self.channels[channel_id or next(iter(guild.channel_ids.values()))]
            payload |= {
                "guild_id": str(guild.id), "guild_locale": "en-US",
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "channel_id": channel["id"], "channel": channel, "context": 0,
                "authorizing_integration_owners": {"0": str(guild.id)},
                "member": self._member(user, permissions=permissions),
            }  # fmt: skip
        if message is not None:
            payload["message"] = message
        return payload

    async def send_interaction(
        self, type_: int, data: Json, *, timeout: float = 5.0, **context: Any
    ) -> Json:
        """Dispatch INTERACTION_CREATE; return the JSON body of the bot's callback POST.

        context: dm=False, guild_id=None (the default guild), channel_id=None (its first
        channel: general), user=None (alice),
        permissions=DEFAULT_MEMBER_PERMISSIONS (| MANAGE_GUILD ...), message=None, locale.
        The dispatched payload is `self.interactions[int(id)]`; `self.last_interaction`.
        """
        payload = self._interaction(type_, data, **context)
        self.interactions[int(payload["id"])] = self.last_interaction = payload
        self._dispatched_at[payload["id"]] = asyncio.get_running_loop().time()
        await self.dispatch("INTERACTION_CREATE", payload)
        path = f"^/interactions/{payload['id']}/{payload['token']}/callback$"
        return (await self.wait_for_request("POST", path, timeout)).json

    async def send_slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild_command: bool | None = None,
        timeout: float = 5.0,
        **context: Any,
    ) -> Json:
        """`name` is the qualified name ("ask", "group sub", "group subgroup sub")."""
        dm, guild_id = context.get("dm", False), context.get("guild_id")
        data = self._command_data(name, options, None, guild_command, dm, guild_id=guild_id)
        return await self.send_interaction(2, data, timeout=timeout, **context)

    async def send_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str,
        *,
        guild_command: bool | None = None,
        timeout: float = 5.0,
        **context: Any,
    ) -> Json:
        """Autocomplete (type 4) while typing option `focused`; returns {"type": 8, ...}."""
        dm, guild_id = context.get("dm", False), context.get("guild_id")
        data = self._command_data(name, options, focused, guild_command, dm, guild_id=guild_id)
        return await self.send_interaction(4, data, timeout=timeout, **context)

    async def click_button(
        self,
        custom_id: str,
        *,
        message: Json | int | None = None,
        component_type: int = 2,
        values: list[str] | None = None,
        timeout: float = 5.0,
        **context: Any,
    ) -> Json:
        """A component interaction (type 3) on `message` (a message dict, the id of a message
        the bot sent here, or None: a synthetic bot message carrying that button)."""
        if isinstance(message, int):
            message = self.messages[message]
        elif message is None:
            button = {"type": 2, "style": 1, "label": custom_id, "custom_id": custom_id}
            row = {"type": 1, "components": [button]}
            channel_id = context.get("channel_id") or self.channel_ids["general"]
            if context.get("dm"):
                channel_id = int(self._dm_channel(context.get("user") or self.user)["id"])
            message = self._new_message(channel_id, {"components": [row]})
        data: Json = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return await self.send_interaction(3, data, message=message, timeout=timeout, **context)

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        focused: str | None,
        guild_command: bool | None,
        dm: bool,
        *,
        guild_id: int | None = None,
    ) -> Json:
        root, *path = name.split()
        guild_id = guild_id or self.guild_id
        guild_defs = {c["name"]: c for c in self.guild_commands.get(guild_id, [])}
        if guild_command is None:
            guild_command = not dm and root in guild_defs
        definition = (guild_defs if guild_command else {}).get(root) or next(
            (c for c in self.global_commands if c["name"] == root), {}
        )
        node = definition
        for part in path:
            node = next((o for o in node.get("options", []) if o["name"] == part), {})
        types = {o["name"]: o["type"] for o in node.get("options", [])}
        leaf: list[Json] = []
        resolved: dict[str, Json] = {}
        for key, value in (options or {}).items():
            inferred = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
            inferred = 10 if isinstance(value, float) else inferred
            option: Json = {"name": key, "type": types.get(key, inferred), "value": value}
            if option["type"] == 7:  # CHANNEL: Discord sends the id and the channel resolved
                option["value"] = str(value)
                channel = self.channels.get(int(value)) or {"id": str(value), "type": 0}
                resolved[str(value)] = {
                    "id": str(value),
                    "name": channel.get("name", "deleted-channel"),
                    "type": channel.get("type", 0),
                    "permissions": str(self.bot_permissions),
                }
            if key == focused:
                option["focused"] = True
            leaf.append(option)
        for depth, part in reversed(list(enumerate(path))):
            kind = 2 if depth < len(path) - 1 else 1  # group above, subcommand at the leaf
            leaf = [{"name": part, "type": kind, "options": leaf}]
        data: Json = {"id": definition.get("id", str(self.ids())), "name": root, "type": 1}
        data["options"] = leaf
        if resolved:
            data["resolved"] = {"channels": resolved}
        if guild_command:
            data["guild_id"] = str(guild_id)
        return data

    async def send_message_create(
        self,
        content: str,
        *,
        mentions: list[Json] | None = None,
        author: Json | None = None,
        channel_id: int | None = None,
        dm: bool = False,
    ) -> Json:
        """Dispatch MESSAGE_CREATE from `author` (alice). `mentions` defaults to [the bot];
        each mentioned user missing from `content` as <@id> is prefixed to it."""
        author = author or self.user
        mentions = [self.bot_user] if mentions is None else mentions
        missing = [u for u in mentions if not re.search(rf"<@!?{u['id']}>", content)]
        content = " ".join([*(f"<@{u['id']}>" for u in missing), content])
        if dm:
            channel_id = int(self._dm_channel(author)["id"])
        message = self._new_message(
            channel_id or self.channel_ids["general"], {"content": content}, author=author
        )
        message["mentions"] = mentions
        if not dm:
            message["member"] = {k: v for k, v in self._member(author).items() if k != "user"}
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    # ----------------------------------------------------------------------- payloads
    def _member(
        self, user: Json, *, permissions: int | None = None, guild: FakeGuild | None = None
    ) -> Json:
        member: Json = {
            "user": user, "roles": [], "joined_at": _now(), "deaf": False, "mute": False,
            "flags": 0, "pending": False, "nick": None, "avatar": None,
        }  # fmt: skip
        if user is self.bot_user:
            member["roles"] = [str((guild or self.guilds[self.guild_id]).bot_role_id)]
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _guild(self, guild: FakeGuild | None = None) -> Json:
        """GUILD_CREATE's payload for a guild (default: the default guild)."""
        guild = guild or self.guilds[self.guild_id]

        def role(rid: int, name: str, perms: int, position: int) -> Json:
            return {
                "id": str(rid), "name": name, "permissions": str(perms), "position": position,
                "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0,
            }  # fmt: skip

        members = [self._member(self.bot_user, guild=guild), self._member(self.user)]
        return {
            "id": str(guild.id), "name": guild.name, "icon": None,
            "owner_id": str(self.ids()), "unavailable": False, "large": False,
            "member_count": len(members), "members": members,
            "channels": [self.channels[c] for c in guild.channel_ids.values()],
            "roles": [role(guild.id, "@everyone", DEFAULT_MEMBER_PERMISSIONS, 0),
                      role(guild.bot_role_id, "medcode-test-bot", self.bot_permissions, 1)],
            "features": [], "emojis": [], "stickers": [], "threads": [], "voice_states": [],
            "presences": [], "stage_instances": [], "guild_scheduled_events": [],
            "preferred_locale": "en-US", "premium_tier": 0, "mfa_level": 0, "nsfw_level": 0,
            "verification_level": 0, "explicit_content_filter": 0, "afk_timeout": 300,
            "default_message_notifications": 0, "system_channel_id": None, "joined_at": _now(),
        }  # fmt: skip

    def _dm_channel(self, user: Json) -> Json:
        for channel in self.channels.values():
            if channel["type"] == 1 and channel["recipients"][0]["id"] == user["id"]:
                return channel
        cid = self.ids()
        channel = {"id": str(cid), "type": 1, "recipients": [user], "last_message_id": None}
        self.channels[cid] = channel | {"flags": 0}
        return self.channels[cid]

    def _new_message(
        self, channel_id: int, body: Json, *, author: Json | None = None, flags: int = 0
    ) -> Json:
        channel = self.channels.get(channel_id, {})
        message: Json = {
            "id": str(self.ids()), "channel_id": str(channel_id), "type": 0,
            "content": body.get("content") or "", "author": author or self.bot_user,
            "timestamp": _now(), "edited_timestamp": None, "tts": bool(body.get("tts")),
            "mention_everyone": False, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": copy.deepcopy(body.get("embeds") or []),
            "components": _with_ids(copy.deepcopy(body.get("components") or [])),
            "pinned": False,
            "flags": (body.get("flags") or 0) | flags,
        }  # fmt: skip
        if "guild_id" in channel:
            message["guild_id"] = channel["guild_id"]
        return message

    def _store_message(
        self, channel_id: int, body: Json, files: list[Json], flags: int = 0
    ) -> Json:
        message = self._new_message(channel_id, body, flags=flags)
        message["attachments"] = [
            {**f, "id": str(self.ids()), "url": f"https://cdn.invalid/{f['filename']}",
             "proxy_url": f"https://media.invalid/{f['filename']}"}
            for f in files
        ]  # fmt: skip
        self.messages[int(message["id"])] = message
        return message

    def _edit_message(self, message: Json, body: Json) -> Json:
        for key, empty in (("content", ""), ("embeds", []), ("components", [])):
            if key in body:
                message[key] = empty if body[key] is None else copy.deepcopy(body[key])
        _with_ids(message["components"])
        message["flags"] = message.get("flags", 0) & ~LOADING
        message["edited_timestamp"] = _now()
        return message

    # ----------------------------------------------------------------------------- gateway
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.add(ws)
        self._ws_clients[ws] = request.match_info.get("client")
        session: GatewaySession | None = None
        try:
            hello = {"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}
            await ws.send_str(json.dumps(hello))
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                self.gateway_frames.append(frame)
                if frame["op"] == 1:
                    await ws.send_str(json.dumps({"op": 11}))
                elif frame["op"] == 2:
                    session = await self._on_identify(ws, frame["d"]) or session
                elif frame["op"] == 6:
                    session = await self._on_resume(ws, frame["d"]) or session
        except Exception as exc:
            self.errors.append(f"gateway: {exc!r}")
            raise
        finally:
            self._sockets.discard(ws)
            self._ws_clients.pop(ws, None)
            if session is not None and session.ws is ws:
                session.ws = None
        return ws

    async def _on_identify(self, ws: web.WebSocketResponse, data: Json) -> GatewaySession | None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard_id, count = data.get("shard") or (0, 1)
        if not 0 <= shard_id < count:
            await ws.close(code=4010, message=b"Invalid shard.")
            return None
        # A new session of a shard replaces the old one (a restarted process, a re-IDENTIFY).
        client = self._ws_clients.get(ws)
        session = GatewaySession(data, (shard_id, count), client, ws)
        self.identify, self.sessions[shard_id] = data, session
        guilds = [g for g in self.guilds.values() if session.owns(g.id)]
        resume_url = self.gateway_url_for(client) if client else self.gateway_url
        ready = {
            "v": 10, "user": self.bot_user, "session_id": session.session_id,
            "resume_gateway_url": resume_url, "private_channels": [],
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "application": {"id": str(self.application_id), "flags": 0},
        }  # fmt: skip
        if "shard" in data:
            ready["shard"] = [shard_id, count]
        await self._send_dispatch(session, "READY", ready)
        for guild in guilds:
            await self._send_dispatch(session, "GUILD_CREATE", self._guild(guild))
        await self._notify()
        return session

    async def _on_resume(self, ws: web.WebSocketResponse, data: Json) -> GatewaySession | None:
        session = next(
            (s for s in self.sessions.values() if s.session_id == data.get("session_id")), None
        )
        if session is None:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return None
        session.ws = ws
        for frame in session.sent:
            if frame["s"] > (data.get("seq") or 0):
                await ws.send_str(json.dumps(frame))
        await self._send_dispatch(session, "RESUMED", {})
        session.resumed.set()
        return session

    # -------------------------------------------------------------------------------- HTTP
    async def _http(self, request: web.Request) -> web.StreamResponse:
        client = request.match_info.get("client")
        prefix = f"/{client}{API_PREFIX}" if client else API_PREFIX
        path = request.path[len(prefix) :]
        rec = RecordedRequest(request.method, path, dict(request.query), None, client=client)
        try:
            await self._read_body(request, rec)
            response = await self._respond(request, rec)
        except Exception as exc:  # a bug in the fake: loud (see .errors), never a hang or retries
            self.errors.append(f"{rec.method} {rec.path}: {exc!r}")
            response = _error(400, 0, f"the fake Discord crashed: {exc!r}")
        rec.status = response.status
        if isinstance(response, web.Response) and response.body:
            rec.response = json.loads(response.body)  # type: ignore[arg-type]
        async with self._changed:
            self.requests.append(rec)
            self._changed.notify_all()
        return response

    @staticmethod
    async def _read_body(request: web.Request, rec: RecordedRequest) -> None:
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                if not isinstance(part, BodyPartReader):
                    continue
                raw = await part.read()
                if part.name == "payload_json":
                    rec.json = json.loads(raw)
                else:
                    rec.files.append({"filename": part.filename or part.name, "size": len(raw)})
        elif request.can_read_body:
            text = await request.text()
            rec.json = json.loads(text) if text else None

    async def _respond(self, request: web.Request, rec: RecordedRequest) -> web.StreamResponse:
        for inj in self._injections:
            if inj.remaining > 0 and inj.method == rec.method and inj.pattern.search(rec.path):
                inj.remaining -= 1
                body = {"message": "You are being rate limited.", "code": 0,
                        "retry_after": inj.retry_after, "global": inj.is_global}  # fmt: skip
                response = _json(body, 429)
                response.headers["Via"] = "1.1 google"
                response.headers["Retry-After"] = str(max(1, round(inj.retry_after)))
                return response
        webhookish = rec.path.startswith(("/interactions/", "/webhooks/"))
        if not webhookish and (
            self.reject_token or request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            return _error(401, 0, "401: Unauthorized")
        if self.spec_checker is not None:
            rec.problems = self.spec_checker.check(rec.method, rec.path, rec.json)
            known = self.spec_checker.template_for(rec.method, rec.path) is not None
            if rec.problems and known and self.reject_invalid:  # unknown endpoints: 404 below
                return _error(400, 50035, "Invalid Form Body", errors={"spec": rec.problems})
        if await self._held_and_dropped(rec):
            return _error(502, 0, "502: Bad Gateway")
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(rec.path)
            if match and method == rec.method:
                return await handler(rec, match.groupdict())
        return _error(404, 0, "404: Not Found")

    async def _held_and_dropped(self, rec: RecordedRequest) -> bool:
        """Wait while a `hold` holds the request; True if it is then to be lost."""
        for hold in self._holds:
            wanted = hold.client is None or hold.client == rec.client
            if wanted and hold.method == rec.method and hold.pattern.search(rec.path):
                if hold.passed < hold.after:
                    hold.passed += 1
                elif not hold.released.is_set():
                    hold.waiting += 1
                    await self._notify()
                    await hold.released.wait()
                    hold.waiting -= 1
                    if hold.drop > 0:
                        hold.drop -= 1
                        return True
        return False

    async def _get_me(self, rec: RecordedRequest, _: Json) -> web.Response:
        return _json(self.bot_user | {"verified": True, "mfa_enabled": False, "locale": "en-US"})

    async def _get_gateway_bot(self, rec: RecordedRequest, _: Json) -> web.Response:
        url = self.gateway_url_for(rec.client) if rec.client else self.gateway_url
        limit = {"total": 1000, "remaining": 999, "reset_after": 86_400_000, "max_concurrency": 1}
        return _json({"url": url, "shards": self.shard_count, "session_start_limit": limit})

    async def _get_application(self, rec: RecordedRequest, _: Json) -> web.Response:
        return _json({
            "id": str(self.application_id), "name": "medcode-test", "description": "",
            "icon": None, "type": None, "bot_public": True, "bot_require_code_grant": False,
            "owner": self.make_user("owner"), "verify_key": "0" * 64, "flags": 0,
            "flags_new": "0", "bot": self.bot_user, "team": None, "summary": "",
            "redirect_uris": [], "interactions_endpoint_url": None,
            "role_connections_verification_url": None, "approximate_guild_count": 1,
            "approximate_user_install_count": 0, "approximate_user_authorization_count": 0,
            "explicit_content_filter": 0, "eligible_oauth2_scopes": ["bot"],
        })  # fmt: skip

    def _command_store(self, guild: str | None) -> list[Json]:
        return self.guild_commands.setdefault(int(guild), []) if guild else self.global_commands

    async def _put_commands(self, rec: RecordedRequest, m: Json) -> web.Response:
        if int(m["app"]) != self.application_id or not isinstance(rec.json, list):
            return _error(400, 50035, "Invalid Form Body")
        known = {c["name"]: c["id"] for c in self._command_store(m["guild"])}
        synced = []
        for command in rec.json:
            echo = {"type": 1, "description": "", "options": [], "nsfw": False} | command
            echo["integration_types"] = command.get("integration_types") or [0]
            echo |= {"id": known.get(command["name"]) or str(self.ids()), "version": "1",
                     "application_id": str(self.application_id)}  # fmt: skip
            if m["guild"]:
                echo["guild_id"] = m["guild"]
            synced.append(echo)
        self._command_store(m["guild"])[:] = synced
        return _json(synced)

    async def _get_commands(self, rec: RecordedRequest, m: Json) -> web.Response:
        return _json(self._command_store(m["guild"]))

    async def _interaction_callback(self, rec: RecordedRequest, m: Json) -> web.Response:
        interaction = self.interactions.get(int(m["iid"]))
        if interaction is None or interaction["token"] != m["token"]:
            return _error(404, 10062, "Unknown interaction")
        if interaction["id"] in self._acked:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        age = asyncio.get_running_loop().time() - self._dispatched_at[interaction["id"]]
        if self.interaction_deadline is not None and age > self.interaction_deadline:
            return _error(404, 10062, "Unknown interaction")
        body = rec.json or {}
        kind, data = body.get("type"), body.get("data") or {}
        if kind not in (4, 5, 6, 7, 8, 9):
            return _error(400, 50035, "Invalid Form Body", errors={"type": kind})
        self._acked.add(interaction["id"])
        info: Json = {
            "id": interaction["id"], "type": interaction["type"],
            "response_message_loading": kind == 5,
            "response_message_ephemeral": bool((data.get("flags") or 0) & EPHEMERAL),
        }  # fmt: skip
        result: Json = {"interaction": info}
        if kind in (4, 5):
            flags = LOADING if kind == 5 else 0
            message = self._store_message(int(interaction["channel_id"]), data, rec.files, flags)
            message["interaction_metadata"] = {
                "id": interaction["id"], "type": interaction["type"],
                "user": interaction.get("user") or interaction["member"]["user"],
                "authorizing_integration_owners": {},
            }  # fmt: skip
            self._originals[interaction["token"]] = int(message["id"])
            info["response_message_id"] = message["id"]
            if kind == 4:  # the spec has no resource for a deferred (loading) message
                result["resource"] = {"type": kind, "message": message}
        elif kind in (6, 7) and "message" in interaction:
            mid = int(interaction["message"]["id"])
            message = self.messages.setdefault(mid, interaction["message"])
            self._originals[interaction["token"]] = mid
            info["response_message_id"] = str(mid)
            if kind == 7:
                result["resource"] = {"type": 7, "message": self._edit_message(message, data)}
        return _json(result)

    def _interaction_by_token(self, m: Json) -> Json | None:
        if int(m["app"]) != self.application_id:
            return None
        return next((i for i in self.interactions.values() if i["token"] == m["token"]), None)

    async def _followup(self, rec: RecordedRequest, m: Json) -> web.StreamResponse:
        interaction = self._interaction_by_token(m)
        if interaction is None or interaction["id"] not in self._acked:
            return _error(404, 10015, "Unknown Webhook")
        original = self.original_message(interaction)
        if original is not None and original["flags"] & LOADING:
            # Discord: the first followup after a type-5 defer edits the "thinking" message
            message = self._edit_message(original, rec.json or {})
        else:
            message = self._store_message(int(interaction["channel_id"]), rec.json or {}, rec.files)
        wait = rec.query.get("wait", "").lower() in ("1", "true")
        return _json(message) if wait else web.Response(status=204)

    async def _webhook_message(self, rec: RecordedRequest, m: Json) -> web.StreamResponse:
        interaction = self._interaction_by_token(m)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        mid = self._originals.get(m["token"]) if m["mid"] == "@original" else int(m["mid"])
        message = self.messages.get(mid or 0)
        if message is None:
            return _error(404, 10008, "Unknown Message")
        if rec.method == "DELETE":
            del self.messages[int(message["id"])]
            return web.Response(status=204)
        if rec.method == "PATCH":
            self._edit_message(message, rec.json or {})
        return _json(message)

    async def _create_message(self, rec: RecordedRequest, m: Json) -> web.Response:
        cid = int(m["cid"])
        if cid in self.deleted_channels or cid not in self.channels:
            return _error(404, 10003, "Unknown Channel")
        if cid in self.no_permission_channels:
            return _error(403, 50013, "Missing Permissions")
        return _json(self._store_message(cid, rec.json or {}, rec.files))

    async def _get_channel(self, rec: RecordedRequest, m: Json) -> web.Response:
        cid = int(m["cid"])
        if cid in self.deleted_channels or cid not in self.channels:
            return _error(404, 10003, "Unknown Channel")
        return _json(self.channels[cid])

    async def _create_dm(self, rec: RecordedRequest, _: Json) -> web.Response:
        recipient = str((rec.json or {}).get("recipient_id"))
        user = self.user if recipient == self.user["id"] else {**self.user, "id": recipient}
        return _json(self._dm_channel(user))
