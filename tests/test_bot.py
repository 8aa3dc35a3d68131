"""The client itself, without Discord: knowledge reloads, the heap frozen once, no tokens in
the logs."""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path

import pytest

import bot.bot as bot_module
from bot.bot import MedcodeBot
from bot.engine import Engine
from bot.knowledge import KnowledgeBase
from bot.log import RedactTokens
from bot.practice import QuestionBank
from bot.settings import Settings


@pytest.fixture
def client(tmp_path: Path, engine: Engine) -> MedcodeBot:
    settings = Settings(_env_file=None, database_path=tmp_path / "db.sqlite3")
    return MedcodeBot(settings, engine=engine)


async def test_kb_reload_loads_in_a_worker_thread(
    client: MedcodeBot, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    # D11: a 50 MB knowledge base stalled the event loop for 15 s, and every interaction
    # with it. The load must not run on the loop's thread.
    threads: list[threading.Thread] = []

    def load(directory: Path, bank_directory: Path) -> tuple[KnowledgeBase, QuestionBank]:
        threads.append(threading.current_thread())
        return kb, client.bank

    monkeypatch.setattr(bot_module, "load_knowledge_and_bank", load)
    old = client.engine
    engine = await client.reload_knowledge()
    assert threads and threads[0] is not threading.main_thread()
    assert client.engine is engine and engine is not old


async def test_the_heap_is_frozen_once_not_on_every_ready(
    client: MedcodeBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    freezes: list[None] = []
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(None))
    for _ in range(3):  # on_ready fires again after each reconnect
        await client.on_ready()
    assert len(freezes) == 1


def test_interaction_tokens_are_redacted_from_logs(caplog: pytest.LogCaptureFixture) -> None:
    # D12: discord.webhook.async_ logs every callback URL, token included, at DEBUG.
    log = logging.getLogger("discord.webhook.async_")
    handler = caplog.handler
    handler.addFilter(RedactTokens())
    with caplog.at_level(logging.DEBUG, logger="discord.webhook.async_"):
        log.debug(
            "Webhook ID %s with %s %s has returned status code %s",
            None,
            "POST",
            "http://127.0.0.1/api/v10/interactions/123/tok-490cSECRET/callback",
            200,
        )
        log.debug(
            "followup to %s",
            "https://discord.com/api/v10/webhooks/55/aW50ZXJhY3Rpb24/messages/@original",
        )
    handler.removeFilter(handler.filters[-1])
    text = caplog.text
    assert "tok-490cSECRET" not in text and "aW50ZXJhY3Rpb24" not in text
    assert "/interactions/123/[token]/callback" in text
    assert "/webhooks/55/[token]/messages" in text


def test_setup_logging_redacts_on_the_handler_it_installs(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import log as log_module

    root = logging.getLogger()
    before = list(root.handlers)
    # Undone after the test: the once-only flag, the levels setup_logging sets.
    monkeypatch.setattr(log_module.setup_logging, "_done", False, raising=False)
    loggers = [root, logging.getLogger("discord.http"), logging.getLogger("discord.gateway")]
    levels = [logger.level for logger in loggers]
    try:
        log_module.setup_logging("DEBUG")
        added = [h for h in root.handlers if h not in before]
        assert added and any(isinstance(f, RedactTokens) for f in added[0].filters)
    finally:
        for handler in root.handlers[:]:
            if handler not in before:
                root.removeHandler(handler)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
