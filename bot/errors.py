"""Errors a member or admin caused and can fix: shown to them, never logged as bugs.

Raise a `UserError` (or one of its kinds) anywhere under a command: the CommandTree's one
`on_error` (bot/bot.py) turns it into an ephemeral embed with its message. Nothing here imports
Discord, so the brain may raise them too.
"""

from __future__ import annotations


class UserError(Exception):
    """A message for the person who ran the command (sent as an ephemeral embed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(UserError):
    """An option value that names nothing the bot knows ("a state called Narnia")."""


class KnowledgeMissing(UserError):
    """The loaded knowledge base lacks the part a command shows."""


class ReloadFailed(UserError):
    """`/kb reload` found problems; the previous knowledge base stays in use."""
