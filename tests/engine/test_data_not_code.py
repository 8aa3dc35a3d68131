"""Knowledge is data: the code names no entry of the knowledge base, and the answer says which
routing rule produced it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.engine.rules import ROUTES
from bot.knowledge import KnowledgeBase

BOT = Path(__file__).resolve().parents[2] / "bot"


def test_no_entry_id_appears_in_the_code(kb: KnowledgeBase) -> None:
    code = {p: p.read_text(encoding="utf-8") for p in BOT.rglob("*.py")}
    found = [
        f"{path.relative_to(BOT.parent)}: {entry_id}"
        for entry_id in kb.entries
        for path, text in code.items()
        if re.search(rf"(?<![\w-]){re.escape(entry_id)}(?![\w-])", text)
    ]
    assert found == []


def test_every_engine_module_is_small_enough_to_read_whole() -> None:
    # Issue 10's bound: round two grew matcher.py to 734 lines before anyone noticed.
    long = {
        p.name: n
        for p in (BOT / "engine").glob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert long == {}


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("hello", "greeting"),
        ("what is CPT code 99214", "code-lookup"),
        ("which employer pays the best", "uncovered-ranking"),
        ("how much do nurses make", "off-domain"),
        ("highest paying state", "ranking"),
        ("CPC vs CCS", "several"),
        ("what does CRC pay", "one"),
        ("is 45k good", "amount"),
        ("pay with 5 years of experience", "years"),
        ("does experience matter", "intent-list"),
        ("list the specialties", "kind-list"),
        ("when do I use modifier 25", "study-tip"),
        ("asdfghjkl qwerty", "nothing"),
        ("", "empty"),
    ],
)
def test_the_answer_names_the_rule_that_gave_it(engine: Engine, question: str, rule: str) -> None:
    answer = engine.answer(question)
    assert answer.rule == rule, (question, answer.title)
    assert answer.to_json()["rule"] == rule


def test_every_rule_has_a_unique_name() -> None:
    names = [r.name for r in ROUTES]
    assert len(names) == len(set(names))
    assert ROUTES[-1].name == "nothing"  # the last rule always answers
