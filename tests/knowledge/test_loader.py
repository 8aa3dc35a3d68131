"""Broken knowledge files: each validation rule names the file, the entry and the field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, load_knowledge

SOURCES = """
sources:
  - id: guide-2026
    title: Test guide
    as_of: "2026"
"""

GOOD = """
entries:
  - id: state-ca
    kind: state
    name: California
    code: CA
    rank: 2
    tier: top
    salary: {label: Mean annual salary, text: "$62,300", low: 62300, high: 62300, unit: usd_year}
    source: {doc: guide-2026, section: States}
  - id: spec-er
    kind: specialty
    name: Emergency Department
    aliases: [ER]
    salary: {label: Salary range, text: "$48,000–$60,000", low: 48000, high: 60000, unit: usd_year}
    certification: CPC + CEDC
    demand: High
    source: {doc: guide-2026, section: Specialties}
"""


def write_kb(tmp_path: Path, entries: str, **extra: str) -> Path:
    (tmp_path / "sources.yaml").write_text(textwrap.dedent(SOURCES))
    (tmp_path / "entries.yaml").write_text(textwrap.dedent(entries))
    for name, text in extra.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return tmp_path


def problems(tmp_path: Path, entries: str, **extra: str) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(write_kb(tmp_path, entries, **extra))
    return [str(p) for p in info.value.problems]


def test_good_files_load(tmp_path):
    kb = load_knowledge(write_kb(tmp_path, GOOD))
    assert set(kb.entries) == {"state-ca", "spec-er"}
    assert "2 entries" in kb.summary()


def test_invalid_yaml_names_file_and_line(tmp_path):
    found = problems(tmp_path, GOOD + "\n  - id: [unclosed\n")
    assert len(found) == 1
    assert "entries.yaml" in found[0] and "invalid YAML at line" in found[0]


def test_unknown_field(tmp_path):
    found = problems(tmp_path, GOOD.replace("demand: High", "demand: High\n    colour: red"))
    assert len(found) == 1
    assert found[0].endswith("entries.yaml: entry 'spec-er', field 'colour': unknown field")


def test_missing_field(tmp_path):
    found = problems(tmp_path, GOOD.replace("    demand: High\n", ""))
    assert any("entry 'spec-er'" in p and "field 'demand'" in p and "required" in p for p in found)


def test_low_above_high(tmp_path):
    bad = GOOD.replace("low: 48000, high: 60000", "low: 60000, high: 48000").replace(
        "$48,000–$60,000", "$60,000–$48,000"
    )
    found = problems(tmp_path, bad)
    assert any("spec-er" in p and "field 'salary'" in p and "exceeds high" in p for p in found)


def test_figure_number_must_appear_in_text(tmp_path):
    found = problems(tmp_path, GOOD.replace("low: 62300, high: 62300", "low: 62000, high: 62300"))
    assert any("state-ca" in p and "62,000 does not appear" in p for p in found)


def test_duplicate_id(tmp_path):
    dup = GOOD.replace("id: spec-er", "id: state-ca").replace("[ER]", "[ER room]")
    found = problems(tmp_path, dup)
    assert any("entry 'state-ca', field 'id'" in p and "duplicate id" in p for p in found)


def test_alias_claimed_by_two_entries(tmp_path):
    # Case and punctuation do not make a different alias.
    clash = GOOD.replace("aliases: [ER]", "aliases: [ER, 'CALIFORNIA!']")
    found = problems(tmp_path, clash)
    assert any(
        "entry 'spec-er', field 'aliases'" in p and "already claimed by entry 'state-ca'" in p
        for p in found
    )


def test_unknown_reference(tmp_path):
    found = problems(
        tmp_path, GOOD.replace("demand: High", "demand: High\n    related: [topic-nope]")
    )
    assert any("spec-er" in p and "field 'related'" in p and "topic-nope" in p for p in found)


def test_unknown_source(tmp_path):
    found = problems(
        tmp_path, GOOD.replace("{doc: guide-2026, section: States}", "{doc: blog, section: S}")
    )
    assert any("state-ca" in p and "source.doc" in p and "'blog'" in p for p in found)


def test_unknown_kind(tmp_path):
    found = problems(tmp_path, GOOD.replace("kind: specialty", "kind: speciality"))
    assert any("spec-er" in p and "field 'kind'" in p for p in found)


def test_rank_without_salary(tmp_path):
    bad = GOOD.replace(
        '    salary: {label: Mean annual salary, text: "$62,300", low: 62300, high: 62300, unit: usd_year}\n',
        "",
    )
    found = problems(tmp_path, bad)
    assert any("state-ca" in p and "rank and salary go together" in p for p in found)


def test_wrong_top_level_key(tmp_path):
    found = problems(tmp_path, GOOD, **{"extra.yaml": "things: []\n"})
    assert any("extra.yaml" in p and "one top-level key" in p for p in found)


def test_empty_file(tmp_path):
    found = problems(tmp_path, GOOD, **{"empty.yaml": ""})
    assert any("empty.yaml" in p for p in found)


def test_every_problem_is_reported_not_just_the_first(tmp_path):
    bad = GOOD.replace("demand: High", "demand: High\n    colour: red").replace(
        "code: CA", "code: California"
    )
    found = problems(tmp_path, bad)
    assert len(found) >= 2


def test_tip_too_long(tmp_path):
    tips = "tips:\n  - id: t1\n    category: exam\n    text: " + "x" * 800 + "\n"
    found = problems(tmp_path, GOOD, **{"tips.yaml": tips})
    assert any("tips.yaml" in p and "entry 't1'" in p and "field 'text'" in p for p in found)


def test_missing_directory(tmp_path):
    with pytest.raises(KnowledgeError, match="not a directory"):
        load_knowledge(tmp_path / "nope")


def test_a_broken_file_is_reported_once_not_again_by_every_reference_to_it(tmp_path):
    other = """
