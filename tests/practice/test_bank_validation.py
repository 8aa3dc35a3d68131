"""The question bank is validated on load: each rule, broken once, names file, question, field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from bankkit import SECTIONS, generated_question, sample_bank_dir

from bot.knowledge import KnowledgeError
from bot.practice import load_bank


def problems_with(tmp_path: Path, **changes: object) -> list[str]:
    """Load sections.yaml plus one question file whose single question has `changes`."""
    directory = sample_bank_dir(tmp_path / "questions")
    (directory / "sample.yaml").unlink()
    item = generated_question("q-broken", "modifiers") | changes
    item = {k: v for k, v in item.items() if v is not None}
    (directory / "broken.yaml").write_text(yaml.safe_dump({"questions": [item]}))
    with pytest.raises(KnowledgeError) as info:
        load_bank(directory)
    return [str(p) for p in info.value.problems]


def test_the_fixture_bank_loads(tmp_path: Path) -> None:
    bank = load_bank(sample_bank_dir(tmp_path / "questions"))
    assert len(bank) == 6
    assert len(bank.sections) == 21
    assert bank.by_section["icd10cm"] == (
        "icd-sepsis-uti-sequencing",
        "icd-nec-meaning",
        "icd-placeholder-x",
    )
    assert bank.questions["mod-25-same-day-em"].right_option == "25"


def test_sections_without_questions_are_an_empty_bank(tmp_path: Path) -> None:
    directory = tmp_path / "questions"
    directory.mkdir()
    (directory / "sections.yaml").write_text(SECTIONS.read_text())
    assert len(load_bank(directory)) == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"options": ["a", "b", "c"]}, "options", "at least 4"),
        ({"options": ["a", "b", "c", "d", "e"]}, "options", "at most 4"),
        ({"options": ["Same", "same", "c", "d"]}, "options", "distinct"),
        ({"options": ["a", "b", "c", "All of the above"]}, "options", "All of the above"),
        ({"options": ["None of the above.", "b", "c", "d"]}, "options", "None of the above"),
        ({"options": ["a", " ", "c", "d"]}, "options", "option B is blank"),
        ({"answer": "E"}, "answer", "'A', 'B', 'C' or 'D'"),
        ({"answer": "b"}, "answer", "'A', 'B', 'C' or 'D'"),
        ({"kind": "essay"}, "kind", "'case' or 'rule'"),
        ({"difficulty": 4}, "difficulty", "less than or equal to 3"),
        ({"difficulty": 0}, "difficulty", "greater than or equal to 1"),
        ({"difficulty": "2"}, "difficulty", "valid integer"),
        ({"rationale": ""}, "rationale", "at least 1"),
        ({"source": None}, "source", "Field required"),
        ({"code_set": None}, "code_set", "Field required"),
        ({"hint": "it is B"}, "hint", "unknown field"),
        ({"id": "Not A Slug"}, "id", "should match pattern"),
        ({"section": "surgery-misc"}, "section", "unknown section 'surgery-misc'"),
    ],
)
def test_each_rule_names_file_question_and_field(
    tmp_path: Path, changes: dict[str, object], field: str, words: str
) -> None:
    [problem] = problems_with(tmp_path, **changes)
    label = "'Not A Slug'" if field == "id" else "'q-broken'"
    assert problem.startswith(f"questions/broken.yaml: entry {label}, field '{field}")
    assert words in problem


def test_duplicate_ids_across_files_name_both(tmp_path: Path) -> None:
    directory = sample_bank_dir(tmp_path / "questions")
    copy = generated_question("icd-nec-meaning", "icd10cm")
    (directory / "more.yaml").write_text(yaml.safe_dump({"questions": [copy]}))
    with pytest.raises(KnowledgeError) as info:
        load_bank(directory)
    [problem] = [str(p) for p in info.value.problems]
    assert problem == (
        "questions/sample.yaml: entry 'icd-nec-meaning', field 'id': "
        "duplicate id (also in questions/more.yaml)"
    )


def test_the_same_question_twice_is_refused(tmp_path: Path) -> None:
    directory = sample_bank_dir(tmp_path / "questions")
    twin = generated_question("icd-nec-again", "icd10cm")
    twin["question"] = "In ICD-10-CM, what does the abbreviation NEC stand for?"
    (directory / "twin.yaml").write_text(yaml.safe_dump({"questions": [twin]}))
    with pytest.raises(KnowledgeError) as info:
        load_bank(directory)
    assert [str(p) for p in info.value.problems] == [
        "questions/twin.yaml: entry 'icd-nec-again', field 'question': "
        "same question as 'icd-nec-meaning'"
    ]


def test_weights_must_add_up_to_100(tmp_path: Path) -> None:
    directory = sample_bank_dir(tmp_path / "questions")
    text = (directory / "sections.yaml").read_text().replace("weight: 8}", "weight: 9}", 1)
    (directory / "sections.yaml").write_text(text)
    with pytest.raises(KnowledgeError) as info:
        load_bank(directory)
    assert [str(p) for p in info.value.problems] == [
        "questions/sections.yaml, field 'weight': weights add up to 101, not 100"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    directory = sample_bank_dir(tmp_path / "questions")
    bad = [
        generated_question("one", "modifiers") | {"answer": "Z"},
        generated_question("two", "nowhere"),
        {"questions": "not a question"},
    ]
    (directory / "bad.yaml").write_text(yaml.safe_dump({"questions": bad}))
    (directory / "notyaml.yaml").write_text("questions: [unclosed")
    with pytest.raises(KnowledgeError) as info:
        load_bank(directory)
    found = [str(p) for p in info.value.problems]
    assert any("entry 'one', field 'answer'" in p for p in found)
    assert any("entry 'two', field 'section'" in p for p in found)
    assert any("entry '#3'" in p for p in found)
    assert any(p.startswith("questions/notyaml.yaml: invalid YAML at line") for p in found)


def test_a_file_with_another_top_level_key(tmp_path: Path) -> None:
    directory = sample_bank_dir(tmp_path / "questions")
    (directory / "tips.yaml").write_text("tips: []\n")
    with pytest.raises(KnowledgeError) as info:
        load_bank(directory)
    assert [str(p) for p in info.value.problems] == [
        "questions/tips.yaml: expected one top-level key: questions"
    ]


def test_missing_sections_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match=r"sections\.yaml: missing"):
        load_bank(tmp_path)


def test_a_tip_naming_an_unknown_section_is_reported(tmp_path: Path) -> None:
    from bankkit import ROOT

    from bot.practice import load_knowledge_and_bank

    knowledge = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("questions"))
    (knowledge / "tips.yaml").write_text(
        "tips:\n  - id: cpt-modifier-59\n    category: cpt\n    section: modifierz\n"
        "    text: Modifier 59 marks a distinct procedural service; prefer the X modifiers.\n"
    )
    sample_bank_dir(knowledge / "questions")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_and_bank(knowledge)
    assert [str(p) for p in info.value.problems] == [
        "knowledge (tips): entry 'cpt-modifier-59', field 'section': unknown section 'modifierz'"
    ]
