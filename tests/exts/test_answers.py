"""AnswerCache: a question asked again gets exactly the answer a fresh engine gives it."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.engine import Engine
from bot.exts._answers import AnswerCache, Reply
from bot.exts._embeds import answer_embed
from bot.knowledge import KnowledgeBase, load_knowledge

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = [
    q for q in (ROOT / "benchmarks" / "questions.txt").read_text(encoding="utf-8").splitlines() if q
]
CRC_PAY = "what does CRC pay"
OLD_FIGURE = 'text: "$55,000–$72,000", low: 55000, high: 72000'
NEW_FIGURE = 'text: "$56,000–$73,000", low: 56000, high: 73000'


def assert_as_fresh(reply: Reply, fresh: Engine, question: str) -> None:
    answer = fresh.answer(question)
    assert reply.answer == answer
    assert reply.answer.suggestion_ids == answer.suggestion_ids  # the "did you mean" buttons
    assert reply.embed.to_dict() == answer_embed(answer).to_dict()


def test_a_question_asked_again_gets_a_fresh_engines_answer(kb: KnowledgeBase) -> None:
    engine, fresh, cache = Engine(kb), Engine(kb), AnswerCache()
    for question in QUESTIONS:
        cache.reply(engine, question)
    for question in QUESTIONS:
        assert_as_fresh(cache.reply(engine, question), fresh, question)
    assert cache.cache_info().hits >= len(QUESTIONS)


def test_questions_that_normalise_alike_keep_their_own_answers(kb: KnowledgeBase) -> None:
    """The engine reads case: "IN" is Indiana, "in" only a word; "E11.9" is a code."""
    fresh = Engine(kb)
    pairs = [("coder pay IN", "coder pay in"), ("what is ICD code E11.9", "what is icd code e11.9")]
    for first, second in pairs:
        shown = [answer_embed(fresh.answer(q)).to_dict() for q in (first, second)]
        assert shown[0] != shown[1]  # else this test could not fail
        for order in ((first, second), (second, first)):
            engine, cache = Engine(kb), AnswerCache()
            for question in order:
                cache.reply(engine, question)
            for question in order:
                assert_as_fresh(cache.reply(engine, question), fresh, question)


def test_a_new_engine_answers_from_its_own_knowledge(tmp_path: Path) -> None:
    """What /kb reload does: the answers of the engine it replaces are never served again."""
    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    cache = AnswerCache()
    old = cache.reply(Engine(load_knowledge(knowledge)), CRC_PAY)
    assert "$55,000–$72,000" in old.answer.text
    specialties = knowledge / "specialties.yaml"
    text = specialties.read_text(encoding="utf-8")
    assert text.count(OLD_FIGURE) == 1
    specialties.write_text(text.replace(OLD_FIGURE, NEW_FIGURE), encoding="utf-8")
    reloaded = Engine(load_knowledge(knowledge))
    new = cache.reply(reloaded, CRC_PAY)
    assert "$56,000–$73,000" in new.answer.text and "$55,000" not in new.answer.text
    assert_as_fresh(new, reloaded, CRC_PAY)


def test_past_its_bound_it_forgets_the_least_recently_asked(kb: KnowledgeBase) -> None:
    engine, fresh, cache = Engine(kb), Engine(kb), AnswerCache(maxsize=2)
    first, second, third = QUESTIONS[:3]
    for question in (first, second, first, third):  # `second` is now the least recent
        cache.reply(engine, question)
    info = cache.cache_info()
    assert info.currsize == 2
    cache.reply(engine, first)
    assert cache.cache_info().hits == info.hits + 1
    assert_as_fresh(cache.reply(engine, second), fresh, second)  # made again, correctly
    assert cache.cache_info().misses == info.misses + 1


def test_a_follow_up_is_read_with_its_members_context_never_from_the_cache(
    kb: KnowledgeBase,
) -> None:
    engine, fresh, cache = Engine(kb), Engine(kb), AnswerCache()
    first, context = cache.read(engine, CRC_PAY, None, now=100.0)
    assert first.answer == fresh.answer(CRC_PAY) and context is not None
    assert context.at == 100.0  # stamped with the time it was asked, not the cached one's
    follow_up = "and in Maryland?"
    in_context, _ = cache.read(engine, follow_up, context, now=110.0)
    expected, _ = fresh.reply(follow_up, fresh.reply(CRC_PAY, None, 100.0)[1], 110.0)
    assert in_context.answer == expected
    # Another member asking the same words with no conversation gets the words on their own.
    alone, _ = cache.read(engine, follow_up, None, now=111.0)
    assert alone.answer == fresh.answer(follow_up)
    assert alone.answer.text != in_context.answer.text
