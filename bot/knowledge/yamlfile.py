"""Reading one YAML file so that no file can hurt the bot: its size capped before it is read,
YAML aliases bounded before any value is built, every key given twice in a mapping noted, and
a name that is not a readable file (a dangling symlink, a directory, a loop) explained."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 5_000_000  # the shipped files are under 100 KB each
# How many nodes YAML aliases may add by repeating others: a few shared lists are fine, a
# bomb that doubles nine times is not.
MAX_ALIAS_NODES = 10_000

# libyaml's parser when PyYAML was built with it (7x faster), else the pure-Python one.
_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MAP_TAG = "tag:yaml.org,2002:map"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Refused(yaml.YAMLError):
    """The file is refused before it is turned into values."""


# The base is chosen at import (libyaml or not), so mypy cannot check it as a class.
class _Loader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, plus: aliases bounded, and every mapping that repeats a key noted
    (`duplicates`, by the id of the dict built) so the loader can name entry and key."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: dict[int, list[tuple[str, int]]] = {}

    def construct_document(self, node: yaml.Node) -> Any:
        _check_expansion(node)
        return super().construct_document(node)


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[dict[Any, Any]]:
    data: dict[Any, Any] = {}
    yield data
    keys = [k for k, _ in node.value if type(k) is yaml.ScalarNode and k.tag != _MERGE_TAG]
    if len({k.value for k in keys}) < len(keys):
        seen: set[str] = set()
        for key_node in keys:
            if key_node.value in seen:
                where = (str(key_node.value)[:80], key_node.start_mark.line + 1)
                loader.duplicates.setdefault(id(data), []).append(where)
            seen.add(key_node.value)
    data.update(loader.construct_mapping(node))


_Loader.add_constructor(_MAP_TAG, _construct_map)


def _check_expansion(root: yaml.Node) -> None:
    """Count the nodes the document would have with every alias expanded, without expanding
    anything: shared nodes are counted once per use, through a memo of subtree sizes."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()
    leaves: set[int] = set()
    distinct = 0

    def size(node: yaml.Node) -> int:
        nonlocal distinct
        if type(node) is yaml.ScalarNode:  # a leaf: no memo needed, but a shared one counts
            leaves.add(id(node))
            return 1
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise _Refused("a YAML alias refers to itself")
        visiting.add(key)
        distinct += 1
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        visiting.discard(key)
        sizes[key] = total
        return total

    expanded = size(root)
    distinct += len(leaves)
    if expanded - distinct > MAX_ALIAS_NODES:
        raise _Refused(
            f"YAML aliases would expand to {expanded:,} nodes from {distinct:,}; "
            f"at most {MAX_ALIAS_NODES:,} repeated nodes are allowed"
        )


@dataclass
class YamlFile:
    display: str
    raw: Any
    duplicates: dict[int, list[tuple[str, int]]]


def _unreadable(path: Path) -> str | None:
    """Why a `*.yaml` name is not a file that can be read, or None when it is one."""
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return "a symlink loop"
        except OSError:
            return "a symlink to nothing (dangling)"
    if path.is_dir():
        return "a directory, not a file"
    if not path.is_file():
        return "not a regular file"
    return None


def read_yaml(path: Path, display: str) -> tuple[YamlFile | None, str | None]:
    """The file's data, or why it was refused (a message naming no file: the caller does)."""

    def refused(message: str) -> tuple[None, str]:
        return None, message

    if why := _unreadable(path):
        return refused(f"cannot read file: {why}")
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return refused(f"file is larger than {MAX_FILE_BYTES:,} bytes")
        loader = _Loader(data.decode("utf-8"))
        try:
            raw = loader.get_single_data()
        finally:
            loader.dispose()
    except _Refused as exc:
        return refused(f"refused: {exc}")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return refused(f"invalid YAML{where}: {problem}")
    except (OSError, UnicodeDecodeError) as exc:
        return refused(f"cannot read file: {exc}")
    except RecursionError:
        return refused("nested too deeply")
    return YamlFile(display, raw, loader.duplicates), None
