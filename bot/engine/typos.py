"""Names typed with a slip in them: "califronia", "health inforamtion manager", "cmpa". Every
name and alias of four characters or more is a choice; a window of the question's words is
compared with the choices of as many words, by rapidfuzz's ratio."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Collection

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, Indel

from bot.engine.analysis import Hit

WHOLE_CUTOFF = 88  # a short question that is one whole name, misspelt


class _ByLength:
    """Choices sorted by length, so a window is compared only with those long or short enough
    to reach the cutoff: a ratio of c % needs the shorter of two strings to be at least
    c / (200 - c) of the longer (at 80 %, two thirds). Results come in the order the choices
    were given, as if all had been compared."""

    def __init__(self, choices: list[str]) -> None:
        self.rank = {choice: i for i, choice in enumerate(choices)}
        self.choices = sorted(choices, key=len)
        self.lengths = [len(c) for c in self.choices]

    def near(self, query: str, cutoff: float, limit: int) -> list[tuple[str, float, int]]:
        share = cutoff / (200 - cutoff)
        low = bisect_left(self.lengths, math.floor(len(query) * share))
        high = bisect_right(self.lengths, math.ceil(len(query) / share))
        found = process.extract(
            query,
            self.choices[low:high],
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=None,
        )
        found.sort(key=lambda f: (-f[1], self.rank[f[0]]))
        return found[:limit]


class NameTypos:
    def __init__(
        self, phrases: dict[str, str], abbreviations: dict[str, str], known: Collection[str]
    ) -> None:
        self.phrases = phrases
        self.abbreviations = abbreviations  # four letters or more: "cpma"
        self.known = known  # the words of names and of the vocabulary: never a typo
        choices = [k for k in phrases if len(k) >= 4]
        self.whole = _ByLength(choices)
        # A typo keeps the number of words: a window of n words is compared with names of n
        # words (and, for one word, of two: "newjersey").
        by_words: dict[int, list[str]] = {}
        for choice in choices:
            by_words.setdefault(choice.count(" ") + 1, []).append(choice)
        self.by_words = {
            n: _ByLength(by_words.get(n, []) + (by_words.get(2, []) if n == 1 else []))
            for n in range(1, 5)
        }

    def correct(self, toks: list[str], hits: list[Hit]) -> list[Hit]:
        """The hits with typos of names found: windows of up to four words around each unknown
        word. A longer window may take over exact hits inside it ("health inforamtion
        manager" is not "manager")."""
        unknown = [
            i for i, t in enumerate(toks) if t not in self.known and len(t) >= 5 and not t.isdigit()
        ]
        if not unknown:
            return hits
        if len(toks) <= 10:  # a short question that is one whole name with a typo in it
            found = self.whole.near(" ".join(toks), WHOLE_CUTOFF, 1)
            if found:
                return [Hit(self.phrases[found[0][0]], 0, len(toks), "fuzzy", found[0][1])]
        exact_at = {j: h for h in hits for j in range(h.start, h.end)}
        fuzzy: list[Hit] = []
        taken: set[int] = set()
        for i in unknown:
            if i in taken or i in exact_at:
                continue
            best = self._best_window(toks, i, exact_at, taken)
            if best is not None:
                fuzzy.append(best)
                taken.update(range(best.start, best.end))
        kept = [h for h in hits if not any(h.start >= f.start and h.end <= f.end for f in fuzzy)]
        return kept + fuzzy

    def _best_window(
        self, toks: list[str], i: int, exact_at: dict[int, Hit], taken: set[int]
    ) -> Hit | None:
        best: Hit | None = None
        for start in range(max(0, i - 3), i + 1):
            for end in range(i + 1, min(len(toks), start + 4) + 1):
                span = set(range(start, end))
                if span & taken:
                    continue
                inside = {exact_at[j] for j in span if j in exact_at}
                if any(h.start < start or h.end > end for h in inside):
                    continue  # never cut an exact hit in half
                hit = self._window(toks, i, start, end, bool(inside))
                if hit is not None and (
                    best is None or (hit.score, end - start) > (best.score, best.end - best.start)
                ):
                    best = hit
        return best

    def _window(self, toks: list[str], i: int, start: int, end: int, inside: bool) -> Hit | None:
        """The name the words start..end misspell, the unknown word i among them."""
        window = " ".join(toks[start:end])
        cutoff = 80 if len(window) >= 8 else 83 if len(window) >= 6 else 90
        if inside:
            cutoff = max(cutoff, 85)
        matches = self.by_words[end - start].near(window, cutoff, 3)
        # The misspelt word itself must look like a word of the name: "oncology coding" is not
        # "cardiology coding", though the phrases are close.
        matches = [f for f in matches if max(fuzz.ratio(toks[i], w) for w in f[0].split()) >= 80]
        if not matches:
            return None
        # Close calls are settled by a typo model that counts a swap of two letters as one
        # slip ("indaina" is Indiana, not India).
        close = [f for f in matches if matches[0][1] - f[1] < 3]
        if len(close) > 1:
            sim = DamerauLevenshtein.normalized_similarity
            close.sort(key=lambda f: sim(window, f[0]), reverse=True)
            a, b = close[0], close[1]
            if sim(window, a[0]) - sim(window, b[0]) >= 0.05:
                matches = [a, *[f for f in matches if f is not a and matches[0][1] - f[1] >= 3]]
        score = matches[0][1]
        owner = self.phrases[matches[0][0]]
        second = next(
            (
                self.phrases[f[0]]
                for f in matches[1:]
                if self.phrases[f[0]] != owner and score - f[1] < 3
            ),
            None,
        )
        return Hit(owner, start, end, "fuzzy", score, second)

    def abbreviations_near(self, toks: list[str], hits: list[Hit]) -> list[Hit]:
        """ "cmpa", "cobg", "circ": two letters swapped, one missing or extra in a credential's
        abbreviation of four letters or more, when exactly one abbreviation is that close."""
        taken = {j for h in hits for j in range(h.start, h.end)}
        found = []
        for i, token in enumerate(toks):
            if i in taken or token in self.known or not 4 <= len(token) <= 7:
                continue
            near = {
                owner
                for abbr, owner in self.abbreviations.items()
                if Indel.distance(token, abbr, score_cutoff=1) <= 1  # one letter missing or extra
                or (sorted(token) == sorted(abbr) and DamerauLevenshtein.distance(token, abbr) == 1)
            }
            if len(near) == 1:
                found.append(Hit(near.pop(), i, i + 1, "fuzzy", 90.0))
        return found
