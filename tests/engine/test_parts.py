"""Every part of a question answered, in order, with its figures, in one answer that fits."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.exts._embeds import DESCRIPTION, TOTAL, answer_embed


def _embed_size(answer) -> int:
    embed = answer_embed(answer)
    return (
        len(embed.title or "")
        + len(embed.description or "")
        + len(embed.footer.text or "")
        + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)
    )


@pytest.mark.parametrize(
    ("question", "figures"),
    [
        ("what does a CPMA earn and do auditors work from home", ["$60,000–$80,000", "60–70%"]),
        (
            "the two cheapest states and the two dearest",
            ["$38,900", "$39,200", "$65,400", "$62,300"],
        ),
        ("what's the median and the top 10%", ["$48,780", "$72,000+"]),
        ("cardiology pay? also is coding growing", ["$50,000–$63,000", "8% (2024–2034)"]),
        ("median hourly wage, also the job growth", ["$23.45", "8% (2024–2034)"]),
        (
            "what does a coding supervisor make and what comes after that",
            ["$65,000–$80,000", "$75,000–$95,000"],
        ),
    ],
)
def test_each_part_is_answered_in_order(engine: Engine, question, figures):
    answer = engine.answer(question)
    assert answer.answered and answer.rule.startswith("parts:"), (question, answer.rule)
    positions = [answer.text.find(f) for f in figures]
    assert all(p >= 0 for p in positions), (figures, answer.text)
    assert positions == sorted(positions)  # in the order asked
    assert len(answer.lead) <= DESCRIPTION and _embed_size(answer) <= TOTAL


def test_a_count_trims_a_ranking(engine: Engine):
    answer = engine.answer("the two cheapest states and the two dearest")
    assert "$39,500" not in answer.text and "$60,800" not in answer.text


def test_a_part_the_guide_does_not_cover_is_named(engine: Engine):
    answer = engine.answer("what does CRC pay and what is the best pizza topping")
    assert "$55,000–$72,000" in answer.text
    assert "Not in the guide" in answer.text


def test_one_question_with_and_is_not_split(engine: Engine):
    assert not engine.answer("CPC and CCS, which is better").rule.startswith("parts:")
    assert not engine.answer("what do cardiology and radiology pay").rule.startswith("parts:")


def test_four_long_parts_still_fit_one_embed(engine: Engine):
    answer = engine.answer(
        "list the states? and the specialties? and the career levels? also the credentials"
    )
    assert len(answer.lead) <= DESCRIPTION and _embed_size(answer) <= TOTAL


def test_plus_inside_a_name_is_not_a_new_part(engine: Engine):
    assert engine.answer("cpc plus ccs pay").topic == "cert-cpc-ccs"


def test_more_parts_than_fit_are_never_dropped(engine: Engine):
    answer = engine.answer("cpc? crc? ccs? cpma? chc? cedc? cosc? rhia?")
    assert answer.rule.startswith("parts:")
    assert "RHIA" in answer.text and "COSC" in answer.text
    assert len(answer.lead) <= DESCRIPTION and _embed_size(answer) <= TOTAL
