"""The JSON Schema editors point at (knowledge/knowledge.schema.json) is the models' own."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.knowledge.schema import SCHEMA_FILE, knowledge_schema

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"


def test_the_shipped_schema_file_matches_the_models() -> None:
    shipped = json.loads((KNOWLEDGE / SCHEMA_FILE).read_text(encoding="utf-8"))
    assert shipped == knowledge_schema(), "run `medcode-bot schema` to regenerate it"


@pytest.mark.parametrize("path", sorted(KNOWLEDGE.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_file_passes_the_schema(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(knowledge_schema())
    errors = [e.message[:200] for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


def test_the_schema_catches_what_the_loader_refuses() -> None:
    validator = jsonschema.Draft202012Validator(knowledge_schema())
    entry = {"id": "x", "kind": "state", "name": "X", "code": "XX"}
    entry["source"] = {"doc": "guide", "section": "S"}
    assert not list(validator.iter_errors({"entries": [entry]}))
    assert list(validator.iter_errors({"entries": [{**entry, "colour": "red"}]}))
    assert list(validator.iter_errors({"entries": [{**entry, "kind": "planet"}]}))
    assert list(validator.iter_errors({"things": []}))
