"""Reading a question's words and numbers: tokens, light stems, pay amounts, ordinals."""

from __future__ import annotations

import math
import re
from functools import lru_cache

from bot.knowledge.text import raw_tokens

_AMOUNT = re.compile(
    r"\$?\s?(?P<k>\d{2,3})\s?(?:k|thousand|grand)\b(?P<plus>\s?\+)?"
    r"|\$\s?(?P<dollars>\d{1,3}(?:,\d{3})+|\d{4,6})"
    r"|(?P<six>\b(?:6|six)[\s-]figures?\b)"
)
ORDINAL_WORDS = {
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
_ORDINAL = re.compile(
    r"(?:#\s?|\bnumber\s|\bno\.\s?)(?P<n>[1-9]\d?)\b|\b(?P<n2>[1-9]\d?)(?:st|nd|rd|th)\b"
    r"|\b(?P<word>second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth)\b"
)
_REACHING = re.compile(r"\b(?:over|above|more than|at least|hit|reach|get to|or more)\b")

# Pay amounts above this are not pay ("$999,999,999,..."): read as no amount at all.
MAX_AMOUNT = 10_000_000
MAX_TOKENS = 120  # a 4,000-character question is read up to here; the rest is noise


_SUFFIXES = ("ings", "ing", "ed", "es", "s")


@lru_cache(maxsize=32_768)
@lru_cache(maxsize=8192)  # the same few thousand words, in every tip and question
def stem(word: str) -> str:
    """A light suffix strip for weak topic words: "openings", "opening", "opened" -> "open"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    # "sequence" and "sequencing" meet at "sequenc".
    return word[:-1] if word.endswith("e") and len(word) >= 5 else word


def _amount(match: re.Match[str]) -> float | None:
    """The pay amount a match states, or None when it is beyond any salary."""
    if match["k"]:
        amount = float(match["k"]) * 1000
    elif match["dollars"]:
        amount = float(match["dollars"].replace(",", ""))
    else:
        amount = 100_000.0  # "six figures"
    return amount if math.isfinite(amount) and amount <= MAX_AMOUNT else None


def split(text: str) -> tuple[list[str], list[str]]:
    """Tokens in lower case and as typed (the case decides whether "OR" means Oregon)."""
    raw = _join_spelled(raw_tokens(text)[:MAX_TOKENS])
    return [t.lower() for t in raw], raw


def _join_spelled(raw: list[str]) -> list[str]:
    """ "c p c" and "C P C" are "cpc": runs of three or more single letters become one word."""
    out: list[str] = []
    run: list[str] = []
    for token in [*raw, ""]:
        if len(token) == 1 and token.isalpha():
            run.append(token)
            continue
        if len(run) >= 3:  # "c p c"; never "w a" (a word and an article), never a code
            out.append("".join(run))
        else:
            out += run
        run = []
        if token:
            out.append(token)
    return out


def read_amount(lowered: str) -> tuple[float | None, bool]:
    """A pay amount in a question ("45k", "$60,000", "6 figures") and whether it asks for at
    least that much ("100k+", "hit 6 figures"); (None, False) when it states none."""
    match = _AMOUNT.search(lowered)
    if match is None or (amount := _amount(match)) is None:
        return None, False
    return amount, bool(_REACHING.search(lowered) or match["plus"] or match["six"])


def read_ordinal(lowered: str) -> int | None:
    """ "#3", "3rd", "third", "number 3": a place in a ranking."""
    match = _ORDINAL.search(lowered)
    if match is None:
        return None
    number = match["n"] or match["n2"]
    return int(number) if number else ORDINAL_WORDS[match["word"]]


_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_COUNT = re.compile(
    r"\b(?:top|bottom|highest|lowest|best|worst|cheapest|dearest|first|last)\s+"
    r"(?P<a>\d{1,2}|two|three|four|five|six|seven|eight)\b(?!\s?%)"
    r"|\b(?P<b>\d{1,2}|two|three|four|five|six|seven|eight)\s+(?:of the\s+)?"
    r"(?:top|bottom|highest|lowest|best|worst|cheapest|dearest|most|least)\b"
)


def read_count(lowered: str) -> int | None:
    """ "top 3 states", "the two cheapest": how many of a ranking to show."""
    match = _COUNT.search(lowered)
    if match is None:
        return None
    word = match["a"] or match["b"]
    return int(word) if word.isdigit() else _COUNT_WORDS[word]


_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "couple": 2, "few": 3,
}  # fmt: skip
_N = r"(?P<n>\d{1,2}(?:\.\d)?|" + "|".join(_NUMBER_WORDS) + r")"
_SPAN = re.compile(
    r"(?P<ahead>\b(?:first|next|in|within)\s+(?:the\s+)?)?"
    rf"\b(?:a\s+)?{_N}(?P<half_before>\s+and\s+a\s+half)?(?:\s+of)?\s*\+?\s*"
    r"(?P<unit>years?|yrs?|months?|mos|decades?)\b"
    r"(?P<half>\s+and\s+a\s+half)?"
    r"|\b(?P<halfyear>half\s+a\s+year)\b"
)
_SPAN_UNIT = re.compile(r"yr|year|month|mos|decade")
_UNIT_YEARS = {"year": 1.0, "yr": 1.0, "month": 1 / 12, "mo": 1 / 12, "decade": 10.0}


def read_years(lowered: str) -> float | None:
    """How long a coder has been at it, as said: "3 years", "three yrs", "a year and a half",
    "8 months", "a decade"; None when the question says no span of time, or only one ahead
    ("my first couple of years", "in 2 years")."""
    if _SPAN_UNIT.search(lowered) is None:
        return None  # the common case, decided by one quick search
    match = _SPAN.search(lowered)
    if match is None or match["ahead"]:
        return None
    if match["halfyear"]:
        return 0.5
    number = match["n"]
    count = float(number) if number[0].isdigit() else float(_NUMBER_WORDS[number])
    unit = match["unit"].rstrip("s") if match["unit"] != "mos" else "mo"
    half = bool(match["half"] or match["half_before"])
    if number in {"a", "an"} and unit != "decade" and not half:
        return None  # "make a year", "an hour": pay per year, not a year of experience
    years = (count + (0.5 if half else 0.0)) * _UNIT_YEARS[unit]
    return round(years, 2) if 0 < years <= 60 else None
