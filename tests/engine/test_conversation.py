"""Follow-ups read with the question before, for a few minutes, on a clock the caller passes."""

from __future__ import annotations

from bot.engine import Engine
from bot.engine.conversation import FOLLOW_UP_SECONDS, Conversation, Conversations


def talk(engine: Engine, *questions: str, gap: float = 10.0):
    context, answers = None, []
    for n, question in enumerate(questions):
        answer, context = engine.reply(question, context, n * gap)
        answers.append(answer)
    return answers


def test_a_place_follow_up_keeps_the_subject(engine: Engine):
    _, second = talk(engine, "what do risk adjustment coders make", "what about in NJ?")
    assert second.topic == "spec-risk-adjustment"
    assert "$55,000–$72,000" in second.text and "$60,800" in second.text


def test_before_that_walks_down_the_ladder(engine: Engine):
    answers = talk(engine, "what's below coding director", "and before that?", "and before that?")
    assert [a.topic for a in answers] == [
        "level-6-coding-manager",
        "level-5-coding-supervisor",
        "level-4-coding-auditor",
    ]


def test_the_second_of_a_ranking(engine: Engine):
    _, second = talk(engine, "best paying specialty", "and the second?")
    assert "2nd" in second.lead and "Risk Adjustment/HCC" in second.lead


def test_another_of_the_same_kind_swaps_in(engine: Engine):
    _, swapped, issuer = talk(engine, "what's the pay for a CPMA", "and CCS?", "who issues it?")
    assert swapped.topic == "cred-ccs" and "$50,000–$60,000" in swapped.text
    assert issuer.topic == "cred-ccs" and "issued by AHIMA" in issuer.text


def test_a_new_full_question_starts_afresh(engine: Engine):
    _, fresh = talk(engine, "how much do auditors make", "what does a CRC earn in Ohio")
    assert fresh.topic == "cred-crc" and "Coding Auditor" not in fresh.text


def test_an_off_topic_follow_up_stays_off_topic(engine: Engine):
    _, off, back = talk(engine, "cpc salary", "and what about pizza toppings?", "and in Maryland?")
    assert not off.answered and "$" not in off.text
    assert back.topic == "cred-cpc" and "$56,200" in back.text  # the context survives


def test_the_context_expires(engine: Engine):
    _, late = talk(
        engine, "how much do auditors make", "and in Maryland?", gap=FOLLOW_UP_SECONDS + 1
    )
    assert late.topic == "state-md"


def test_without_context_a_follow_up_is_read_alone(engine: Engine):
    assert engine.answer("and before that?").topic != "level-4-coding-auditor"


def test_contexts_are_kept_per_key_and_bounded():
    store = Conversations(limit=2)
    store.put(("alice", 1), Conversation("cpc salary", "cred-cpc", 0.0))
    store.put(("bob", 1), Conversation("crc salary", "cred-crc", 0.0))
    assert store.get(("alice", 1), 5.0).topic == "cred-cpc"
    assert store.get(("alice", 2), 5.0) is None
    store.put(("carol", 1), Conversation("x", None, 0.0))
    assert len(store) == 2 and store.get(("bob", 1), 5.0) is None  # least recent dropped
    assert store.get(("alice", 1), FOLLOW_UP_SECONDS + 1) is None  # expired


def test_a_conversation_is_hashable_for_an_answer_cache():
    key = ("and in Maryland?", Conversation("cpc salary", "cred-cpc", 0.0))
    assert {key: 1}[key] == 1


def test_the_other_end_of_a_ranking(engine: Engine):
    _, least = talk(engine, "which specialty is most in demand", "and the least?")
    assert "least demand" in least.lead


def test_a_follow_up_that_refers_back(engine: Engine):
    _, how_long = talk(engine, "coding supervisor pay", "how long does it take to get there")
    assert how_long.topic == "level-5-coding-supervisor" and "6–10 years" in how_long.text
