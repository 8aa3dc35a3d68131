"""Finished answers to free-text questions, reused when the same question comes again.

Members of a study group ask the same few things ("what does CPC pay") over and over; the
engine's answer and its embed depend on nothing but the question and the knowledge base, so the
second time costs a dictionary look-up instead of the matcher, the composition and the embed.

The key is the question exactly as typed, not its normalised form: the engine reads case
("coder pay IN" is Indiana's pay, "coder pay in" the national figures; "ICD code E11.9" is a code
look-up), so two questions `bot.knowledge.text.normalize` cannot tell apart may get different
answers (tests/exts/test_answers.py). Only questions read on their own are kept: a member
with a conversation under way (a follow-up such as "and in Maryland?" means something else
after each question) gets an answer made afresh, so the cache never serves one member's context
to another. Answers belong to the engine that made them: a new engine (`/kb reload`) starts an
empty cache. Bounded: the least recently asked make room.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import discord

from bot.engine import Answer, Engine
from bot.engine.conversation import Conversation
from bot.exts._embeds import answer_embed

if TYPE_CHECKING:
    from functools import _CacheInfo, _lru_cache_wrapper

MAX_QUESTIONS = 1024  # a few MB at most: an answer and its embed are a few KB


class Reply(NamedTuple):
    """An answer and its embed. Shared by every member who asks: never mutate the embed."""

    answer: Answer
    embed: discord.Embed
    # The conversation a follow-up is read with, as if asked at time 0: stamp it with the
    # time it was asked (`read` does).
    context: Conversation | None = None


class AnswerCache:
    def __init__(self, maxsize: int = MAX_QUESTIONS) -> None:
        self._engine: Engine | None = None
        self._replies: _lru_cache_wrapper[Reply] = lru_cache(maxsize=maxsize)(self._answer)

    def reply(self, engine: Engine, question: str) -> Reply:
        """The answer `engine` gives to `question`, and its embed: made once, then reused."""
        if engine is not self._engine:  # a new engine (/kb reload): the old answers may be stale
            self._engine = engine
            self._replies.cache_clear()
        return self._replies(question)

    def read(
        self, engine: Engine, question: str, context: Conversation | None, now: float
    ) -> tuple[Reply, Conversation | None]:
        """The reply to `question` in the light of a member's `context`, and the context to
        keep: from the cache when there is no conversation under way, else made afresh."""
        if context is not None and context.fresh(now):
            answer, kept = engine.reply(question, context, now)
            return Reply(answer, answer_embed(answer)), kept
        made = self.reply(engine, question)
        return made, replace(made.context, at=now) if made.context else None

    def _answer(self, question: str) -> Reply:
        assert self._engine is not None
        answer, context = self._engine.reply(question, None, 0.0)
        return Reply(answer, answer_embed(answer), context)

    def cache_info(self) -> _CacheInfo:
        """Hits, misses, the bound and the number of answers kept (since the last engine)."""
        return self._replies.cache_info()
