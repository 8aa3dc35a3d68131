"""Load `knowledge/questions/` into a QuestionBank; every problem names file, question, field."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

# The knowledge base's reader and error shape: one report format for both halves of knowledge/.
from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.knowledge.reading import (
    KnowledgeError,
    Problem,
    display_name,
    duplicate_keys,
    item_label,
    problems_from,
)
from bot.knowledge.text import normalize
from bot.knowledge.yamlfile import read_yaml
from bot.practice.bank import QuestionBank
from bot.practice.models import Question, Section

log = logging.getLogger(__name__)

SECTIONS_FILE = "sections.yaml"
TOTAL_WEIGHT = 100  # the exam's 100 scored questions
_SECTION = TypeAdapter(Section)
_QUESTION = TypeAdapter(Question)


def load_bank(directory: Path | str) -> QuestionBank:
    """Validate `sections.yaml` and every other `*.yaml` of `directory` (each `questions: [...]`).

    Raises KnowledgeError listing every problem. A folder with sections and no questions yet is
    a valid, empty bank, and so is no folder at all.
    """
    root = Path(directory)
    if not root.exists():  # a knowledge base without a question bank: nothing to practise
        return QuestionBank(sections={}, questions={})
    if not (root / SECTIONS_FILE).is_file():
        raise KnowledgeError([Problem(f"{root.name}/{SECTIONS_FILE}", None, None, "missing")])
    problems: list[Problem] = []
    sections = _load_sections(root, problems)
    questions: dict[str, tuple[str, Question]] = {}
    paths = sorted(
        p
        for p in root.iterdir()
        if p.suffix in {".yaml", ".yml"} and p.is_file() and p.name != SECTIONS_FILE
    )
    for path in paths:
        _load_questions(path, root, sections, questions, problems)
    if problems:
        raise KnowledgeError(problems)
    bank = QuestionBank(
        sections=sections,
        questions={qid: q for qid, (_, q) in questions.items()},
        files=(root / SECTIONS_FILE, *paths),
    )
    log.debug("Loaded question bank: %s", bank.summary())
    return bank


def _items(path: Path, root: Path, key: str, problems: list[Problem]) -> tuple[str, list[Any]]:
    """The file's list under `key`, read as the knowledge base is (alias bombs and oversized
    files refused, a key given twice in an item reported by item and key)."""
    display = display_name(path, root)
    file, refused = read_yaml(path, display)
    if file is None:
        problems.append(Problem(display, None, None, refused or "unreadable"))
        return display, []
    raw = file.raw
    if not isinstance(raw, dict) or list(raw) != [key]:
        problems.append(Problem(display, None, None, f"expected one top-level key: {key}"))
        return display, []
    items = raw[key]
    if not isinstance(items, list) or not items:
        problems.append(Problem(display, None, key, "must be a non-empty list"))
        return display, []
    for index, item in enumerate(items):
        for where, message in duplicate_keys(file, item):
            problems.append(Problem(display, item_label(item, index), where, message))
    return display, items


def _load_sections(root: Path, problems: list[Problem]) -> dict[str, Section]:
    display, items = _items(root / SECTIONS_FILE, root, "sections", problems)
    sections: dict[str, Section] = {}
    for index, item in enumerate(items):
        try:
            section = _SECTION.validate_python(item)
        except ValidationError as exc:
            problems += problems_from(exc, display, item, index)
            continue
        if section.id in sections:
            problems.append(Problem(display, section.id, "id", "duplicate section id"))
        sections[section.id] = section
    total = sum(s.weight for s in sections.values())
    if items and len(sections) == len(items) and total != TOTAL_WEIGHT:
        problems.append(
            Problem(display, None, "weight", f"weights add up to {total}, not {TOTAL_WEIGHT}")
        )
    return sections


def _load_questions(
    path: Path,
    root: Path,
    sections: dict[str, Section],
    questions: dict[str, tuple[str, Question]],
    problems: list[Problem],
) -> None:
    display, items = _items(path, root, "questions", problems)
    texts = {normalize(q.question): qid for qid, (_, q) in questions.items()}
    for index, item in enumerate(items):
        try:
            question = _QUESTION.validate_python(item)
        except ValidationError as exc:
            problems += problems_from(exc, display, item, index)
            continue
        if sections and question.section not in sections:
            problems.append(
                Problem(display, question.id, "section", f"unknown section {question.section!r}")
            )
        if question.id in questions:
            other = questions[question.id][0]
            problems.append(Problem(display, question.id, "id", f"duplicate id (also in {other})"))
            continue
        text = normalize(question.question)
        if text in texts:
            problems.append(
                Problem(display, question.id, "question", f"same question as {texts[text]!r}")
            )
        texts[text] = question.id
        questions[question.id] = (display, question)


def questions_dir_of(knowledge_dir: Path) -> Path:
    """Where the bank lives by default: `questions/` inside the knowledge base."""
    return Path(knowledge_dir) / "questions"


def load_knowledge_and_bank(
    knowledge_dir: Path | str, questions_dir: Path | str | None = None
) -> tuple[KnowledgeBase, QuestionBank]:
    """Both halves of `knowledge/`, validated together: every problem of either is reported
    in one KnowledgeError, so `validate` and `/kb reload` show them all at once."""
    problems: list[Problem] = []
    kb = bank = None
    try:
        kb = load_knowledge(knowledge_dir)
    except KnowledgeError as exc:
        problems += exc.problems
    try:
        bank = load_bank(questions_dir or questions_dir_of(Path(knowledge_dir)))
    except KnowledgeError as exc:
        problems += exc.problems
    if kb is not None and bank is not None and bank.sections:
        problems += [
            Problem(
                f"{Path(knowledge_dir).name} (tips)",
                tip.id,
                "section",
                f"unknown section {tip.section!r}",
            )
            for tip in kb.tips
            if tip.section is not None and tip.section not in bank.sections
        ]
    if problems or kb is None or bank is None:
        raise KnowledgeError(problems)
    return kb, bank
