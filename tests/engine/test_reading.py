"""Spans of time as members write them: the years a coder has been at it."""

import pytest

from bot.engine.reading import read_years


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("three years in, what now", 3.0),
        ("a year and a half into coding", 1.5),
        ("2 and a half yrs", 2.5),
        ("8 months in", 0.67),
        ("a decade in this field", 10.0),
        ("5+ yrs coding", 5.0),
        ("half a year in", 0.5),
        ("a couple of years coding", 2.0),
    ],
)
def test_a_span_of_experience_is_read(text: str, years: float) -> None:
    assert read_years(text) == years


@pytest.mark.parametrize(
    "text",
    [
        "how much do coders make a year",  # pay per year, not a year in
        "what should i do in my first couple of years",  # a span ahead
        "in two years i want to make 70k",
        "how many years to become a supervisor",
        "top 10 states",
    ],
)
def test_no_span_of_experience_is_read_where_none_is_said(text: str) -> None:
    assert read_years(text) is None
