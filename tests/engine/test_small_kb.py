"""The engine on small knowledge bases written by the tests: answers must not depend on which
entries the shipped knowledge base happens to have."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import load_knowledge

SOURCES = """
sources:
  - id: guide
    title: Test guide
    as_of: "2026"
"""

ONE_BAND = """
entries:
  - id: overview
    kind: topic
    name: Coder pay overview
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


def small_engine(tmp_path: Path, entries: str, **files: str) -> Engine:
    (tmp_path / "sources.yaml").write_text(textwrap.dedent(SOURCES))
    (tmp_path / "entries.yaml").write_text(textwrap.dedent(entries))
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return Engine(load_knowledge(tmp_path))


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
