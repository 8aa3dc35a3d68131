"""Extensions: one cog per feature. Modules whose name starts with "_" are helpers, not cogs."""

from __future__ import annotations

import pkgutil
from collections.abc import Iterator


def walk_extensions() -> Iterator[str]:
    """Every loadable extension under bot.exts, skipping `_private` modules."""
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        if any(part.startswith("_") for part in module.name.split(".")):
            continue
        if module.ispkg:
            continue
        yield module.name