entries:
  - id: topic-x
    kind: topic
    name: X
    related: [state-ca]
    source: {doc: guide-2026, section: S}
"""
    found = problems(tmp_path, GOOD + "\n  - id: [unclosed\n", **{"other.yaml": other})
    assert len(found) == 1 and "invalid YAML" in found[0]


def test_a_reference_to_an_invalid_entry_is_not_reported_twice(tmp_path):
    bad = GOOD.replace("demand: High", "demand: High\n    colour: red").replace(
        "    certification: CPC + CEDC\n",
        "    certification: CPC + CEDC\n    related: [state-ca]\n",
    )
    other = """
entries:
  - id: topic-x
    kind: topic
    name: X
    related: [spec-er]
    source: {doc: guide-2026, section: S}
"""
    found = problems(tmp_path, bad, **{"other.yaml": other})
    assert len(found) == 1 and "'colour'" in found[0]


# -- files that must not hurt the bot (../shared/notes/reliability-review.md) ---------------------
def test_figure_numbers_are_compared_as_numbers_not_substrings(tmp_path):
    # D4: "low: 5000" passed for "$55,000–$72,000" because "5,000" is inside "$55,000".
    for low in ("5000", "55", "5"):
        bad = GOOD.replace('"$48,000–$60,000", low: 48000', f'"$55,000–$60,000", low: {low}')
        found = problems(tmp_path, bad)
        assert any("spec-er" in p and "does not appear in text" in p for p in found), low
    good = GOOD.replace('"$48,000–$60,000", low: 48000', '"$55,000–$60,000", low: 55000')
    assert load_knowledge(write_kb(tmp_path, good)).entries["spec-er"].salary.low == 55000


def test_a_key_given_twice_in_an_entry_names_file_entry_and_key(tmp_path):
    # D5: the later value silently won.
    twice = GOOD.replace("    demand: High\n", "    demand: High\n    certification: CPC\n")
    found = problems(tmp_path, twice)
    assert len(found) == 1
    assert "entries.yaml: entry 'spec-er', field 'certification': key given twice" in found[0]


def test_a_key_given_twice_deeper_down_is_named_with_its_path(tmp_path):
    twice = GOOD.replace("low: 62300, high: 62300", "low: 62300, high: 62300, low: 1")
    found = problems(tmp_path, twice)
    assert any("entry 'state-ca', field 'salary.low': key given twice" in p for p in found)


BOMB = """
entries:
  - id: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]
    kind: topic
    name: b
    source: {doc: guide-2026, section: S}
    keywords: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    points: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    related: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
    facts: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
    summary: [*e, *e, *e, *e, *e, *e, *e, *e, *e]
