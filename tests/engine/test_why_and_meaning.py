"""Why-questions, what-it-stands-for and who issues what: answered from what the guide says."""

from __future__ import annotations

import pytest

from bot.engine import Engine


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("how come HCC coders get paid so well", "Medicare Advantage"),
        ("why is new jersey so high", "Major hospital networks"),
        ("what makes maryland pay more", "NIH, Johns Hopkins cluster"),
        ("why are glassdoor numbers higher than the bls ones", "skews toward experienced"),
    ],
)
def test_why_gives_the_guides_reason_first(engine: Engine, question, reason):
    answer = engine.answer(question)
    assert answer.rule == "why", (question, answer.rule)
    assert answer.lead.startswith("The guide's reason:") and reason in answer.lead


def test_why_without_a_reason_in_the_guide_says_so(engine: Engine):
    answer = engine.answer("why does cardiology coding pay what it does")
    assert answer.lead.startswith("The guide gives no reason")
    assert "$50,000–$63,000" in answer.text


@pytest.mark.parametrize(
    ("question", "expansion"),
    [
        ("what does HCC stand for", "Hierarchical Condition Categories"),
        ("cdi meaning?", "Clinical Documentation Improvement"),
        ("whats AAPC short for", "American Academy of Professional Coders"),
        ("what does bls mean", "Bureau of Labor Statistics"),
        ("what does CRC stand for", "Certified Risk Adjustment Coder"),
    ],
)
def test_abbreviations_the_guide_spells_out(engine: Engine, question, expansion):
    answer = engine.answer(question)
    assert expansion in answer.text.split("\n")[0], answer.text


def test_an_abbreviation_the_guide_uses_but_never_spells_out(engine: Engine):
    answer = engine.answer("what does HIM stand for")
    assert not answer.answered and "does not spell it out" in answer.text


@pytest.mark.parametrize(
    ("question", "issuer"),
    [
        ("who do I take the CRC exam through", "AAPC"),
        ("which organization offers the CCS", "AHIMA"),
        ("who runs the cpc test", "AAPC"),
    ],
)
def test_who_issues_a_credential(engine: Engine, question, issuer):
    answer = engine.answer(question)
    assert f"issued by {issuer}" in answer.text, answer.text


def test_what_an_organisation_issues(engine: Engine):
    answer = engine.answer("what certifications does AAPC offer")
    for credential in ("CPC", "CRC", "CPMA"):
        assert credential in answer.lead
    assert "CCS" not in answer.lead


@pytest.mark.parametrize(
    ("question", "body"),
    [
        ("which organisation covers HIM careers", "AHIMA"),
        ("who publishes salary surveys for coders", "AAPC"),
        ("who handles continuing education", "AAPC"),
    ],
)
def test_which_body_covers_what(engine: Engine, question, body):
    answer = engine.answer(question)
    assert answer.lead.startswith(f"The guide names {body}"), answer.lead[:120]
