"""Members' own words: chat shorthand, slang, emoji, words run together or split, typos."""

from __future__ import annotations

import pytest

from bot.engine import Engine


@pytest.mark.parametrize(
    ("question", "topic", "figure"),
    [
        ("how much do u make w/ a crc", "cred-crc", "$55,000–$72,000"),
        ("wat r ppl w a cpma making", "cred-cpma", "$60,000–$80,000"),
        ("whats ur pay at lvl 3 lol", "level-3-senior-coder", "$55,000–$65,000"),
        ("nah i meant the CCS tho", "cred-ccs", "$50,000–$60,000"),
        ("coders in cali make good money? 😀🙏", "state-ca", "$62,300"),
        ("howmuch do coders make in new jersey", "state-nj", "$60,800"),
        ("medical coder salry in massachusetts", "state-ma", "$59,400"),
        ("calif ornia coder pay", "state-ca", "$62,300"),
        ("sr coder sal", "level-3-senior-coder", "$55,000–$65,000"),
        ("is risk adjustment hiring rn", "spec-risk-adjustment", "Very High"),
        ("how much do certifed coders earn per yr", "level-2-certified-coder", "$48,000"),
        ("hybrid jobs r they common", "work-hybrid", "15–20%"),
        ("crc sallary in new jersy", "cred-crc", "$55,000–$72,000"),
    ],
)
def test_shorthand_and_typos_read_as_meant(engine: Engine, question, topic, figure):
    answer = engine.answer(question)
    assert answer.topic == topic, (question, answer.rule, answer.text)
    assert figure in answer.text


def test_rn_is_right_now_unless_nursing_is_meant(engine: Engine):
    assert engine.answer("is cpc worth getting rn").answered
    nurse = engine.answer("how much does an rn make")
    assert not nurse.answered and "$" not in nurse.text
    assert not engine.answer("RN salary in ohio").answered


@pytest.mark.parametrize("question", ["is 60 thousand good for a coder", "coder offer 52 K ok?"])
def test_thousands_in_words_and_capital_k(engine: Engine, question):
    answer = engine.answer(question)
    assert answer.answered
    assert "$60,000" in answer.text or "$52,000" in answer.text
