"""How much more, how much less: differences computed from the guide's figures, both shown."""

from __future__ import annotations

import pytest

from bot.engine import Engine
from bot.engine.difference import difference
from bot.knowledge.models import Figure


def fig(text: str, low: float, high: float, open_ended: bool = False) -> Figure:
    return Figure(label="x", text=text, low=low, high=high, unit="usd_year", open_ended=open_ended)


def test_two_single_figures_differ_by_their_difference():
    line = difference("A", fig("$55,400", 55400, 55400), "B", fig("$40,200", 40200, 40200))
    assert line is not None and "$15,200 more" in line and "$55,400" in line and "$40,200" in line


def test_two_ranges_differ_by_their_lows_and_highs():
    line = difference(
        "A", fig("$55,000–$72,000", 55000, 72000), "B", fig("$48,000–$58,000", 48000, 58000)
    )
    assert line is not None and "$7,000–$14,000 more" in line and "low ends" in line


def test_overlapping_ranges_say_both_ways():
    line = difference(
        "A", fig("$50,000–$55,000", 50000, 55000), "B", fig("$48,000–$60,000", 48000, 60000)
    )
    assert line is not None and "from $5,000 less to $2,000 more" in line


def test_hourly_and_annual_are_not_subtracted():
    hourly = Figure(label="x", text="$23.45", low=23.45, high=23.45, unit="usd_hour")
    assert difference("A", fig("$1", 1, 1), "B", hourly) is None


@pytest.mark.parametrize(
    ("question", "said"),
    [
        (
            "how much more do risk adjustment coders make than cardiology coders",
            "$5,000–$9,000 more",
        ),
        ("how much less does alabama pay compared to new york", "$18,600 less"),
        ("if i moved from mississippi to maryland how much more would i make", "$16,400 more"),
        ("how much more does a coding director make than a manager", "$15,000–$25,000 more"),
        ("how much more than the national median does california pay", "$13,520 more"),
    ],
)
def test_how_much_more_or_less_is_a_computed_difference(engine: Engine, question, said):
    answer = engine.answer(question)
    assert said in answer.lead, (question, answer.lead)


def test_the_certification_premium(engine: Engine):
    answer = engine.answer("how much more do you make once ur certified")
    assert answer.topic == "topic-premium"
    assert "$12,000" in answer.text and "28%" in answer.text
    assert "$12,000–$16,000 more" in answer.text  # CPC (AAPC) against no certification


def test_two_places_side_by_side_say_by_how_much(engine: Engine):
    # No "how much more" asked: the difference is still the first thing a member wants.
    answer = engine.answer("nj vs maryland")
    assert "New Jersey pays $4,600 more than Maryland ($60,800 against $56,200" in answer.text


@pytest.mark.parametrize(
    ("question", "line"),
    [
        (
            "avg salary vs the median - how big is the gap",
            "The average annual salary is $1,420 more than the median annual salary",
        ),
        (
            "glassdoor average vs bls median, how far apart",
            "The Glassdoor average is $34,036 more than the BLS median",
        ),
    ],
)
def test_two_figures_of_one_entry_are_set_against_each_other(engine: Engine, question, line):
    answer = engine.answer(question)
    assert answer.rule == "figure-gap" and line in answer.text, (answer.rule, answer.text[:200])


def test_figures_of_different_units_are_not_subtracted(engine: Engine):
    answer = engine.answer("median hourly wage vs median annual salary difference")
    assert answer.rule != "figure-gap"
