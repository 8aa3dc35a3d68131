"""How a problem in a file of knowledge/ is reported, shared by the knowledge base's loader
and the question bank's: every problem names the file, the entry (its id, else its place in
the list) and the field, and one KnowledgeError lists them all."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.knowledge.yamlfile import YamlFile


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f": entry {self.entry!r}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


class KnowledgeError(Exception):
    """The knowledge base did not load; `problems` lists every error found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        lines = "\n".join(f"- {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the knowledge base:\n{lines}")


def display_name(path: Path, root: Path) -> str:
    """How a problem names a file: from the folder it was loaded from, e.g. knowledge/tips.yaml."""
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    return f"{root.name}/{name}"


def item_label(item: Any, index: int) -> str:
    """How a problem names a list item: its id when that is a short string, else its place."""
    ident = item.get("id") if isinstance(item, dict) else None
    if isinstance(ident, str) and ident:
        return ident[:80]
    return f"#{index + 1}"


def duplicate_keys(
    file: YamlFile, value: Any, path: tuple[str, ...] = ()
) -> Iterator[tuple[str, str]]:
    """(field, message) for each key given twice in a mapping of `value`, recursively."""
    if not file.duplicates:  # the usual file: no key given twice anywhere in it
        return
    if isinstance(value, dict):
        for key, line in file.duplicates.get(id(value), []):
            yield ".".join((*path, key)), f"key given twice (again at line {line})"
        for key, child in value.items():
            yield from duplicate_keys(file, child, (*path, str(key)[:80]))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from duplicate_keys(file, child, (*path, str(index)))


def problems_from(err: ValidationError, file: str, item: Any, index: int) -> list[Problem]:
    """Turn a pydantic error for one list item into problems naming entry and field."""
    label = item_label(item, index)
    kind = item.get("kind") if isinstance(item, dict) else None
    problems = []
    for error in err.errors():
        loc = tuple(error["loc"])
        # A discriminated union puts the tag ("state", "credential", ...) first: drop it.
        if loc and loc[0] == kind:
            loc = loc[1:]
        msg = error["msg"]
        if error["type"] == "extra_forbidden":
            msg = "unknown field"
        elif error["type"] in {"union_tag_invalid", "union_tag_not_found"}:
            loc = ("kind", *loc)
        field_path = ".".join(str(p) for p in loc) or None
        problems.append(Problem(file, label, field_path, msg))
    return problems
