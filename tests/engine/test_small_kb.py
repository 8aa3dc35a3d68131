"""The engine on small knowledge bases written by the tests: answers must not depend on which
entries the shipped knowledge base happens to have."""

from __future__ import annotations

from pathlib import Path

from kbkit import small_engine

ONE_BAND = """
entries:
  - id: overview
    kind: topic
    name: Coder pay overview
    roles: [national]
    default_for: [pay]
    summary: Coders earn a median of $48,780 a year.
    facts:
      - {label: Median annual salary, text: "$48,780", low: 48780, high: 48780, unit: usd_year}
    source: {doc: guide, section: Pay}
  - id: band-new
    kind: experience_band
    name: New coders (0–2 years)
    salary: {label: Salary range, text: "$38,000–$44,000", low: 38000, high: 44000, unit: usd_year}
    years: 0–2 years
    source: {doc: guide, section: Pay}
"""


def test_years_no_band_covers_fall_back_to_the_pay_overview(tmp_path: Path) -> None:
    # This once crashed (_one called with an extra argument) and the member saw "Sorry,
    # something went wrong".
    engine = small_engine(tmp_path, ONE_BAND)
    answer = engine.answer("what is the pay with 20 years of experience")
    assert answer.answered, answer.text
    assert answer.topic == "overview"
    assert "$48,780" in answer.text
    assert "went wrong" not in answer.text


def test_years_a_band_covers_are_answered_with_it(tmp_path: Path) -> None:
    engine = small_engine(tmp_path, ONE_BAND)
    answer = engine.answer("what is the pay with 1 years of experience")
    assert answer.topic == "band-new"
    assert "$38,000–$44,000" in answer.text


NO_ROLES = """
entries:
  - id: pay-picture
    kind: topic
    name: Coder pay overview
    summary: Coders earn a median of $48,780 a year.
    source: {doc: guide, section: Pay}
  - id: somewhere
    kind: state
    name: Somewhere
    code: SW
    source: {doc: guide, section: States}
"""


def test_without_roles_there_is_no_stand_in_and_no_crash(tmp_path: Path) -> None:
    # The engine finds the national overview by its role, not by an id: none here.
    engine = small_engine(tmp_path, NO_ROLES)
    answer = engine.answer("how much do coders make in Somewhere")
    assert answer.topic == "somewhere"
    assert "no salary figure for Somewhere" in answer.text
    assert "National median" not in answer.text
    assert not engine.answer("how much do coders make").answered  # no default for pay


def test_the_role_decides_not_the_id(tmp_path: Path) -> None:
    roles = NO_ROLES.replace(
        "    name: Coder pay overview\n", "    name: Coder pay overview\n    default_for: [pay]\n"
    )
    engine = small_engine(tmp_path, roles)
    answer = engine.answer("how much do coders make")
    assert answer.topic == "pay-picture" and answer.rule == "intent-default"
