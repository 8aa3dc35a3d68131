"""Members' own words: chat shorthand ("u", "ppl", "rn"), words run together ("howmuch") or
split by a stray space ("calif ornia"), and slips in the vocabulary's own words ("salry")."""

from __future__ import annotations

from collections.abc import Collection, Set

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.engine.vocab import Lexicon


class MembersWords:
    def __init__(
        self,
        lex: Lexicon,
        vocab_words: Set[str],
        phrases: Collection[str],
        intent_words: Collection[str],
        codes: Collection[str] = (),
    ) -> None:
        self.lex = lex
        self.vocab_words = vocab_words  # every word the engine knows
        self.phrases = phrases  # every name and alias
        # The words of names ("york", "adjustment") and postal codes: never split or joined.
        self.name_words = frozenset(w for p in phrases for w in p.split()) | frozenset(codes)
        self.shorthand_keys = frozenset(lex.vocab.shorthand)
        # The vocabulary's own words, by first letter, for typos in them ("salry").
        correctable = (
            {w for w in intent_words if " " not in w}
            | lex.domain
            | set(lex.kind_words)
            | lex.stopwords
            | lex.study_terms
        )
        self.typo_choices: dict[str, list[str]] = {}
        for word in sorted(correctable):
            if len(word) >= 4 and word.isalpha():
                self.typo_choices.setdefault(word[0], []).append(word)

    def normalise(
        self, toks: list[str], raw: list[str], shouting: bool
    ) -> tuple[list[str], list[str]]:
        """Chat shorthand ("u", "ppl", "rn") read as the words it stands for, words split by
        a stray space joined ("calif ornia") and words run together split ("howmuch")."""
        shorthand = self.lex.vocab.shorthand
        typed = set(toks)
        strange = typed - self.vocab_words - self.name_words
        if all(not t.isalpha() for t in strange) and typed.isdisjoint(self.shorthand_keys):
            return toks, raw  # the common case: every word known (or a number), no shorthand
        out: list[str] = []
        out_raw: list[str] = []
        for i, token in enumerate(toks):
            words: list[str] | None = None
            if token == "rn" and self._nursing(toks, raw, i, shouting):
                words = None
            elif token in shorthand and token not in self.phrases and not raw[i].isupper():
                words = shorthand[token].split()
            elif (
                token not in self.vocab_words
                and token not in self.name_words
                and token.isalpha()
                and len(token) >= 6
            ):
                words = self._split_run(token)
            if words is None:
                out.append(token)
                out_raw.append(raw[i])
            else:
                out += words
                out_raw += words
        return self._join_split(out, out_raw)

    def _nursing(self, toks: list[str], raw: list[str], i: int, shouting: bool) -> bool:
        """ "rn" means a registered nurse when typed "RN" or next to a word of nursing or
        pay ("an rn", "rn salary"); otherwise it is "right now" ("is coding worth it rn")."""
        if raw[i] == "RN" and not shouting:
            return True
        near = self.lex.rn_nursing
        before = toks[i - 1] if i > 0 else ""
        after = toks[i + 1] if i + 1 < len(toks) else ""
        return before in near or after in near

    def _split_run(self, token: str) -> list[str] | None:
        """ "howmuch", "cpcsalary", "remotejobs": two known words run together."""
        for cut in range(2, len(token) - 1):
            left, right = token[:cut], token[cut:]
            if self._whole_word(left) and self._whole_word(right):
                return [left, right]
        return None

    def _whole_word(self, word: str) -> bool:
        return (len(word) >= 3 or word in self.lex.stopwords) and (
            word in self.vocab_words or word in self.phrases
        )

    def _join_split(self, toks: list[str], raw: list[str]) -> tuple[list[str], list[str]]:
        """ "calif ornia", "sal ary": two unknown pieces that make one known word."""
        i = 0
        out: list[str] = []
        out_raw: list[str] = []
        while i < len(toks):
            if i + 1 < len(toks):
                a, b = toks[i], toks[i + 1]
                joined = a + b
                if (
                    (joined in self.vocab_words or joined in self.phrases)
                    and len(joined) >= 5
                    and a.isalpha()
                    and b.isalpha()
                    and (a not in self.vocab_words or b not in self.vocab_words)
                    and not (self._whole_word(a) and self._whole_word(b))
                ):
                    out.append(joined)
                    out_raw.append(raw[i] + raw[i + 1])
                    i += 2
                    continue
            out.append(toks[i])
            out_raw.append(raw[i])
            i += 1
        return out, out_raw

    def correct_typos(self, toks: list[str], unknown: list[int]) -> None:
        """Typos in the vocabulary's own words ("salry", "codrs", "certifcation"): an unknown
        word of five letters or more, with the same first letter and one slip (two from eight
        letters), reads as that word. Names were tried first, by the fuzzy matcher."""
        for i in unknown:
            token = toks[i]
            if len(token) < 5 or not token.isalpha():
                continue
            slips = 1 if len(token) < 8 else 2
            found = process.extractOne(
                token,
                self.typo_choices.get(token[0], ()),
                scorer=DamerauLevenshtein.distance,
                processor=None,
                score_cutoff=slips,
            )
            if found is not None:
                toks[i] = found[0]
