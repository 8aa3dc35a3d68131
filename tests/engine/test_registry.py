"""A new kind of entry needs a model and a presenter, never an edit to the engine: registered
in a fixture here, it is loaded, listed, matched, ranked and described like the shipped kinds."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from kbkit import small_engine

from bot.engine import Engine, Field
from bot.engine.compose import Description
from bot.engine.presenters import PRESENTERS, Presenter, presents
from bot.knowledge import load_knowledge
from bot.knowledge.models import KINDS, Entry, Figure, KindSpec, kind

SHIFTS = """
entries:
  - id: overview
    kind: topic
    name: Coder pay overview
    roles: [national]
    default_for: [pay]
    summary: Coders earn a median of $48,780 a year.
    facts:
      - {label: Median annual salary, text: "$48,780", low: 48780, high: 48780, unit: usd_year, roles: [median]}
    source: {doc: guide, section: Pay}
  - id: shift-night
    kind: shift
    name: Night shift
    aliases: [overnight coding]
    salary: {label: Salary range, text: "$52,000–$61,000", low: 52000, high: 61000, unit: usd_year}
    hours: 10 pm to 6 am
    source: {doc: guide, section: Shifts}
  - id: shift-day
    kind: shift
    name: Day shift
    salary: {label: Salary range, text: "$41,000–$47,000", low: 41000, high: 47000, unit: usd_year}
    hours: 8 am to 4 pm
    source: {doc: guide, section: Shifts}
"""


@pytest.fixture
def shift_kind() -> Iterator[type[Entry]]:
    @kind(
        KindSpec(
            label="shift",
            plural="shifts",
            figures=("salary",),
            words=("shift",),
            amounts=True,
        )
    )
    class Shift(Entry):
        kind: Literal["shift"]
        salary: Figure
        hours: str

    @presents("shift")
    class ShiftPresenter(Presenter[Shift]):
        def brief(self, entry: Shift) -> str:
            return f"{entry.salary.text}; {entry.hours}"

        def describe(self, entry: Shift, intents: set[str]) -> Description:
            lead = f"The {entry.name.lower()} pays {entry.salary.text}, {entry.hours}."
            fields = [Field("Salary", entry.salary.text), Field("Hours", entry.hours)]
            return Description(entry.name, lead, fields)

    yield Shift
    del KINDS["shift"], PRESENTERS["shift"]


@pytest.fixture
def engine(tmp_path: Path, shift_kind: type[Entry]) -> Engine:
    return small_engine(tmp_path, SHIFTS)


def test_a_new_kind_is_loaded_and_counted(engine: Engine) -> None:
    assert "2 shift" in engine.kb.summary()


def test_listed(engine: Engine) -> None:
    answer = engine.answer("list all the shifts")
    assert answer.rule == "kind-list"
    assert answer.title == "Shifts"
    assert [f.name for f in answer.fields] == ["Night shift", "Day shift"]
    assert "$41,000–$47,000; 8 am to 4 pm" in answer.text


def test_matched_by_name_and_alias(engine: Engine) -> None:
    assert engine.answer("night shift").topic == "shift-night"
    assert engine.answer("what does overnight coding pay").topic == "shift-night"
    assert engine.answer("nigth shfit").topic == "shift-night"  # typos


def test_ranked(engine: Engine) -> None:
    answer = engine.answer("which shift pays the most")
    assert answer.rule == "ranking"
    assert answer.lead == "The highest-paying shift in the guide is Night shift at $52,000–$61,000."
    assert engine.answer("lowest paying shift").topic == "shift-day"


def test_described_by_its_presenter(engine: Engine) -> None:
    answer = engine.entry_answer("shift-day")
    assert answer.lead == "The day shift pays $41,000–$47,000, 8 am to 4 pm."
    assert ("Hours", "8 am to 4 pm") in [(f.name, f.value) for f in answer.fields]


def test_an_amount_is_placed_in_its_ranges(engine: Engine) -> None:
    answer = engine.answer("is 55k a good salary")
    assert answer.topic == "shift-night"
    assert (
        "below the national median" not in answer.lead
        and "above the national median" in answer.lead
    )


def test_compared(engine: Engine) -> None:
    answer = engine.answer("night shift vs day shift")
    assert answer.title == "Night shift vs Day shift"
    assert "Night shift pays $11,000–$14,000 more than Day shift" in answer.lead


def test_a_kind_without_a_presenter_shows_its_figures(tmp_path: Path) -> None:
    @kind(KindSpec(label="exam", plural="exams", figures=("fee",), words=("exam",)))
    class Exam(Entry):
        kind: Literal["exam"]
        fee: Figure

    try:
        engine = small_engine(
            tmp_path,
            """
entries:
  - id: exam-cpc
    kind: exam
    name: CPC exam
    summary: The CPC exam, as the test guide describes it.
    fee: {label: Exam fee, text: "$499", low: 499, high: 499}
    source: {doc: guide, section: Exams}
""",
        )
        answer = engine.answer("CPC exam")
        assert answer.topic == "exam-cpc"
        assert answer.lead == "The CPC exam, as the test guide describes it."
        assert [(f.name, f.value) for f in answer.fields] == [("Exam fee", "$499")]
        assert engine.answer("list the exams").fields[0].value == "Exam fee: $499"
    finally:
        del KINDS["exam"]


def test_an_unregistered_kind_is_a_clear_error(tmp_path: Path) -> None:
    from bot.knowledge import KnowledgeError

    (tmp_path / "sources.yaml").write_text("sources:\n  - {id: guide, title: T, as_of: '2026'}\n")
    (tmp_path / "e.yaml").write_text(
        "entries:\n  - {id: x, kind: shift, name: X, source: {doc: guide, section: S}}\n"
    )
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    assert "field 'kind'" in str(info.value.problems[0])


def test_answer_but_is_replace() -> None:
    import dataclasses

    import pytest

    from bot.engine.answer import Answer, Field

    a = Answer("q", True, "t", "T", "lead", fields=(Field("a", "b"),), rule="one")
    assert a.but(rule="x", lead="L") == dataclasses.replace(a, rule="x", lead="L")
    assert a.but(rule="x").rule == "x" and a.rule == "one"
    with pytest.raises(TypeError):
        a.but(nope=1)