"""


def test_a_yaml_alias_bomb_is_refused_before_it_expands(tmp_path):
    # D3: a 389-byte file exhausted 4 GB in validate and froze /kb reload for 35 s.
    found = problems(tmp_path, GOOD, **{"bomb.yaml": BOMB})
    assert len([p for p in found if "bomb.yaml" in p]) == 1
    assert any("bomb.yaml" in p and "aliases would expand" in p for p in found)


def test_one_long_string_repeated_by_aliases_is_refused(tmp_path):
    # Each use of a shared string is more text for every later step to read.
    tips = "tips:\n  - {id: t0, category: cpt, text: &long " + "x" * 200 + "}\n"
    tips += "".join(f"  - {{id: t{i}, category: cpt, text: *long}}\n" for i in range(1, 10_002))
    found = problems(tmp_path, GOOD, **{"many.yaml": tips})
    assert any("many.yaml" in p and "aliases would expand" in p for p in found)


def test_a_few_shared_aliases_are_fine(tmp_path):
    shared = GOOD.replace("    aliases: [ER]\n", "    aliases: &er [ER, emergency room]\n")
    kb = load_knowledge(write_kb(tmp_path, shared))
    assert kb.entries["spec-er"].aliases == ["ER", "emergency room"]


def test_a_self_referencing_alias_is_refused(tmp_path):
    found = problems(tmp_path, GOOD, **{"loop.yaml": "entries: &a [*a]\n"})
    assert any("loop.yaml" in p for p in found)


def test_a_file_too_large_is_refused_unread(tmp_path, monkeypatch):
    from bot.knowledge import yamlfile

    monkeypatch.setattr(yamlfile, "MAX_FILE_BYTES", 1000)
    found = problems(tmp_path, GOOD, **{"big.yaml": "tips: []\n" + "#" * 2000 + "\n"})
    assert any("big.yaml" in p and "larger than 1,000 bytes" in p for p in found)


@pytest.mark.parametrize("case", ["dangling", "directory", "loop"])
def test_an_unreadable_yaml_name_is_reported_not_skipped(tmp_path, case):
    # D6: each of these was skipped without a word ("OK ... 0 tips").
    kb_dir = write_kb(tmp_path, GOOD)
    target = kb_dir / "tips.yaml"
    if case == "dangling":
        target.symlink_to(kb_dir / "nowhere.yaml")
    elif case == "directory":
        target.mkdir()
    else:
        target.symlink_to(kb_dir / "other.yaml")
        (kb_dir / "other.yaml").symlink_to(target)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(kb_dir)
    found = [str(p) for p in info.value.problems]
    assert any("tips.yaml" in p and "cannot read file" in p for p in found), found


def test_a_role_is_held_by_one_entry_only(tmp_path):
    both = GOOD.replace("    code: CA\n", "    code: CA\n    roles: [national]\n").replace(
        "    aliases: [ER]\n", "    aliases: [ER]\n    roles: [national]\n"
    )
    found = problems(tmp_path, both)
    assert any(
        "entry 'spec-er', field 'roles'" in p and "already held by entry 'state-ca'" in p
        for p in found
    )


def test_an_unknown_role_is_a_field_error(tmp_path):
    found = problems(tmp_path, GOOD.replace("    code: CA\n", "    code: CA\n    roles: [boss]\n"))
    assert any("entry 'state-ca', field 'roles.0'" in p for p in found)


def test_a_demand_level_must_be_one_the_vocabulary_orders(tmp_path):
    vocab = (Path(__file__).resolve().parents[2] / "knowledge/vocab.yaml").read_text()
    found = problems(
        tmp_path, GOOD.replace("demand: High", "demand: Sky High"), **{"vocab.yaml": vocab}
    )
    assert any("entry 'spec-er', field 'demand'" in p and "not a demand level" in p for p in found)
