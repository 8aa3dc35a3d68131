"""The shipped knowledge base loads and quotes the 2026 guide exactly.

Figures are checked against the guide itself: its markdown tables are parsed straight from the
seed file, so a typo in the YAML (or a row left out) fails here. Without the seed the
guide-comparison tests are skipped; the load and coverage checks still run.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.knowledge.models import Figure

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
SEED = ROOT.parent / "shared/seed/000_cb32beebd2bb040d.txt"

# fmt: off
STATE_CODES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID",
    "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO",
    "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA",
    "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY",
})
# fmt: on
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


@pytest.fixture(scope="module")
def shipped() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


@pytest.fixture(scope="module")
def guide() -> str:
    if not SEED.is_file():
        pytest.skip(f"guide not found at {SEED}")
    return SEED.read_text(encoding="utf-8")


def _tables(text: str) -> dict[tuple[str, ...], list[list[str]]]:
    """Every markdown table in the guide, keyed by its header row."""
    found: dict[tuple[str, ...], list[list[str]]] = {}
    block: list[list[str]] = []
    for line in [*text.splitlines(), ""]:
        if line.strip().startswith("|"):
            block.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if block:
            header, _separator, *rows = block
            assert tuple(header) not in found, f"two tables with header {header}"
            found[tuple(header)] = rows
            block = []
    return found


def _table(guide: str, *header: str) -> list[list[str]]:
    tables = _tables(guide)
    assert header in tables, f"no table with header {header} in the guide"
    rows = tables[header]
    assert rows, f"table {header} has no rows"
    return rows


def _numbers(text: str) -> list[float]:
    return [float(n.replace(",", "")) for n in _NUMBER.findall(text)]


def _assert_figure(fig: Figure, cell: str, where: str) -> None:
    assert fig.text == cell, f"{where}: {fig.text!r} != guide {cell!r}"
    numbers = _numbers(cell)
    assert fig.low == numbers[0], f"{where}: low {fig.low} != {numbers[0]}"
    assert fig.high == numbers[-1], f"{where}: high {fig.high} != {numbers[-1]}"
    assert fig.open_ended == ("+" in cell), f"{where}: open_ended wrong for {cell!r}"


def _figures(entry: object) -> list[Figure]:
    fields = (getattr(entry, k, None) for k in ("salary", "share", "experience"))
    return [*entry.facts, *(f for f in fields if f is not None)]


def _by_name(kb: KnowledgeBase, kind: str) -> dict[str, object]:
    return {e.name: e for e in kb.of_kind(kind)}


# -- loading and coverage ----------------------------------------------------------------------
def test_loads_without_problems(shipped):
    kinds = {k: len(shipped.of_kind(k)) for k in ("state", "credential", "specialty")}
    assert kinds == {"state": 51, "credential": 12, "specialty": 10}
    assert len(shipped.of_kind("career_level")) == 7
    assert len(shipped.of_kind("alt_career")) == 6
    assert len(shipped.of_kind("cert_status")) == 6
    assert len(shipped.of_kind("experience_band")) == 4
    assert len(shipped.of_kind("work_model")) == 3


def test_every_state_and_dc_exists_once(shipped):
    states = shipped.of_kind("state")
    codes = [s.code for s in states]
    assert sorted(codes) == sorted(STATE_CODES)
    assert len({s.name for s in states}) == 51
    for state in states:
        assert state.id == f"state-{state.code.lower()}"
        # A postal code lives in `code`; as an alias it would match ordinary words.
        assert state.code.lower() not in {a.lower() for a in state.aliases}
    ranked = [s for s in states if s.salary is not None]
    assert len(ranked) == 15
    assert {s.tier for s in ranked} == {"top", "lowest"}
    assert shipped.entries["state-dc"].name == "Washington D.C."
    assert shipped.entries["state-wa"].name == "Washington"


def test_figures_are_consistent(shipped):
    for entry in shipped.entries.values():
        for fig in _figures(entry):
            assert fig.unit is not None, f"{entry.id}: {fig.label} has no unit"
            assert fig.low is not None and fig.high is not None, f"{entry.id}: {fig.label}"
            assert fig.open_ended == ("+" in fig.text), f"{entry.id}: {fig.text!r} open_ended"


# -- against the guide ---------------------------------------------------------------------------
def test_every_figure_is_quoted_from_the_guide(shipped, guide):
    for entry in shipped.entries.values():
        for fig in _figures(entry):
            assert fig.text in guide, f"{entry.id}: {fig.text!r} is not in the guide"


def test_every_source_section_is_a_guide_heading(shipped, guide):
    lines = set(guide.splitlines())
    for entry in shipped.entries.values():
        assert entry.source.doc == "guide-2026"
        section = entry.source.section
        # A table under a sub-heading is cited as "Heading — Sub-heading".
        assert section in lines or all(p in lines for p in section.split(" — ")), entry.id


def test_top_states_match_the_guide(shipped, guide):
    rows = _table(guide, "Rank", "State", "Mean Annual Salary", "Notes")
    assert len(rows) == 10
    states = _by_name(shipped, "state")
    for rank, name, salary, notes in rows:
        state = states[name]
        assert state.rank == int(rank) and state.tier == "top", name
        assert state.salary.label == "Mean annual salary"
        _assert_figure(state.salary, salary, name)
        assert state.notes == notes, name
        assert state.source.section.endswith("Top 10 Highest-Paying States")


def test_lowest_states_match_the_guide(shipped, guide):
    rows = _table(guide, "Rank", "State", "Mean Annual Salary")
    assert len(rows) == 5
    states = _by_name(shipped, "state")
    for rank, name, salary in rows:
        state = states[name]
        assert state.rank == int(rank) and state.tier == "lowest", name
        _assert_figure(state.salary, salary, name)
        assert state.source.section.endswith("Lowest-Paying States")


def test_unranked_states_carry_no_figure(shipped, guide):
    named = {r[1] for r in _table(guide, "Rank", "State", "Mean Annual Salary", "Notes")}
    named |= {r[1] for r in _table(guide, "Rank", "State", "Mean Annual Salary")}
    for state in shipped.of_kind("state"):
        if state.name not in named:
            assert state.salary is None and state.rank is None and state.tier is None
            assert state.notes is None


def test_national_overview_matches_the_guide(shipped, guide):
    rows = dict(_table(guide, "Metric", "Amount"))
    facts = {f.label.lower(): f for f in shipped.entries["topic-national"].facts}
    metrics = ("Median Annual Salary", "Median Hourly Wage", "Average Annual Salary", "Top 10%")
    for metric in metrics:
        _assert_figure(facts[metric.lower()], rows[metric], metric)
    bands = _by_name(shipped, "experience_band")
    assert set(bands) == {m for m in rows if "(" in m or m == "Top 10%"}
    for name, band in bands.items():
        _assert_figure(band.salary, rows[name], name)


def test_cert_status_rows_match_the_guide(shipped, guide):
    rows = _table(guide, "Certification Status", "Average Salary", "Job Access")
    entries = _by_name(shipped, "cert_status")
    assert set(entries) == {r[0] for r in rows}
    for name, salary, access in rows:
        _assert_figure(entries[name].salary, salary, name)
        assert entries[name].job_access == access, name


def test_specialty_rows_match_the_guide(shipped, guide):
    rows = _table(guide, "Specialty", "Salary Range", "Certification", "Demand Level")
    entries = _by_name(shipped, "specialty")
    assert set(entries) == {r[0] for r in rows}
    for name, salary, certification, demand in rows:
        spec = entries[name]
        _assert_figure(spec.salary, salary, name)
        assert spec.certification == certification, name
        assert spec.demand == demand, name
        for cred_id in spec.credentials:
            assert shipped.entries[cred_id].abbreviation in certification, (name, cred_id)


def test_career_levels_match_the_guide(shipped, guide):
    rows = _table(guide, "Level", "Title", "Salary Range", "Experience", "Key Skills")
    levels = {e.level: e for e in shipped.of_kind("career_level")}
    assert set(levels) == {int(r[0]) for r in rows}
    for level, title, salary, experience, skills in rows:
        entry = levels[int(level)]
        assert entry.name == title
        _assert_figure(entry.salary, salary, title)
        _assert_figure(entry.experience, experience, title)
        assert entry.experience.unit == "years"
        assert ", ".join(entry.skills) == skills, title


def test_alt_careers_match_the_guide(shipped, guide):
    rows = _table(guide, "Career", "How to Get There", "Salary")
    entries = _by_name(shipped, "alt_career")
    assert set(entries) == {r[0] for r in rows}
    for name, path, salary in rows:
        _assert_figure(entries[name].salary, salary, name)
        assert entries[name].path == path, name


def test_work_models_match_the_guide(shipped, guide):
    rows = _table(guide, "Work Model", "% of Coding Jobs", "Salary Impact")
    entries = _by_name(shipped, "work_model")
    assert set(entries) == {r[0] for r in rows}
    for name, share, impact in rows:
        _assert_figure(entries[name].share, share, name)
        assert entries[name].salary_impact == impact, name


def test_outlook_matches_the_guide(shipped, guide):
    rows = dict(_table(guide, "Metric", "Data"))
    facts = {f.label: f.text for f in shipped.entries["topic-outlook"].facts}
    assert facts["Projected growth"] == rows["Projected Growth"]
    assert facts["Annual openings"] == rows["Annual Openings"]
    assert facts["Current employment"] == rows["Current Employment"]


def test_credentials_appear_in_the_guide(shipped, guide):
    for cred in shipped.of_kind("credential"):
        assert re.search(rf"\b{cred.abbreviation}\b", guide), cred.abbreviation
        # Only the bodies the guide itself names.
        assert cred.issuer in {None, "AAPC", "AHIMA"}
        if cred.issuer:
            assert f"{cred.abbreviation} ({cred.issuer})" in guide, cred.abbreviation


def test_plan_stages_quote_the_guides_steps(shipped, guide):
    bullets = {line[2:] for line in guide.splitlines() if line.startswith("- ")}
    stages = shipped.of_kind("plan_stage")
    assert [s.years.text for s in sorted(stages, key=lambda s: s.years.low)] == [
        "Year 1–2",
        "Year 2–5",
        "Year 5+",
    ]
    for stage in stages:
        assert f"{stage.years.text}: {stage.stage}" in guide.splitlines(), stage.id
        for step in stage.steps:
            assert step in bullets, (stage.id, step)


def test_every_expansion_is_in_the_guide(shipped, guide):
    for entry in shipped.entries.values():
        for abbreviation, full in entry.expansions.items():
            assert abbreviation in guide and full in guide, (entry.id, abbreviation)


def test_every_reason_is_the_guides(shipped, guide):
    flat = " ".join(guide.split())
    for entry in shipped.entries.values():
        if entry.why:
            first = " ".join(entry.why.split())[:40]
            assert first in flat, (entry.id, first)


def test_every_body_and_what_it_covers_is_the_guides(shipped, guide):
    lowered = guide.lower()
    for entry in shipped.entries.values():
        for body, covers in entry.bodies.items():
            assert body in guide and covers.lower() in lowered, (entry.id, body)
