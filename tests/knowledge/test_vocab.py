"""knowledge/vocab.yaml: validated like every other file, with word forms derived."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge.vocab import Words, inflect, plural

SHIPPED = Path(__file__).resolve().parents[2] / "knowledge"


@pytest.mark.parametrize(
    ("noun", "expected"),
    [
        ("salary", "salaries"),
        ("specialty", "specialties"),
        ("day", "days"),
        ("coach", "coaches"),
        ("tax", "taxes"),
        ("code", "codes"),
        ("niche", "niches"),
    ],
)
def test_plural(noun: str, expected: str) -> None:
    assert plural(noun) == expected


@pytest.mark.parametrize(
    ("verb", "forms"),
    [
        ("earn", ["earn", "earns", "earning", "earned"]),
        ("issue", ["issue", "issues", "issuing", "issued"]),
        ("qualify", ["qualify", "qualifies", "qualifying", "qualified"]),
        ("make/made", ["make", "makes", "making", "made"]),
        ("get/got", ["get", "gets", "getting", "got"]),
        ("switch", ["switch", "switches", "switching", "switched"]),
    ],
)
def test_verb_forms(verb: str, forms: list[str]) -> None:
    assert inflect(verb, "verb") == forms


def test_a_plain_list_is_words_as_written() -> None:
    assert Words.model_validate(["pay", "k"]).forms == {"pay", "k"}
    assert {"salary", "salaries"} <= Words(nouns=["salary"]).forms


def test_the_shipped_vocabulary_loads_with_the_knowledge_base() -> None:
    kb = load_knowledge(SHIPPED)
    assert kb.vocab is not None
    assert "earnings" in kb.vocab.intents["pay"].forms  # from the noun "earning"
    assert 2026 in kb.vocab.guide_years


def _vocab_problems(tmp_path: Path, vocab: str) -> list[str]:
    (tmp_path / "sources.yaml").write_text("sources:\n  - {id: guide, title: T, as_of: '2026'}\n")
    (tmp_path / "vocab.yaml").write_text(textwrap.dedent(vocab))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    return [str(p) for p in info.value.problems]


def test_a_broken_vocabulary_names_file_and_field(tmp_path: Path) -> None:
    shipped = (SHIPPED / "vocab.yaml").read_text()
    broken = shipped.replace("verbs: [pay/paid, earn, make/made]", "verbs: [pay, Earn Money]")
    found = _vocab_problems(tmp_path, broken)
    assert any(
        "vocab.yaml: entry 'vocab', field 'intents.pay.verbs'" in p
        and "'Earn Money': a lower-case verb" in p
        for p in found
    ), found


def test_a_vocabulary_missing_an_intent_is_refused(tmp_path: Path) -> None:
    shipped = (SHIPPED / "vocab.yaml").read_text()
    start = shipped.index("    previous:")
    end = shipped.index("    path:")
    found = _vocab_problems(tmp_path, shipped[:start] + shipped[end:])
    assert any("field 'intents'" in p and "missing intents: previous" in p for p in found), found


def test_a_key_given_twice_in_the_vocabulary_is_refused(tmp_path: Path) -> None:
    shipped = (SHIPPED / "vocab.yaml").read_text()
    twice = shipped.replace("  guide_years:", "  guide_years: [2020]\n  guide_years:")
    found = _vocab_problems(tmp_path, twice)
    assert any("field 'guide_years': key given twice" in p for p in found), found
