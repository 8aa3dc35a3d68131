"""Context about the asker, and the guide's year-by-year plan for where they are."""

from __future__ import annotations

import pytest

from bot.engine import Engine


def test_a_new_grad_with_a_credential_gets_its_pay_and_entry_level(engine: Engine):
    answer = engine.answer("just graduated and got my CCS, what kind of money should I expect")
    assert answer.rule == "about-you"
    assert "$50,000–$60,000" in answer.text  # CCS
    assert "$38,000–$44,000" in answer.text  # entry level, 0–2 years


def test_own_credentials_and_years_are_who_they_are_not_a_comparison(engine: Engine):
    answer = engine.answer("I'm a CPC with 4 yrs in radiology, what should I be earning")
    assert answer.rule == "about-you"
    for figure in ("$48,000–$58,000", "$48,000–$60,000", "$55,000–$65,000"):
        assert figure in answer.text  # CPC, radiology, senior coder (4–7 years)
    assert "pays more" not in answer.text


def test_a_move_between_states_compares_them(engine: Engine):
    answer = engine.answer("I'm moving from Alabama to New Jersey, will I make more")
    assert "$38,900" in answer.text and "$60,800" in answer.text


def test_another_profession_of_the_asker_is_background_not_the_subject(engine: Engine):
    answer = engine.answer("I'm a nurse and I'm curious about CDI")
    assert answer.answered and answer.topic == "alt-cdi"
    assert "$70,000–$95,000" in answer.text
    assert not engine.answer("how much do nurses make").answered


@pytest.mark.parametrize(
    ("question", "stage", "step"),
    [
        ("I work the front desk at a clinic and want to get into coding", "plan-year-1-2", "CPC"),
        ("just passed the CPC! what do I do now", "plan-year-1-2", "specialty certification"),
        ("been a coder 3 years, what should I focus on", "plan-year-2-5", "risk adjustment"),
        ("I have 8 years as a coder, how do I keep moving up", "plan-year-5-plus", "CPMA"),
        ("what should i work on after 6 yrs of coding", "plan-year-5-plus", "management"),
        ("what should i be doing in my first year as a coder", "plan-year-1-2", "CPC"),
    ],
)
def test_the_plan_stage_for_where_the_asker_is(engine: Engine, question, stage, step):
    answer = engine.answer(question)
    assert answer.topic == stage, (question, answer.rule, answer.text[:200])
    assert step in answer.text


@pytest.mark.parametrize(
    ("question", "stage"),
    [
        ("what should a mid career coder work on", "plan-year-2-5"),
        ("how should experienced coders keep progressing", "plan-year-5-plus"),
    ],
)
def test_the_plan_stage_for_the_coders_asked_about(engine: Engine, question, stage):
    # The stage comes from the experience band named; the plan is not "for you".
    answer = engine.answer(question)
    assert answer.topic == stage, (question, answer.rule, answer.text[:200])
    assert "For a coder" in answer.text and "For you" not in answer.text


def test_best_next_steps_is_advice_not_a_ranking(engine: Engine):
    answer = engine.answer("best next steps for a coder with a few yrs under their belt")
    assert answer.rule == "plan-stage" and "Year 2–5" in answer.text
    assert "highest-paying" not in answer.text


def test_a_plan_question_that_asks_for_pay_gets_pay(engine: Engine):
    answer = engine.answer("what should a mid career coder expect to make")
    assert answer.rule != "plan-stage" and "$48,000–$58,000" in answer.text


def test_the_whole_plan_when_the_stage_is_unknown(engine: Engine):
    answer = engine.answer("how do I keep moving up in medical coding")
    for stage in ("Year 1–2", "Year 2–5", "Year 5+"):
        assert stage in answer.text


def test_a_named_stage_is_described(engine: Engine):
    answer = engine.answer("year 2-5 plan")
    assert answer.topic == "plan-year-2-5" and "COSC, CCC, CEDC, CRC" in answer.text


def test_a_life_question_is_not_the_plan(engine: Engine):
    assert not engine.answer("what should I do with my life").answered


def test_an_amount_of_the_asker_is_placed_against_what_fits_them(engine: Engine):
    answer = engine.answer("im a CPC in cardiology for 4 yrs, am I underpaid at 49k")
    assert answer.rule == "about-you"
    assert "$49,000 is within the guide's $48,000–$58,000 for CPC." in answer.text
    assert "$49,000 is below the guide's $50,000–$63,000 for Cardiology." in answer.text


def test_where_the_asker_wants_to_go_is_the_subject(engine: Engine):
    answer = engine.answer("I have my CPC and want to get into risk adjustment, what do I need")
    assert answer.topic == "spec-risk-adjustment" and "CRC" in answer.text
    assert "What you have already: CPC." in answer.text


def test_recently_certified_now_what_is_the_first_stage(engine: Engine):
    assert engine.answer("got my CRC last week, now what?").topic == "plan-year-1-2"


def test_two_everyday_names_compared_are_answered(engine: Engine):
    answer = engine.answer("is it better to work hybrid or onsite")
    assert answer.answered and "15–20%" in answer.text and "10–20%" in answer.text


def test_a_profession_named_beside_a_career_is_not_the_subject(engine: Engine):
    answer = engine.answer("can you get into CDI without nursing")
    assert answer.topic == "alt-cdi"


@pytest.mark.parametrize(
    ("question", "stage"),
    [
        # A stage by another name.
        ("whats the foundation phase about", "plan-year-1-2"),
        ("year 5 and up?", "plan-year-5-plus"),
        # Years of experience in members' words.
        ("been doing this about four years, what should my next move be", "plan-year-2-5"),
        ("half a year in and lost, what should i focus on", "plan-year-1-2"),
        ("two decades of coding, how do i keep growing", "plan-year-5-plus"),
        ("7 yrs in, whats next", "plan-year-5-plus"),
        ("how do i earn more after three years of coding", "plan-year-2-5"),
    ],
)
def test_the_stage_is_read_from_members_words(engine: Engine, question, stage):
    answer = engine.answer(question)
    assert answer.topic == stage, (question, answer.rule, answer.text[:160])


def test_a_ranking_word_beside_a_plan_stage_gets_the_stage(engine: Engine):
    # A plan stage is not a topic that covers a kind: "best" once listed "<bound method ...>".
    answer = engine.answer("best things to do in year 2-5")
    assert "bound method" not in answer.text and "COSC, CCC, CEDC, CRC" in answer.text
