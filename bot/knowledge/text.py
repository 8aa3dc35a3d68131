"""Text normalisation shared by the loader (alias uniqueness) and the matcher."""

from __future__ import annotations

import re
import unicodedata

_INITIALS = re.compile(r"\b([a-z])\.(?=[a-z]\b)")
_TOKEN = re.compile(r"[a-z0-9]+|\+")
_APOSTROPHE = re.compile(r"['’`]")


def clean(text: str) -> str:
    """NFKC, without format characters (zero-width spaces, joiners, bidi marks) or controls."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch if unicodedata.category(ch)[0] != "C" else (" " if ch in "\n\r\t" else "") for ch in text
    )


def tokens(text: str) -> list[str]:
    """Lower-case word tokens; "D.C." becomes "dc", "what's" "whats", "8+" is "8", "+"."""
    text = clean(text).lower()
    text = _INITIALS.sub(r"\1", text)
    text = _APOSTROPHE.sub("", text)
    return _TOKEN.findall(text)


def normalize(text: str) -> str:
    return " ".join(tokens(text))
