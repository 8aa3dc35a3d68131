"""Finished answers to free-text questions, reused when the same question comes again.

Members of a study group ask the same few things ("what does CPC pay") over and over; the
engine's answer and its embed depend on nothing but the question and the knowledge base, so the
second time costs a dictionary look-up instead of the matcher, the composition and the embed.

The key is the question exactly as typed, not its normalised form: the engine reads case
("coder pay IN" is Indiana's pay, "coder pay in" the national figures; "ICD code E11.9" is a code
look-up), so two questions `bot.knowledge.text.normalize` cannot tell apart may get different
answers (tests/exts/test_answers.py). When the engine comes to take more than the question
(follow-up context), that joins the key. Answers belong to the engine that made them: a new
engine (`/kb reload`) starts an empty cache. Bounded: the least recently asked make room.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

import discord

from bot.engine import Answer, Engine
from bot.exts._embeds import answer_embed

if TYPE_CHECKING:
    from functools import _CacheInfo, _lru_cache_wrapper

MAX_QUESTIONS = 1024  # a few MB at most: an answer and its embed are a few KB


class Reply(NamedTuple):
    """An answer and its embed. Shared by every member who asks: never mutate the embed."""

    answer: Answer
    embed: discord.Embed


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

    def _answer(self, question: str) -> Reply:
        assert self._engine is not None
        answer = self._engine.answer(question)
        return Reply(answer, answer_embed(answer))

    def cache_info(self) -> _CacheInfo:
        """Hits, misses, the bound and the number of answers kept (since the last engine)."""
        return self._replies.cache_info()
