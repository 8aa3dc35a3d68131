"""Study questions that name a specialty, credential or place ("cardiology folks: when is
modifier 59 used") are still study questions: the tip answers, not the name's salary."""

import pytest

from bot.engine import Engine


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("question for the cardiology folks: when is modifier 59 used", "Modifier 59"),
        ("working on my CRC, what does MEAT stand for in documentation", "Monitored"),
        ("in texas, is excludes1 the same as excludes2", "Excludes2"),
        ("anesthesia coders how is the payment worked out, base units times what", "base units"),
        ("ED coding q - fever + cough when the doc already dx'd pneumonia?", "not coded"),
    ],
)
def test_a_study_question_naming_a_career_entry_gets_the_tip(engine: Engine, question, words):
    answer = engine.answer(question)
    assert answer.answered and answer.title.startswith("Study tip"), (answer.rule, answer.text)
    assert words in answer.text
    assert "$" not in answer.text


def test_the_name_alone_is_still_the_career_entry(engine: Engine):
    for question in ("cardiology coding", "anesthesia coding salary", "CRC"):
        answer = engine.answer(question)
        assert not answer.title.startswith("Study tip"), question
        assert "$" in answer.text, question


def test_a_study_word_beside_a_pay_question_keeps_the_pay(engine: Engine):
    # "modifier" is a study word, but the question asks what the specialty pays.
    answer = engine.answer("what do cardiology coders who know their modifiers make")
    assert "$50,000–$63,000" in answer.text


def test_a_study_answer_carries_no_note_about_places_or_figures(engine: Engine):
    answer = engine.answer("in texas, is excludes1 the same as excludes2")
    assert "no figure" not in answer.text and "Texas" not in answer.text


def test_one_rare_word_is_enough_once_a_name_makes_it_a_coding_question(engine: Engine):
    answer = engine.answer("ER coder in florida, the doc charted urosepsis, how do i code that")
    assert answer.title.startswith("Study tip") and "urosepsis" in answer.text.lower()


def test_a_disease_stage_is_no_stage_of_the_plan(engine: Engine):
    answer = engine.answer("ckd stage 4 with hypertension, which category do i use")
    assert answer.title.startswith("Study tip") and "Year 1" not in answer.text
    assert "no figure" not in answer.text


def test_one_coding_word_in_everyday_talk_is_still_not_a_study_question(engine: Engine):
    assert not engine.answer("i have diabetes, what should i eat for breakfast").answered
