"""The JSON Schema of the knowledge files, from the same models the loader validates with.

Editors with a YAML language server check entries as they are typed once pointed at
`knowledge/knowledge.schema.json` for `knowledge/*.yaml` (VS Code: the `yaml.schemas` setting;
or a `# yaml-language-server: $schema=knowledge.schema.json` first line). Regenerate it with
`medcode-bot schema` after changing a model; a test fails while it is out of date.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Field, create_model

from bot.knowledge.models import KINDS, Source, Tip
from bot.knowledge.vocab import Vocab

SCHEMA_FILE = "knowledge.schema.json"


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourcesFile(_File):
    sources: list[Source] = Field(min_length=1)


class TipsFile(_File):
    tips: list[Tip] = Field(min_length=1)


class VocabFile(_File):
    vocab: Vocab


def _entries_file() -> type[BaseModel]:
    union = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
    return create_model(
        "EntriesFile",
        __base__=_File,
        entries=(list[union], Field(min_length=1)),  # type: ignore[valid-type]
    )


def knowledge_schema() -> dict[str, Any]:
    """One schema for every knowledge file: exactly one of entries, sources, tips or vocab."""
    files: list[type[BaseModel]] = [_entries_file(), SourcesFile, TipsFile, VocabFile]
    defs: dict[str, Any] = {}
    choices = []
    for model in files:
        schema = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        defs[model.__name__] = schema
        choices.append({"$ref": f"#/$defs/{model.__name__}"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "medcode-bot knowledge file",
        "description": "One of knowledge/*.yaml: entries, sources, tips or vocab.",
        "oneOf": choices,
        "$defs": dict(sorted(defs.items())),
    }


def schema_json() -> str:
    return json.dumps(knowledge_schema(), indent=2, ensure_ascii=False) + "\n"
