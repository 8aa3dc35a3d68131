"""The answer engine: free-text question in, structured answer out. No Discord here."""

from bot.engine.answer import Answer, Field
from bot.engine.core import Engine

__all__ = ["Answer", "Engine", "Field"]
