"""Load `knowledge/*.yaml` once into validated models; every problem names file, entry, field."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.knowledge.models import Entry, EntryFile, Source, SourceFile, Tip, TipFile
from bot.knowledge.text import normalize

log = logging.getLogger(__name__)

_FILE_KINDS: dict[str, type[BaseModel]] = {
    "entries": EntryFile,
    "sources": SourceFile,
    "tips": TipFile,
}


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


@dataclass
class KnowledgeBase:
    entries: dict[str, Entry]
    sources: dict[str, Source]
    tips: list[Tip]
    files: list[Path] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind in kinds]  # type: ignore[attr-defined]

    def source_label(self, entry: Entry) -> str:
        src = self.sources[entry.source.doc]
        return f"{src.title}: {entry.source.section} (as of {src.as_of})"

    def summary(self) -> str:
        kinds: dict[str, int] = {}
        for entry in self.entries.values():
            kinds[entry.kind] = kinds.get(entry.kind, 0) + 1  # type: ignore[attr-defined]
        parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        return (
            f"{len(self.entries)} entries ({parts}), {len(self.tips)} tips, "
            f"{len(self.sources)} source(s) from {len(self.files)} file(s)"
        )


def _entry_label(raw: Any, loc: tuple[Any, ...]) -> tuple[str | None, tuple[Any, ...]]:
    """Turn a pydantic location into (entry id or #index, remaining field path)."""
    if len(loc) >= 2 and isinstance(loc[1], int):
        index = loc[1]
        items = raw.get(loc[0]) if isinstance(raw, dict) else None
        label = f"#{index + 1}"
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            label = str(items[index].get("id") or label)
        rest = loc[2:]
        # A discriminated union puts the tag ("state", "credential", ...) first: drop it.
        if rest and isinstance(rest[0], str) and loc[0] == "entries":
            kind = items[index].get("kind") if isinstance(items, list) else None
            if isinstance(items, list) and index < len(items) and rest[0] == kind:
                rest = rest[1:]
        return label, rest
    return None, loc


def _problems_from(err: ValidationError, file: str, raw: Any) -> list[Problem]:
    problems = []
    for item in err.errors():
        entry, rest = _entry_label(raw, tuple(item["loc"]))
        msg = item["msg"]
        kind = item["type"]
        if kind == "extra_forbidden":
            msg = "unknown field"
        elif kind in {"union_tag_invalid", "union_tag_not_found"}:
            rest = ("kind", *rest)
        field_path = ".".join(str(p) for p in rest) or None
        problems.append(Problem(file, entry, field_path, msg))
    return problems


def _read(path: Path, root: Path) -> tuple[str, Any, list[Problem]]:
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    display = f"{root.name}/{name}"
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return display, None, [Problem(display, None, None, f"invalid YAML{where}: {problem}")]
    except (OSError, UnicodeDecodeError) as exc:
        return display, None, [Problem(display, None, None, f"cannot read file: {exc}")]
    return display, raw, []


def load_knowledge(directory: Path | str) -> KnowledgeBase:
    """Load and validate every `*.yaml` in `directory`; raise KnowledgeError listing all problems."""
    root = Path(directory)
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), None, None, "not a directory")])
    paths = sorted(p for p in root.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
    if not paths:
        raise KnowledgeError([Problem(str(root), None, None, "no .yaml files found")])

    problems: list[Problem] = []
    entries: dict[str, tuple[str, Entry]] = {}
    sources: dict[str, Source] = {}
    tips: dict[str, tuple[str, Tip]] = {}

    for path in paths:
        display, raw, errs = _read(path, root)
        problems += errs
        if errs:
            continue
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in _FILE_KINDS:
            problems.append(
                Problem(display, None, None, "expected one top-level key: entries, sources or tips")
            )
            continue
        key = next(iter(raw))
        try:
            model = _FILE_KINDS[key].model_validate(raw)
        except ValidationError as exc:
            problems += _problems_from(exc, display, raw)
            continue
        if isinstance(model, EntryFile):
            for entry in model.entries:
                if entry.id in entries:
                    other = entries[entry.id][0]
                    problems.append(
                        Problem(display, entry.id, "id", f"duplicate id (also in {other})")
                    )
                else:
                    entries[entry.id] = (display, entry)
        elif isinstance(model, SourceFile):
            for src in model.sources:
                if src.id in sources:
                    problems.append(Problem(display, src.id, "id", "duplicate source id"))
                sources[src.id] = src
        else:
            for tip in model.tips:
                if tip.id in tips:
                    problems.append(
                        Problem(
                            display, tip.id, "id", f"duplicate tip id (also in {tips[tip.id][0]})"
                        )
                    )
                else:
                    tips[tip.id] = (display, tip)

    problems += _cross_checks(entries, sources)
    if problems:
        raise KnowledgeError(problems)
    kb = KnowledgeBase(
        entries={k: v[1] for k, v in entries.items()},
        sources=sources,
        tips=[t for _, t in tips.values()],
        files=paths,
    )
    log.debug("Loaded knowledge base: %s", kb.summary())
    return kb


def _names(entry: Entry) -> Iterable[tuple[str, str]]:
    yield "name", entry.name
    for alias in entry.aliases:
        yield "aliases", alias
    for word in entry.keywords:
        yield "keywords", word
    for extra in ("abbreviation", "full_name"):
        value = getattr(entry, extra, None)
        if value:
            yield extra, value


def _cross_checks(
    entries: dict[str, tuple[str, Entry]], sources: dict[str, Source]
) -> list[Problem]:
    problems: list[Problem] = []
    claimed: dict[str, str] = {}
    for entry_id, (file, entry) in entries.items():
        if entry.source.doc not in sources:
            problems.append(
                Problem(file, entry_id, "source.doc", f"unknown source {entry.source.doc!r}")
            )
        for field_name, ids in entry.references().items():
            for ref in ids:
                if ref not in entries:
                    problems.append(Problem(file, entry_id, field_name, f"unknown entry {ref!r}"))
        seen_here: set[str] = set()
        for field_name, value in _names(entry):
            key = normalize(value)
            if not key:
                problems.append(Problem(file, entry_id, field_name, f"{value!r} has no letters"))
                continue
            if key in seen_here:
                continue
            seen_here.add(key)
            owner = claimed.get(key)
            if owner is not None:
                problems.append(
                    Problem(
                        file,
                        entry_id,
                        field_name,
                        f"alias {value!r} is already claimed by entry {owner!r}",
                    )
                )
            else:
                claimed[key] = entry_id
    return problems
