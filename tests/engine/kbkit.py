"""Small knowledge bases written by the tests (imported by the engine tests as `kbkit`)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import load_knowledge

SOURCES = """
sources:
  - id: guide
    title: Test guide
    as_of: "2026"
"""


def small_engine(tmp_path: Path, entries: str, **files: str) -> Engine:
    (tmp_path / "sources.yaml").write_text(textwrap.dedent(SOURCES))
    (tmp_path / "entries.yaml").write_text(textwrap.dedent(entries))
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    return Engine(load_knowledge(tmp_path))
