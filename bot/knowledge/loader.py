"""Load `knowledge/*.yaml` once into validated models; every problem names file, entry, field."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from bot.knowledge.models import AnyEntry, Entry, Source, Tip
from bot.knowledge.text import normalize

log = logging.getLogger(__name__)

# libyaml's safe loader when PyYAML was built with it (7x faster), else the pure-Python one.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FILE_KINDS = ("entries", "sources", "tips")
_ITEM: dict[str, TypeAdapter[Any]] = {
    "entries": TypeAdapter(AnyEntry),
    "sources": TypeAdapter(Source),
    "tips": TypeAdapter(Tip),
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


def _problems_from(err: ValidationError, file: str, item: Any, index: int) -> list[Problem]:
    """Turn a pydantic error for one list item into problems naming entry and field."""
    label = f"#{index + 1}"
    if isinstance(item, dict) and item.get("id"):
        label = str(item["id"])
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


def _read(path: Path, root: Path) -> tuple[str, Any, list[Problem]]:
    name = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    display = f"{root.name}/{name}"
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER)
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
    sources: dict[str, tuple[str, Source]] = {}
    tips: dict[str, tuple[str, Tip]] = {}
    # Ids present in the files even where the entry itself is invalid, and whether any file
    # was unreadable: a reference into either is not reported again as "unknown".
    written: set[str] = set()
    unreadable = False

    for path in paths:
        display, raw, errs = _read(path, root)
        problems += errs
        if errs:
            unreadable = True
            continue
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in _FILE_KINDS:
            problems.append(
                Problem(display, None, None, "expected one top-level key: entries, sources or tips")
            )
            unreadable = True
            continue
        key, items = next(iter(raw.items()))
        if not isinstance(items, list) or not items:
            problems.append(Problem(display, None, key, "must be a non-empty list"))
            unreadable = True
            continue
        written |= {str(i["id"]) for i in items if isinstance(i, dict) and "id" in i}
        seen: dict[str, tuple[str, Any]] = {"entries": entries, "sources": sources, "tips": tips}[
            key
        ]
        for index, item in enumerate(items):
            try:
                model = _ITEM[key].validate_python(item)
            except ValidationError as exc:
                problems += _problems_from(exc, display, item, index)
                continue
            if model.id in seen:
                other = seen[model.id][0]
                problems.append(Problem(display, model.id, "id", f"duplicate id (also in {other})"))
            else:
                seen[model.id] = (display, model)

    problems += _cross_checks(entries, sources, written, unreadable)
    if problems:
        raise KnowledgeError(problems)
    kb = KnowledgeBase(
        entries={k: v[1] for k, v in entries.items()},
        sources={k: v[1] for k, v in sources.items()},
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
    entries: dict[str, tuple[str, Entry]],
    sources: dict[str, tuple[str, Source]],
    written: set[str] = frozenset(),  # type: ignore[assignment]
    unreadable: bool = False,
) -> list[Problem]:
    """Sources, references and aliases across files. A reference to an id that is in the files
    but invalid, or any reference while a file is unreadable, would only repeat a problem
    already reported, so it is not reported again."""
    problems: list[Problem] = []
    claimed: dict[str, str] = {}
    for entry_id, (file, entry) in entries.items():
        if entry.source.doc not in sources and entry.source.doc not in written and not unreadable:
            problems.append(
                Problem(file, entry_id, "source.doc", f"unknown source {entry.source.doc!r}")
            )
        for field_name, ids in entry.references().items():
            for ref in ids:
                if ref not in entries and ref not in written and not unreadable:
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
