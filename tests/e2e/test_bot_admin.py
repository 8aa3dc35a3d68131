"""/kb status and /kb reload (owner only) with the real MedcodeBot against the fake Discord."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .fake_discord import FakeDiscord
from .medcode_support import embed, fields, is_ephemeral

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
OWNER_ONLY = "Only the bot's owner can do that."


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of knowledge/ (named `knowledge`, as problems name their files)."""
    target = tmp_path / "copy" / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


async def test_kb_status_as_owner(fake_discord: FakeDiscord, medcode: Any) -> None:
    body = await fake_discord.send_slash_command("kb status")
    assert is_ephemeral(body)
    shown = embed(body)
    assert shown["title"] == "Knowledge base"
    summary = medcode.engine.kb.summary()
    assert shown["description"] == summary
    assert f"{len(medcode.engine.kb.entries)} entries" in summary and " state" in summary
    assert fields(body)["Directory"] == str(medcode.settings.knowledge_dir)


async def test_kb_reload_as_owner(fake_discord: FakeDiscord, medcode: Any) -> None:
    before = medcode.engine
    body = await fake_discord.send_slash_command("kb reload")
    assert is_ephemeral(body)
    assert embed(body)["title"] == "Knowledge base reloaded"
    assert medcode.engine is not before
    assert embed(body)["description"] == f"{medcode.engine.kb.summary()}; {medcode.bank.summary()}"


@pytest.mark.parametrize("command", ["kb status", "kb reload"])
async def test_kb_refuses_a_non_owner(
    fake_discord: FakeDiscord, medcode: Any, command: str
) -> None:
    before = medcode.engine
    bob = fake_discord.make_user("bob")
    body = await fake_discord.send_slash_command(command, user=bob)
    assert is_ephemeral(body)
    assert embed(body)["description"] == OWNER_ONLY
    assert medcode.engine is before


async def test_without_owner_ids_the_application_owner_decides(
    fake_discord: FakeDiscord, make_medcode: Any
) -> None:
    """No MEDCODE_OWNER_IDS: discord.py asks Discord who owns the application (not alice)."""
    bot = await make_medcode(owner_ids=frozenset())
    await bot.tree.sync()
    body = await fake_discord.send_slash_command("kb status")
    assert embed(body)["description"] == OWNER_ONLY
    assert any(r.path == "/oauth2/applications/@me" for r in fake_discord.requests)


async def test_kb_reload_picks_up_an_edited_figure(
    fake_discord: FakeDiscord, medcode: Any, kb_copy: Path
) -> None:
    specialties = kb_copy / "specialties.yaml"
    original = specialties.read_text(encoding="utf-8")
    old = 'text: "$55,000–$72,000", low: 55000, high: 72000'
    edited = original.replace(old, 'text: "$56,000–$73,000", low: 56000, high: 73000')
    assert original.count(old) == 1
    specialties.write_text(edited, encoding="utf-8")
    medcode.settings.knowledge_dir = kb_copy
    body = await fake_discord.send_slash_command("kb reload")
    assert embed(body).get("title") == "Knowledge base reloaded", embed(body)
    body = await fake_discord.send_slash_command("specialty", {"name": "spec-risk-adjustment"})
    assert fields(body)["Salary range"] == "$56,000–$73,000"


async def test_kb_reload_of_a_broken_knowledge_dir_keeps_the_old_one(
    fake_discord: FakeDiscord, medcode: Any, kb_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    states = kb_copy / "states.yaml"
    states.write_text(
        states.read_text(encoding="utf-8").replace("kind: state", "kind: [state", 1),
        encoding="utf-8",
    )
    medcode.settings.knowledge_dir = kb_copy
    before = medcode.engine

    body = await fake_discord.send_slash_command("kb reload")
    assert is_ephemeral(body)
    message = embed(body)["description"]
    assert message.startswith("Reload failed: 1 problem(s). The previous knowledge base is still")
    assert "• knowledge/states.yaml: invalid YAML at line 7, column 9" in message
    # entries elsewhere that point into the broken file do not repeat its failure
    assert "unknown entry" not in message
    assert medcode.engine is before
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]

    # the old knowledge base still answers
    body = await fake_discord.send_slash_command("ask", {"question": "what does CRC pay"})
    assert fields(body)["Risk Adjustment/HCC"].startswith("$55,000–$72,000")
    body = await fake_discord.send_slash_command("state", {"name": "California"})
    assert fields(body)["Mean annual salary"] == "$62,300"


async def test_kb_reload_lists_many_problems_within_limits(
    fake_discord: FakeDiscord, medcode: Any, kb_copy: Path
) -> None:
    states = kb_copy / "states.yaml"
    states.write_text(
        states.read_text(encoding="utf-8").replace("kind: state", "kind: stat"), encoding="utf-8"
    )
    medcode.settings.knowledge_dir = kb_copy
    body = await fake_discord.send_slash_command("kb reload")
    message = embed(body)["description"]
    assert message.startswith("Reload failed: ")
    assert "knowledge/states.yaml: entry 'state-dc', field 'kind'" in message
    assert "more" in message and len(message) <= 4096
    [callback] = [r for r in fake_discord.requests if r.path.endswith("/callback")]
    assert callback.status == 200


async def test_kb_reload_of_a_missing_dir(
    fake_discord: FakeDiscord, medcode: Any, tmp_path: Path
) -> None:
    medcode.settings.knowledge_dir = tmp_path / "nowhere"
    body = await fake_discord.send_slash_command("kb reload")
    assert is_ephemeral(body)
    assert "nowhere: not a directory" in embed(body)["description"]
