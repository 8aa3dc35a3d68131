"""Every extension imports and has a setup(bot); private helper modules are not loaded."""

from __future__ import annotations

import importlib
import inspect

from bot.exts import walk_extensions


def test_every_extension_imports_and_has_setup():
    names = list(walk_extensions())
    assert {"bot.exts.ask", "bot.exts.lookup", "bot.exts.admin"} <= set(names)
    for name in names:
        module = importlib.import_module(name)
        assert inspect.iscoroutinefunction(getattr(module, "setup", None)), name


def test_private_modules_are_skipped():
    assert not any(name.rsplit(".", 1)[-1].startswith("_") for name in walk_extensions())
