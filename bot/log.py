"""Logging is configured once, here, at the level the settings give."""

from __future__ import annotations

import logging
import re

_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
# Interaction and webhook tokens in URLs: discord.py logs every callback URL at DEBUG, and a
# token lets its holder edit the bot's reply and send follow-ups for 15 minutes.
_TOKEN_IN_URL = re.compile(r"(/(?:interactions|webhooks)/\d+/)[^/\s?]+")


class RedactTokens(logging.Filter):
    """Replace interaction and webhook tokens in a record's message with `[token]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TOKEN_IN_URL.sub(r"\1[token]", message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def setup_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(setup_logging, "_done", False):
        root.setLevel(level)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactTokens())
    root.addHandler(handler)
    root.setLevel(level)
    # discord.py's HTTP and gateway chatter is noisy at DEBUG; keep it at INFO unless asked.
    logging.getLogger("discord.http").setLevel(max(logging.INFO, root.level))
    logging.getLogger("discord.gateway").setLevel(max(logging.INFO, root.level))
    setup_logging._done = True  # type: ignore[attr-defined]
