"""Load `knowledge/*.yaml` once into validated models; every problem names file, entry, field.

Each file has one top-level key: `entries`, `sources`, `tips` or `vocab`. Files that cannot
hurt the bot: each is capped in size, YAML aliases may not expand beyond a small bound (a
"billion laughs" is refused before any value becomes text), a key given twice in one mapping
is an error, and a `*.yaml` name that is not a readable file is reported, never skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from bot.knowledge.models import UNIQUE_ROLES, Entry, Source, Tip, entry_adapter
from bot.knowledge.reading import (
    KnowledgeError,
    Problem,
    display_name,
    duplicate_keys,
    item_label,
    problems_from,
)
from bot.knowledge.text import normalize
from bot.knowledge.vocab import Vocab
from bot.knowledge.yamlfile import read_yaml

log = logging.getLogger(__name__)

VOCAB_FILE = "vocab.yaml"
_FILE_KINDS = ("entries", "sources", "tips", "vocab")


@dataclass
class KnowledgeBase:
    entries: dict[str, Entry]
    sources: dict[str, Source]
    tips: list[Tip]
    files: list[Path] = field(default_factory=list)
    vocab: Vocab | None = None  # None: the engine uses the shipped vocabulary

    def of_kind(self, *kinds: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind in kinds]

    def role(self, role: str) -> Entry | None:
        """The entry that holds a role ("national", "fully-remote", ...), if any."""
        return self._roles.get(role)

    def suggested(self) -> list[Entry]:
        """What to offer when nothing matches, in the order the entries give."""
        return self._suggested

    def default_for(self, intent: str) -> Entry | None:
        """The entry that answers an intent when a question names nothing."""
        return self._defaults.get(intent)

    # Indexes, built on first use: a knowledge base is not changed once loaded.
    @cached_property
    def _roles(self) -> dict[str, Entry]:
        return {r: e for e in reversed(self.entries.values()) for r in e.roles}

    @cached_property
    def _defaults(self) -> dict[str, Entry]:
        return {i: e for e in reversed(self.entries.values()) for i in e.default_for}

    @cached_property
    def _suggested(self) -> list[Entry]:
        offered = [e for e in self.entries.values() if e.suggested is not None]
        return sorted(offered, key=lambda e: e.suggested or 0)

    def source_label(self, entry: Entry) -> str:
        src = self.sources[entry.source.doc]
        return f"{src.title}: {entry.source.section} (as of {src.as_of})"

    def summary(self) -> str:
        kinds: dict[str, int] = {}
        for entry in self.entries.values():
            kinds[entry.kind] = kinds.get(entry.kind, 0) + 1
        parts = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        return (
            f"{len(self.entries)} entries ({parts}), {len(self.tips)} tips, "
            f"{len(self.sources)} source(s) from {len(self.files)} file(s)"
        )


@cache
def _adapter(key: str) -> TypeAdapter[Any]:
    models: dict[str, type[Source] | type[Tip]] = {"sources": Source, "tips": Tip}
    return TypeAdapter(models[key])


def _validate(key: str, item: Any) -> Any:
    if key == "entries":
        return entry_adapter().validate_python(item)
    return _adapter(key).validate_python(item)


# -- the whole directory ----------------------------------------------------------------------
def knowledge_paths(root: Path) -> list[Path]:
    """Every `*.yaml` / `*.yml` name in `root`, readable or not (the loader reports those)."""
    return sorted(p for p in root.iterdir() if p.suffix in {".yaml", ".yml"})


def load_vocab(path: Path) -> Vocab:
    """One vocabulary file on its own (the shipped one, for knowledge bases without one)."""
    file, refused = read_yaml(path, display_name(path, path.parent))
    problems = [Problem(display_name(path, path.parent), None, None, refused)] if refused else []
    if file is not None:
        raw = file.raw
        if isinstance(raw, dict) and set(raw) == {"vocab"}:
            try:
                return Vocab.model_validate(raw["vocab"])
            except ValidationError as exc:
                problems += problems_from(exc, file.display, {"id": "vocab"}, 0)
        else:
            problems.append(Problem(file.display, None, None, "expected one key: vocab"))
    raise KnowledgeError(problems)


def load_knowledge(directory: Path | str) -> KnowledgeBase:
    """Load and validate every `*.yaml` in `directory`; raise KnowledgeError listing all problems."""
    root = Path(directory)
    if not root.is_dir():
        raise KnowledgeError([Problem(str(root), None, None, "not a directory")])
    paths = knowledge_paths(root)
    if not paths:
        raise KnowledgeError([Problem(str(root), None, None, "no .yaml files found")])

    problems: list[Problem] = []
    entries: dict[str, tuple[str, Entry]] = {}
    sources: dict[str, tuple[str, Source]] = {}
    tips: dict[str, tuple[str, Tip]] = {}
    vocab: Vocab | None = None
    # Ids present in the files even where the entry itself is invalid, and whether any file
    # was unreadable: a reference into either is not reported again as "unknown".
    written: set[str] = set()
    unreadable = False

    for path in paths:
        file, refused = read_yaml(path, display_name(path, root))
        if file is None:
            problems.append(Problem(display_name(path, root), None, None, refused or "unreadable"))
            unreadable = True
            continue
        display, raw = file.display, file.raw
        if isinstance(raw, dict):  # "entries:" twice; keys inside entries are named below
            for key, line in file.duplicates.get(id(raw), []):
                message = f"top-level key given twice (again at line {line})"
                problems.append(Problem(display, None, key, message))
        if not isinstance(raw, dict) or len(raw) != 1 or next(iter(raw)) not in _FILE_KINDS:
            problems.append(
                Problem(
                    display,
                    None,
                    None,
                    "expected one top-level key: entries, sources, tips or vocab",
                )
            )
            unreadable = True
            continue
        key, items = next(iter(raw.items()))
        if key == "vocab":
            problems += [
                Problem(display, "vocab", where, message)
                for where, message in duplicate_keys(file, items)
            ]
            try:
                vocab = Vocab.model_validate(items)
            except ValidationError as exc:
                problems += problems_from(exc, display, {"id": "vocab"}, 0)
            continue
        if not isinstance(items, list) or not items:
            problems.append(Problem(display, None, key, "must be a non-empty list"))
            unreadable = True
            continue
        written |= {i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)}
        seen: dict[str, tuple[str, Any]] = {"entries": entries, "sources": sources, "tips": tips}[
            key
        ]  # type: ignore[assignment]
        for index, item in enumerate(items):
            twice = [
                Problem(display, item_label(item, index), where, message)
                for where, message in duplicate_keys(file, item)
            ]
            if twice:  # the model would silently keep the later value
                problems += twice
                continue
            try:
                model = _validate(key, item)
            except ValidationError as exc:
                problems += problems_from(exc, display, item, index)
                continue
            if model.id in seen:
                other = seen[model.id][0]
                problems.append(Problem(display, model.id, "id", f"duplicate id (also in {other})"))
            else:
                seen[model.id] = (display, model)

    problems += _cross_checks(entries, sources, written, unreadable)
    problems += _role_checks(entries)
    if vocab is not None:
        problems += _vocab_checks(entries, vocab)
    if problems:
        raise KnowledgeError(problems)
    kb = KnowledgeBase(
        entries={k: v[1] for k, v in entries.items()},
        sources={k: v[1] for k, v in sources.items()},
        tips=[t for _, t in tips.values()],
        files=paths,
        vocab=vocab,
    )
    log.debug("Loaded knowledge base: %s", kb.summary())
    return kb


def _names(entry: Entry) -> Iterable[tuple[str, str]]:
    yield "name", entry.name
    for alias in entry.aliases:
        yield "aliases", alias
    for word in entry.keywords:
        yield "keywords", word
    yield from entry.other_names()


def _role_checks(entries: dict[str, tuple[str, Entry]]) -> list[Problem]:
    """A role, or the default answer for an intent, belongs to one entry only."""
    problems: list[Problem] = []
    holders: dict[str, str] = {}
    for entry_id, (file, entry) in entries.items():
        claims: list[tuple[str, str]] = [("roles", r) for r in entry.roles if r in UNIQUE_ROLES]
        claims += [("default_for", f"default for {i}") for i in entry.default_for]
        for field_name, claim in claims:
            if claim in holders:
                problems.append(
                    Problem(
                        file,
                        entry_id,
                        field_name,
                        f"{claim!r} is already held by entry {holders[claim]!r}",
                    )
                )
            else:
                holders[claim] = entry_id
    return problems


def _vocab_checks(entries: dict[str, tuple[str, Entry]], vocab: Vocab) -> list[Problem]:
    """Values the engine ranks by must be in the vocabulary's ordered lists."""
    problems: list[Problem] = []
    for entry_id, (file, entry) in entries.items():
        demand = entry.demand_level()
        if demand is not None and vocab.demand_rank(demand) < 0:
            levels = ", ".join(vocab.demand_levels)
            message = f"{demand!r} is not a demand level ({levels})"
            problems.append(Problem(file, entry_id, entry.spec.demand, message))
    return problems


def _cross_checks(
    entries: dict[str, tuple[str, Entry]],
    sources: dict[str, tuple[str, Source]],
    written: set[str] | None = None,
    unreadable: bool = False,
) -> list[Problem]:
    """Sources, references and aliases across files. A reference to an id that is in the files
    but invalid, or any reference while a file is unreadable, would only repeat a problem
    already reported, so it is not reported again."""
    written = written or set()
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
