"""A local fake Discord (HTTP API v10 + gateway) that the real discord.py client talks to.

See ../shared/notes/fake-discord-protocol.md for what discord.py needs at each step. Point
discord.py here with `FakeDiscord.patch_discord_py()` (the only two constants it touches).
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


class FakeDiscord:
    """One guild, three text channels, one human user ("alice") and the bot."""

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
        self.guild_id = self.ids()
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
        self.identify: Json | None = None  # the last IDENTIFY's "d"
        self._acked: set[int] = set()
        self._dispatched_at: dict[str, float] = {}  # interaction id -> loop time
        self._originals: dict[str, int] = {}  # interaction token -> original message id
        self._injections: list[_Injection] = []
        self._changed = asyncio.Condition()
        self._ws: web.WebSocketResponse | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self._session_id = ""
        self._seq = 0
        self._sent: list[Json] = []  # dispatched frames of this session, for RESUME replay
        self._resumed = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        app, token, msg = r"(?P<app>\d+)", r"(?P<token>[^/]+)", r"(?P<mid>@original|\d+)"
        hook_message = rf"/webhooks/{app}/{token}/messages/{msg}"
        commands = rf"/applications/{app}(?:/guilds/(?P<guild>\d+))?/commands"
        self._routes: list[tuple[str, re.Pattern[str], Any]] = [
            (m, re.compile(p), h)
            for m, p, h in [
                ("GET", r"/users/@me", self._get_me),
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

    @property
    def bot_mention(self) -> str:
        return f"<@{self.bot_user['id']}>"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gw", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._http)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
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
        """Send a DISPATCH frame (kept for RESUME replay; sent later if not connected)."""
        self._seq += 1
        frame = {"op": 0, "t": event, "s": self._seq, "d": data}
        self._sent.append(frame)
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_str(json.dumps(frame))

    async def reconnect(self, timeout: float = 5.0) -> None:
        """Send op 7 RECONNECT and wait until the client has RESUMEd (and got RESUMED)."""
        ws, self._ws = self._ws, None  # frames dispatched meanwhile go to the replay buffer
        assert ws is not None, "the client is not connected"
        self._resumed.clear()
        await ws.send_str(json.dumps({"op": 7, "d": None}))
        await asyncio.wait_for(self._resumed.wait(), timeout)

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
    ) -> Json:
        user = user or self.user
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
            channel = self.channels[channel_id or self.channel_ids["general"]]
            payload |= {
                "guild_id": str(self.guild_id), "guild_locale": "en-US",
                "guild": {"id": str(self.guild_id), "locale": "en-US", "features": []},
                "channel_id": channel["id"], "channel": channel, "context": 0,
                "authorizing_integration_owners": {"0": str(self.guild_id)},
                "member": self._member(user, permissions=permissions),
            }  # fmt: skip
        if message is not None:
            payload["message"] = message
        return payload

    async def send_interaction(
        self, type_: int, data: Json, *, timeout: float = 5.0, **context: Any
    ) -> Json:
        """Dispatch INTERACTION_CREATE; return the JSON body of the bot's callback POST.

        context: dm=False, channel_id=None (general), user=None (alice),
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
        data = self._command_data(name, options, None, guild_command, context.get("dm", False))
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
        data = self._command_data(name, options, focused, guild_command, context.get("dm", False))
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
    ) -> Json:
        root, *path = name.split()
        guild_defs = {c["name"]: c for c in self.guild_commands.get(self.guild_id, [])}
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
            data["guild_id"] = str(self.guild_id)
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
    def _member(self, user: Json, *, permissions: int | None = None) -> Json:
        member: Json = {
            "user": user, "roles": [], "joined_at": _now(), "deaf": False, "mute": False,
            "flags": 0, "pending": False, "nick": None, "avatar": None,
        }  # fmt: skip
        if user is self.bot_user:
            member["roles"] = [str(self.bot_role_id)]
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    def _guild(self) -> Json:
        def role(rid: int, name: str, perms: int, position: int) -> Json:
            return {
                "id": str(rid), "name": name, "permissions": str(perms), "position": position,
                "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0,
            }  # fmt: skip

        members = [self._member(self.bot_user), self._member(self.user)]
        return {
            "id": str(self.guild_id), "name": "Fake Guild", "icon": None,
            "owner_id": str(self.ids()), "unavailable": False, "large": False,
            "member_count": len(members), "members": members,
            "channels": list(self.channels.values()),
            "roles": [role(self.guild_id, "@everyone", DEFAULT_MEMBER_PERMISSIONS, 0),
                      role(self.bot_role_id, "medcode-test-bot", self.bot_permissions, 1)],
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
                    await self._on_identify(ws, frame["d"])
                elif frame["op"] == 6:
                    await self._on_resume(ws, frame["d"])
        except Exception as exc:
            self.errors.append(f"gateway: {exc!r}")
            raise
        finally:
            self._sockets.discard(ws)
            if self._ws is ws:
                self._ws = None
        return ws

    async def _on_identify(self, ws: web.WebSocketResponse, data: Json) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        self.identify, self._ws = data, ws
        self._session_id, self._seq, self._sent = secrets.token_hex(16), 0, []
        ready = {
            "v": 10, "user": self.bot_user, "session_id": self._session_id,
            "resume_gateway_url": self.gateway_url, "private_channels": [],
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "application": {"id": str(self.application_id), "flags": 0},
        }  # fmt: skip
        await self.dispatch("READY", ready)
        await self.dispatch("GUILD_CREATE", self._guild())

    async def _on_resume(self, ws: web.WebSocketResponse, data: Json) -> None:
        if data.get("session_id") != self._session_id:
            await ws.send_str(json.dumps({"op": 9, "d": False}))
            return
        self._ws = ws
        for frame in self._sent:
            if frame["s"] > (data.get("seq") or 0):
                await ws.send_str(json.dumps(frame))
        await self.dispatch("RESUMED", {})
        self._resumed.set()

    # -------------------------------------------------------------------------------- HTTP
    async def _http(self, request: web.Request) -> web.StreamResponse:
        path = request.path[len(API_PREFIX) :]
        rec = RecordedRequest(request.method, path, dict(request.query), None)
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
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(rec.path)
            if match and method == rec.method:
                return await handler(rec, match.groupdict())
        return _error(404, 0, "404: Not Found")

    async def _get_me(self, rec: RecordedRequest, _: Json) -> web.Response:
        return _json(self.bot_user | {"verified": True, "mfa_enabled": False, "locale": "en-US"})

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
