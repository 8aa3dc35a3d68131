"""Text normalisation shared by the loader (alias uniqueness) and the matcher."""

from __future__ import annotations

import re
import unicodedata

_INITIALS = re.compile(r"\b([A-Za-z])\.(?=[A-Za-z]\b)")
_POSSESSIVE = re.compile(r"(?<=[A-Za-z.])['’`]s\b")  # "DC's", "D.C.'s"
_APOSTROPHE = re.compile(r"['’`]")
_TOKEN = re.compile(r"[A-Za-z0-9]+|[+%]")


_ASCII_CONTROLS = {i: None for i in range(32)} | {9: " ", 10: " ", 13: " ", 127: None}


def clean(text: str) -> str:
    """NFKC, without format characters (zero-width spaces, joiners, bidi marks) or controls."""
    if text.isascii():  # the common case, and NFKC leaves ASCII alone
        return text.translate(_ASCII_CONTROLS)
    text = unicodedata.normalize("NFKC", text)
    if text.isprintable():  # no character of category C: dashes and curly quotes, say
        return text
    return "".join(
        ch if unicodedata.category(ch)[0] != "C" else (" " if ch in "\n\r\t" else "") for ch in text
    )


def raw_tokens(text: str) -> list[str]:
    """Word tokens as typed: "D.C." is "DC", "DC's" and "D.C.'s" "DC", "what's" "what",
    "8+" is "8", "+", "10%" is "10", "%"."""
    text = clean(text)
    # Most text has neither: the checks spare two of every three passes of a regex.
    if "." in text:
        text = _INITIALS.sub(r"\1", text)
    if "'" in text or "’" in text or "`" in text:
        text = _APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
    return _TOKEN.findall(text)


def tokens(text: str) -> list[str]:
    return [t.lower() for t in raw_tokens(text)]


def normalize(text: str) -> str:
    return " ".join(tokens(text))
