"""Errors a member or admin caused and can fix: shown to them, never logged as bugs."""

from __future__ import annotations


class UserError(Exception):
    """A message for the person who ran the command (sent as an ephemeral embed)."""
