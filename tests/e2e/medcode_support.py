"""Small readers for what a Discord user sees in the bot's replies (shared by test_bot_*.py)."""

from __future__ import annotations

from typing import Any

from .fake_discord import EPHEMERAL

Json = dict[str, Any]

# Discord's embed limits (https://discord.com/developers/docs/resources/message#embed-limits).
EMBED_LIMITS = {"title": 256, "description": 4096, "fields": 25, "field_name": 256,
                "field_value": 1024, "footer": 2048, "total": 6000}  # fmt: skip


def embed(body: Json) -> Json:
    """The one embed of an interaction callback (type 4) or a message body."""
    data = body.get("data", body)
    embeds = data.get("embeds") or []
    assert len(embeds) == 1, f"expected one embed, got {embeds!r}"
    return embeds[0]


def fields(body_or_embed: Json) -> dict[str, str]:
    """Field name -> value of an embed, or of the one embed of a callback or message body."""
    is_body = "data" in body_or_embed or "embeds" in body_or_embed
    e = embed(body_or_embed) if is_body else body_or_embed
    return {f["name"]: f["value"] for f in e.get("fields", [])}


def text(body: Json) -> str:
    """Everything a user reads in the message: content, embed title, description, fields,
    footer."""
    data = body.get("data", body)
    parts = [data.get("content") or ""]
    for e in data.get("embeds") or []:
        parts += [e.get("title") or "", e.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in e.get("fields", [])]
        parts.append((e.get("footer") or {}).get("text") or "")
    return "\n".join(p for p in parts if p)


def is_ephemeral(body: Json) -> bool:
    return bool((body.get("data", {}).get("flags") or 0) & EPHEMERAL)


def custom_ids(body: Json) -> list[str]:
    data = body.get("data", body)
    return [c["custom_id"] for row in data.get("components") or [] for c in row["components"]]


def embed_problems(e: Json) -> list[str]:
    """Every Discord embed limit this embed breaks (empty when it would be accepted)."""
    problems = []
    title, description = e.get("title") or "", e.get("description") or ""
    footer = (e.get("footer") or {}).get("text") or ""
    fields_ = e.get("fields") or []
    if len(title) > EMBED_LIMITS["title"]:
        problems.append(f"title {len(title)}")
    if len(description) > EMBED_LIMITS["description"]:
        problems.append(f"description {len(description)}")
    if len(fields_) > EMBED_LIMITS["fields"]:
        problems.append(f"{len(fields_)} fields")
    for f in fields_:
        if not f["name"] or len(f["name"]) > EMBED_LIMITS["field_name"]:
            problems.append(f"field name {len(f['name'])}")
        if not f["value"] or len(f["value"]) > EMBED_LIMITS["field_value"]:
            problems.append(f"field value {len(f['value'])}")
    if len(footer) > EMBED_LIMITS["footer"]:
        problems.append(f"footer {len(footer)}")
    total = len(title) + len(description) + len(footer)
    total += sum(len(f["name"]) + len(f["value"]) for f in fields_)
    if total > EMBED_LIMITS["total"]:
        problems.append(f"total {total}")
    return problems
