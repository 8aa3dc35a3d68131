"""Typos of names: the length window that spares most comparisons must find exactly what
comparing every name would (same names, same scores, same order on ties)."""

import random

import pytest
from rapidfuzz import fuzz, process

from bot.engine import Engine
from bot.engine.typos import _ByLength


@pytest.fixture(scope="module")
def names(engine: Engine) -> list[str]:
    return [k for k in engine.matcher.phrases if len(k) >= 4]


def slips(word: str, rng: random.Random) -> str:
    """The word with one to three random slips: a letter dropped, doubled, swapped or added."""
    letters = list(word)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(letters))
        how = rng.choice(["drop", "double", "swap", "add"])
        if how == "drop" and len(letters) > 1:
            del letters[i]
        elif how == "double":
            letters.insert(i, letters[i])
        elif how == "swap" and i + 1 < len(letters):
            letters[i], letters[i + 1] = letters[i + 1], letters[i]
        else:
            letters.insert(i, rng.choice("aeiounrst "))
    return "".join(letters)


@pytest.mark.parametrize("cutoff", [80, 83, 85, 88, 90])
def test_the_length_window_finds_what_comparing_every_name_finds(names, cutoff):
    rng = random.Random(cutoff)
    index = _ByLength(names)
    queries = [slips(rng.choice(names), rng) for _ in range(400)]
    queries += ["ab", "x" * 40, "salary for california coders"]
    for query in queries:
        everything = process.extract(
            query, names, scorer=fuzz.ratio, processor=None, score_cutoff=cutoff, limit=3
        )
        assert [(n, s) for n, s, _ in index.near(query, cutoff, 3)] == [
            (n, s) for n, s, _ in everything
        ], query


def test_a_misspelt_state_is_still_found(engine: Engine):
    answer = engine.answer("medical coder salary in califronia")
    assert answer.answered and "California" in answer.text
