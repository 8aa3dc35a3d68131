"""Generated from the knowledge base itself: every row is found by its name, by each alias and
by a misspelling, and its figures appear in the answer."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.knowledge import load_knowledge

KB = load_knowledge(Path(__file__).resolve().parents[2] / "knowledge")
ENTRIES = list(KB.entries.values())


def misspell(name: str) -> str | None:
    """Swap two letters in the middle of the name's longest word (a typical typo)."""
    words = name.split()
    longest = max(words, key=len)
    if len(longest) < 7 or not longest.isalpha():
        return None
    mid = len(longest) // 2
    typo = longest[:mid] + longest[mid + 1] + longest[mid] + longest[mid + 2 :]
    if typo.lower() == longest.lower():
        typo = longest[:mid] + longest[mid + 1 :]
    return name.replace(longest, typo, 1)


def involved(answer, entry_id: str) -> bool:
    return answer.topic == entry_id or entry_id in answer.entries


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_found_by_name_with_its_figures(engine: Engine, entry):
    answer = engine.answer(entry.name)
    assert answer.answered, answer.text
    assert answer.topic == entry.id, (entry.name, answer.topic)
    for figure in entry.figures():
        assert figure.text in answer.text, (figure.text, answer.text)
    assert answer.sources


ALIASES = [(e, alias) for e in ENTRIES for alias in e.aliases]


@pytest.mark.parametrize(("entry", "alias"), ALIASES, ids=[f"{e.id}:{a}" for e, a in ALIASES])
def test_found_by_alias(engine: Engine, entry, alias):
    answer = engine.answer(alias)
    assert answer.answered, answer.text
    assert answer.topic == entry.id, (alias, answer.topic)


TYPOS = [(e, t) for e in ENTRIES if (t := misspell(e.name))]


@pytest.mark.parametrize(("entry", "typo"), TYPOS, ids=[f"{e.id}:{t}" for e, t in TYPOS])
def test_found_by_misspelling(engine: Engine, entry, typo):
    answer = engine.answer(typo)
    assert answer.answered, (typo, answer.text)
    assert involved(answer, entry.id), (typo, answer.topic)


STATES = [e for e in ENTRIES if e.kind == "state"]


@pytest.mark.parametrize("state", STATES, ids=lambda e: e.id)
def test_state_by_postal_code_in_a_question(engine: Engine, state):
    answer = engine.answer(f"what do coders earn in {state.code}?")
    assert answer.topic == state.id, answer.text
    if state.salary is not None:
        assert state.salary.text in answer.text
    else:
        assert f"no salary figure for {state.name}" in answer.text
        assert "$48,780" in answer.text  # the national median is offered instead


@pytest.mark.parametrize("state", STATES, ids=lambda e: e.id)
def test_state_by_name_in_a_pay_question(engine: Engine, state):
    answer = engine.answer(f"medical coder salary in {state.name.lower()}")
    assert answer.topic == state.id, answer.text
    if state.salary is None:
        # Honest: no invented figure for the state itself.
        assert f"no salary figure for {state.name}" in answer.text


TEMPLATES = (
    "best {}",
    "list {}",
    "why {}",
    "what does {} stand for",
    "how much more than {}",
    "{} vs the median",
    "who issues {}",
    "what should i do after {}",
    "{} and what comes next",
)


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_entry_under_every_kind_of_question_gets_words_not_internals(
    engine: Engine, template: str
):
    # Each rule reads entries its own way; none may show a Python object or fail.
    for entry in ENTRIES:
        text = engine.answer(template.format(entry.name)).text
        for internal in ("<bound method", " object at 0x", "Traceback", "something went wrong"):
            assert internal not in text, (template.format(entry.name), text[:200])
