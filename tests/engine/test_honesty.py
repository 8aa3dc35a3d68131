"""Honesty first: a wrong answer is worse than none. Questions with nothing of the guide in
them stay unanswered; what the guide lacks is named before any stand-in figure."""

from __future__ import annotations

import re

import pytest

from bot.engine import Engine

MONEY = re.compile(r"\$\d")


@pytest.mark.parametrize(
    "question",
    [
        "how long does it take to boil an egg",
        "whats the best taco truck near me",
        "top 5 horror movies",
        "how many years until I can retire",
        "my remote control stopped working",
        "best laptop for gaming under 800",
        "what's a good diet for heart health",
        "how do I use chopsticks properly",
        "what does it mean to be late",
        "difference between baking soda and baking powder",
        "which phone has the best camera",
        "remote jobs for teenagers at a pizza shop",
        "the best years of my life",
    ],
)
def test_questions_with_nothing_of_the_guide_get_no_figure(engine: Engine, question):
    answer = engine.answer(question)
    assert not answer.answered, (question, answer.rule, answer.text)
    assert not MONEY.search(answer.text), answer.text
    assert answer.suggestions  # "did you mean" starting points


@pytest.mark.parametrize(
    ("question", "credential"),
    [
        ("what does XYZ pay", "XYZ"),
        ("CCA salary", "CCA"),
        ("how much can I make with a CPB", "CPB"),
        ("is the CDIP worth it for pay", "CDIP"),
    ],
)
def test_a_credential_the_guide_lacks_is_a_gap_first(engine: Engine, question, credential):
    answer = engine.answer(question)
    assert answer.text.startswith(f"The guide has no figure for the {credential} credential")


@pytest.mark.parametrize(
    "question",
    ["what does 99213 mean", "what is 99214", "J1100?", "what does G0439 stand for", "I10 meaning"],
)
def test_bare_code_numbers_are_declined_code_lookups(engine: Engine, question):
    answer = engine.answer(question)
    assert answer.rule == "code-lookup", (question, answer.rule)
    assert not answer.answered
    assert "copyright" in answer.text


def test_an_amount_is_not_a_code(engine: Engine):
    assert engine.answer("how much is 55000").answered
    assert engine.answer("is 45000 a good salary for a coder").rule != "code-lookup"


@pytest.mark.parametrize(
    ("question", "tip"),
    [
        ("when do I use modifier 59", "cpt-modifier-59-and-x"),
        ("what's the difference between NEC and NOS", "icd-nec-vs-nos"),
    ],
)
def test_study_tips_still_answer_with_a_coding_term(engine: Engine, question, tip):
    assert engine.answer(question).topic == tip


def test_everyday_word_alone_still_names_its_entry_in_a_coding_question(engine: Engine):
    assert engine.answer("do coding jobs let you work remote").topic == "topic-remote"
    assert engine.answer("remote").topic == "topic-remote"


def test_words_any_question_has_are_not_unknown(engine: Engine):
    assert engine.answer("does experience matter").answered
    assert engine.answer("is a CPC worth it honestly").answered


@pytest.mark.parametrize(
    "question",
    [
        "how long",
        "best",
        "top 5",
        "years",
        "how many years",
        "what's the best",
        "which is the best one",
    ],
)
def test_everyday_intent_words_alone_get_no_salary_table(engine: Engine, question):
    answer = engine.answer(question)
    assert not answer.answered and not MONEY.search(answer.text), (question, answer.rule)


@pytest.mark.parametrize(
    "question", ["highest paying", "what pays the most", "how much experience do I need", "remote"]
)
def test_intent_words_about_the_guide_still_answer(engine: Engine, question):
    assert engine.answer(question).answered, question


@pytest.mark.parametrize(
    ("question", "gap"),
    [
        ("cpc pay in idaho", "The guide has no figure for Idaho"),
        ("CRC salary in Manitoba", "The guide has no figure for Manitoba"),
        ("how much do pediatric coders make", "The guide has no figure for pediatric coders"),
        ("medical coder salary in 2031", "it has none for 2031"),
    ],
)
def test_a_gap_is_named_before_any_stand_in_figure(engine: Engine, question, gap):
    answer = engine.answer(question)
    assert gap in answer.lead.split("\n")[0], answer.text
    assert answer.gap


@pytest.mark.parametrize(
    "question",
    [
        "what's the sales tax in ohio",
        "is it snowing in chicago right now",
        "good hiking trails in colorado",
        "any decent dentist in boston who takes walk ins",
        "cheap flights to florida this weekend",
        "how much is a train ticket from NYC to DC",
    ],
)
def test_a_place_among_everyday_words_is_not_a_coding_question(engine: Engine, question):
    # A state or city is named in everyday talk as often as in coding questions.
    answer = engine.answer(question)
    assert not answer.answered, (answer.rule, answer.text[:200])
    assert "$" not in answer.text


@pytest.mark.parametrize(
    ("question", "figure"),
    [
        ("why does new jersey pay so well", "$60,800"),
        ("coders in seattle", "Washington"),
        ("is maryland good for coders", "$56,200"),
        ("what does a coder in ohio make", "no salary figure for Ohio"),
    ],
)
def test_a_place_with_pay_or_coders_is_still_answered(engine: Engine, question, figure):
    answer = engine.answer(question)
    assert answer.answered and figure in answer.text, (answer.rule, answer.text[:200])


@pytest.mark.parametrize(
    ("question", "named"), [("what do CPC-A coders make", "CPC-A"), ("ccs-p salary", "CCS-P")]
)
def test_a_guide_credential_with_a_suffix_is_another_credential(engine: Engine, question, named):
    # "CCS-P" is not the CCS: its figures may follow, but only after the gap is named.
    answer = engine.answer(question)
    assert answer.text.startswith(f"The guide has no figure for the {named} credential")


@pytest.mark.parametrize("question", ["the avg annual salary", "yearly pay on average?"])
def test_ordinary_words_beside_pay_do_not_make_it_off_topic(engine: Engine, question):
    answer = engine.answer(question)
    assert answer.answered and "$50,200" in answer.text, (answer.rule, answer.text[:120])


@pytest.mark.parametrize(
    ("question", "gap"),
    [
        ("nephrology pay?", "no figure for nephrology coding"),
        ("whats a pediatrics coder earn", "no figure for pediatrics coding"),
        ("CPCO salary, the compliance one", "no figure for the CPCO credential"),
    ],
)
def test_a_field_or_credential_the_guide_lacks_is_a_gap_not_off_topic(
    engine: Engine, question, gap
):
    # The field is known by the shape of its name; the credential by its capitals, even
    # beside words the vocabulary does not know, once pay is asked in words of its own.
    answer = engine.answer(question)
    assert answer.answered and answer.text.startswith(f"The guide has {gap}"), answer.text[:120]


@pytest.mark.parametrize(
    "question", ["is the series 65 exam hard", "is the drivers license exam hard"]
)
def test_another_field_s_exam_is_not_the_cpc_exam(engine: Engine, question):
    # "exam" is an everyday word: it names the CPC exam only among words of coding.
    answer = engine.answer(question)
    assert not answer.answered, (answer.rule, answer.text[:120])


@pytest.mark.parametrize("question", ["exam tips", "is the exam hard", "how hard is the CPC exam"])
def test_the_exam_alone_or_named_is_still_the_cpc_exam(engine: Engine, question):
    assert "CPC exam" in engine.answer(question).text
