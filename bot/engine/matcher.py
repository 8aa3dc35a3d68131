"""Find the entries a question names: exact names and aliases first, then rapidfuzz for typos."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, Indel
from rapidfuzz.utils import default_process

from bot.engine.reading import (
    ORDINAL_WORDS,
    read_amount,
    read_count,
    read_ordinal,
    split,
    stem,
)
from bot.engine.vocab import Lexicon
from bot.knowledge.loader import KnowledgeBase

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_YEAR = re.compile(r"(19|20)\d\d")
MAX_PHRASE = 12


@dataclass(frozen=True)
class Hit:
    entry_id: str
    start: int
    end: int
    how: str  # "exact", "code", "fuzzy", "keyword"
    score: float = 100.0
    runner_up: str | None = None  # a close second from fuzzy matching: ambiguous


@dataclass
class Analysis:
    tokens: list[str]
    hits: list[Hit] = field(default_factory=list)
    keywords: list[Hit] = field(default_factory=list)
    intents: set[str] = field(default_factory=set)
    kinds: list[str] = field(default_factory=list)
    off_domain: list[str] = field(default_factory=list)
    domain: bool = False
    level: int | None = None
    years: float | None = None
    unknown_place: str | None = None  # "in Puerto Rico": a proper name the guide does not know
    greeting: bool = False  # only hellos, thanks and "help"
    figure_owner: str | None = None  # the one entry whose figures contain a number asked about
    ordinal: int | None = None  # "#3", "3rd", "third", "number 3": a place in a ranking
    count: int | None = None  # "top 3", "the two cheapest": how many of a ranking to show
    amount: float | None = None  # a pay amount in the question: "45k", "$60,000", "6 figures"
    reaching: bool = False  # "pay 100k+", "hit 6 figures", "get to 80k": at least that much
    # Content words the vocabulary and the entries do not know ("pizza", "boil"), as typed.
    unknown_words: list[str] = field(default_factory=list)
    # Evidence the question is about coding: a name that is not an everyday word, a coding
    # word, a credential the guide lacks. Weak matches alone ("remote", "heart") are not.
    strong: bool = False
    # The intent words and phrases found ("how long", "best"): some are everyday talk.
    intent_words: set[str] = field(default_factory=set)
    about_me: bool = False  # "I'm a new grad with my CCS": the asker says who they are
    newcomer: bool = False  # new to coding ("new grad", "just passed", "get into coding")
    own_profession: bool = False  # the other profession named is the asker's ("I'm a nurse")

    @property
    def entity_ids(self) -> list[str]:
        seen: dict[str, None] = {}
        for hit in sorted(self.hits, key=lambda h: h.start):
            seen.setdefault(hit.entry_id)
        return list(seen)


ONE = (1,)


def _lengths_by_first_word(phrases: Iterable[str], longest: int) -> dict[str, tuple[int, ...]]:
    lengths: dict[str, set[int]] = {}
    for phrase in phrases:
        words = phrase.split()
        if words and len(words) <= longest:
            lengths.setdefault(words[0], {1}).add(len(words))
    return {w: tuple(sorted(n, reverse=True)) for w, n in lengths.items()}


class PhraseIndex:
    """Which of a set of phrases occur in a question: only the lengths that phrases starting
    with a word have are tried at that word."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.phrases = frozenset(phrases)
        lengths: dict[str, set[int]] = {}
        for phrase in self.phrases:
            words = phrase.split()
            if words:
                lengths.setdefault(words[0], set()).add(len(words))
        self.lengths = {w: sorted(n, reverse=True) for w, n in lengths.items()}

    def found(self, toks: list[str]) -> set[str]:
        hits: set[str] = set()
        for i, token in enumerate(toks):
            for size in self.lengths.get(token, ()):
                phrase = token if size == 1 else " ".join(toks[i : i + size])
                if phrase in self.phrases:
                    hits.add(phrase)
        return hits


class Matcher:
    """An in-memory index of every name, alias, keyword and postal code, built once per KB."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon):
        self.kb = kb
        self.lex = lex = lexicon
        # Words of the study tips (the engine sets them): "ABN" is a term, not a credential.
        self.study_words: frozenset[str] = frozenset()
        self.phrases: dict[str, str] = {}
        self.keywords: dict[str, str] = {}
        self.keyword_stems: dict[str, str] = {}
        self.codes: dict[str, str] = {}
        for entry in kb.entries.values():
            names = [entry.name, *entry.aliases]
            names += [value for _field, value in entry.other_names()]
            for name in names:
                key = " ".join(split(name)[0])
                if key:
                    self.phrases.setdefault(key, entry.id)
            for word in entry.keywords:
                key = " ".join(split(word)[0])
                if key:
                    self.keywords.setdefault(key, entry.id)
                    if " " not in key:
                        self.keyword_stems.setdefault(stem(key), entry.id)
            for code in entry.codes():
                self.codes[code.lower()] = entry.id
        # Numbers the guide states (two digits or more, not years), each owned by one entry.
        figures: dict[str, set[str]] = {}
        for entry in kb.entries.values():
            for figure in entry.figures():
                for number in _NUMBER.findall(figure.text):
                    key = number.replace(",", "")
                    if len(key.split(".")[0]) >= 2 and not _YEAR.fullmatch(key):
                        figures.setdefault(key, set()).add(entry.id)
        self.figures = {k: next(iter(v)) for k, v in figures.items() if len(v) == 1}
        # Abbreviations of four letters or more ("CPMA"), for the letter-swap typo check.
        self.abbreviations = {
            name.lower(): e.id
            for e in kb.entries.values()
            for _field, name in e.other_names()
            if len(name) >= 4 and name.isalpha() and name.isupper()
        }
        self.max_phrase = max((k.count(" ") + 1 for k in self.phrases), default=1)
        self.max_phrase = min(self.max_phrase, MAX_PHRASE)
        # For each first word, the lengths of the names and keywords that begin with it,
        # longest first (one word is always tried: a plural folds onto its singular).
        self.phrase_lengths = _lengths_by_first_word(self.phrases, self.max_phrase)
        self.keyword_lengths = _lengths_by_first_word(self.keywords, self.max_phrase)
        # Typos are looked for among names and aliases of four characters or more.
        self.fuzzy_choices = [k for k in self.phrases if len(k) >= 4]
        # A typo keeps the number of words: a window of n words is compared with names of n
        # words (and, for one word, of two: "newjersey").
        by_words: dict[int, list[str]] = {}
        for choice in self.fuzzy_choices:
            by_words.setdefault(choice.count(" ") + 1, []).append(choice)
        self.fuzzy_by_words = {
            n: by_words.get(n, []) + (by_words.get(2, []) if n == 1 else []) for n in range(1, 5)
        }
        intent_words = {w for words in lex.intents.values() for w in words}
        self.known_words = (
            {t for k in (*self.phrases, *self.keywords) for t in k.split()}
            | {w for w in intent_words if " " not in w}
            | lex.stopwords
            | lex.domain
            | set(lex.kind_words)
            | lex.off_domain
        )
        # Every word the vocabulary or the entries know: the rest of a question is unknown.
        # Words inside longer names ("life" of "life after coding") do not count: alone they
        # name nothing, and "best years of my life" is not about coding.
        inside_names = {t for k in self.phrases if " " in k for t in k.split()} - (
            {k for k in (*self.phrases, *self.keywords) if " " not in k}
            | {t for k in self.keywords for t in k.split()}
            | {w for w in intent_words if " " not in w}
            | lex.stopwords
            | lex.domain
            | set(lex.kind_words)
            | lex.off_domain
        )
        self.vocab_words = (
            (self.known_words - inside_names)
            | lex.national
            | lex.uncovered
            | lex.greetings
            | lex.pay_verbs
            | lex.logistics
            | lex.exam_words
            | lex.study_terms
            | lex.not_credentials
            | lex.study_ignore
            | lex.common
            | set(ORDINAL_WORDS)
            | {w for words in lex.vocab.shorthand.values() for w in words.split()}
            | {w for words in lex.intents.values() for p in words for w in p.split()}
            | {w for p in lex.about_me | lex.newcomer for w in p.split()}
        )
        # The vocabulary's own words, by first letter, for typos in them ("salry").
        vocab_words = (
            {w for w in intent_words if " " not in w}
            | lex.domain
            | set(lex.kind_words)
            | lex.stopwords
            | lex.study_terms
        )
        self.typo_choices: dict[str, list[str]] = {}
        for word in sorted(vocab_words):
            if len(word) >= 4 and word.isalpha():
                self.typo_choices.setdefault(word[0], []).append(word)
        self.intent_words = frozenset(w for w in intent_words if " " not in w)
        self.intent_phrases = {
            phrase: intent for intent, words in lex.intents.items() for phrase in words
        }
        self.max_intent = max((p.count(" ") + 1 for p in self.intent_phrases), default=1)
        self.intent_index = PhraseIndex(self.intent_phrases)
        self.shorthand_keys = frozenset(lex.vocab.shorthand)
        self.asker_index = PhraseIndex(lex.about_me | lex.newcomer)
        self.ranking_words = lex.intents["highest"] | lex.intents["lowest"]
        self.coding_or_pay = lex.coding | lex.intents["pay"]
        # "Did you mean": every name and alias, against the question's content words only.
        self.suggest_choices = list(self.phrases)
        self.by_prefix: dict[str, set[str]] = {}
        for choice in self.suggest_choices:
            for word in choice.split():
                self.by_prefix.setdefault(word[:3], set()).add(choice)
        self.filler = ({w for w in intent_words if " " not in w} | lex.stopwords | lex.domain) - {
            t for k in self.phrases for t in k.split()
        }

    # -- entity search -------------------------------------------------------------------------
    def analyse(self, text: str) -> Analysis:
        toks, raw = split(text)
        lowered = text.lower()
        # Typed in capitals somewhere: only then can a word be an abbreviation ("XYZ").
        capitals = lowered != text
        shouting = capitals and all(not t.isalpha() or t.isupper() for t in raw if len(t) > 1)
        toks, raw = self._normalise(toks, raw, shouting)
        result = Analysis(tokens=toks)
        if not toks:
            return result
        used = [False] * len(toks)
        i = 0
        while i < len(toks):
            hit = self._exact_at(toks, i)
            if hit is None:
                hit = self._code_at(toks, raw, i, shouting)
            if hit is not None:
                result.hits.append(hit)
                for j in range(hit.start, hit.end):
                    used[j] = True
                i = hit.end
            else:
                i += 1
        result.hits = self._fuzzy(toks, result.hits)
        result.hits += self._abbreviation_typos(toks, result.hits)
        used = [False] * len(toks)
        for hit in result.hits:
            for j in range(hit.start, hit.end):
                used[j] = True
        vocab = self.vocab_words
        unknown = [i for i, t in enumerate(toks) if t not in vocab and not used[i]]
        if unknown:
            self._correct_typos(toks, unknown)
        self._read_words(toks, used, result)
        # All in capitals or none: no abbreviation stands out as a credential.
        result.unknown_place = self._unknown_place(toks, raw, used, shouting or not capitals)
        result.unknown_words = [
            raw[i]
            for i in unknown
            if toks[i] not in vocab and toks[i].isalpha() and len(toks[i]) >= 3
        ]
        result.strong = self._strong(toks, result) or self._guide_abbreviation(toks, raw)
        self._read_asker(toks, result)
        result.greeting = all(t in self.lex.greetings for t in toks)
        owners = {
            owner
            for number in _NUMBER.findall(text)
            if (owner := self.figures.get(number.replace(",", ""))) is not None
        }
        if len(owners) == 1:
            result.figure_owner = owners.pop()
        result.ordinal = read_ordinal(lowered)
        result.count = read_count(lowered)
        result.amount, result.reaching = read_amount(lowered)
        if result.amount is not None:
            result.intents.add("pay")
        return result

    # -- members' own words ----------------------------------------------------------------
    def _normalise(
        self, toks: list[str], raw: list[str], shouting: bool
    ) -> tuple[list[str], list[str]]:
        """Chat shorthand ("u", "ppl", "rn") read as the words it stands for, words split by
        a stray space joined ("calif ornia") and words run together split ("howmuch")."""
        shorthand = self.lex.vocab.shorthand
        typed = set(toks)
        if typed <= self.vocab_words and not typed & self.shorthand_keys:
            return toks, raw  # the common case: every word known, no shorthand
        out: list[str] = []
        out_raw: list[str] = []
        for i, token in enumerate(toks):
            words: list[str] | None = None
            if token == "rn" and self._nursing(toks, raw, i, shouting):
                words = None
            elif token in shorthand and token not in self.phrases and not raw[i].isupper():
                words = shorthand[token].split()
            elif token not in self.vocab_words and token.isalpha() and len(token) >= 6:
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

    def _correct_typos(self, toks: list[str], unknown: list[int]) -> None:
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

    def _read_asker(self, toks: list[str], result: Analysis) -> None:
        lex = self.lex
        phrases = self.asker_index.found(toks)
        result.about_me = bool(phrases & lex.about_me)
        result.newcomer = bool(phrases & lex.newcomer)
        if result.off_domain and result.about_me:
            own = {
                i
                for i, t in enumerate(toks)
                if (t in lex.off_domain or lex.profession.search(t))
                and set(toks[max(0, i - 3) : i]) & lex.self_profession
            }
            result.own_profession = bool(own)

    def _guide_abbreviation(self, toks: list[str], raw: list[str]) -> bool:
        """ "what does HIM stand for": capitals the guide uses inside a name name its subject."""
        return any(
            2 <= len(w) <= 6 and w.isupper() and w.isalpha() and t in self.known_words
            for t, w in zip(toks, raw, strict=False)
        )

    def _strong(self, toks: list[str], result: Analysis) -> bool:
        lex = self.lex
        for hit in result.hits:
            words = toks[hit.start : hit.end]
            if not (len(words) == 1 and words[0] in lex.everyday):
                return True
        gap = result.unknown_place
        if gap is not None and (gap.endswith(" credential") or gap.isupper()):
            return True  # a credential the guide lacks: a question about coding
        weak = lex.everyday | lex.stopwords | self.intent_words
        if any(any(t not in weak for t in toks[k.start : k.end]) for k in result.keywords):
            return True
        return any(t in lex.domain and t not in lex.weak_domain for t in toks)

    def _unknown_place(
        self, toks: list[str], raw: list[str], used: list[bool], no_abbreviations: bool = False
    ) -> str | None:
        """What the question asks about that the knowledge base does not know: a credential
        ("XYZ pay"), a place after "in" ("in Canada", "in houston"), a kind of coding
        ("oncology coding"), a job ("an RHIT make") or a year other than the guide's. None
        when everything asked is known."""
        credential = None if no_abbreviations else self._unknown_credential(toks, raw, used, False)
        if credential is not None:
            return f"the {credential} credential"

        def unknown(j: int) -> bool:
            word = toks[j]
            return (
                not used[j]
                and word not in self.known_words
                and word not in self.lex.national
                and word.isalpha()
                and (len(word) >= 4 or raw[j][:1].isupper() or word in self.lex.short_places)
            )

        n = len(toks)
        for i, token in enumerate(toks):
            if token in self.lex.uncovered and not used[i]:
                return raw[i]
            words: list[str] = []
            if token in {"in", "from"}:  # in (the) X
                j = i + 2 if i + 1 < n and toks[i + 1] == "the" else i + 1
                while j < n and len(words) < 3 and unknown(j):
                    words.append(raw[j])
                    j += 1
            elif token in self.lex.coding and i > 0:  # X coding, X coders
                j = i - 1
                while j >= 0 and len(words) < 2 and unknown(j):
                    words.insert(0, raw[j])
                    j -= 1
                if words:
                    words.append(token)
            elif token in {"a", "an"}:  # a(n) X make / earn
                j = i + 1
                while j < n and toks[j] in self.lex.domain:
                    j += 1
                while j < n and len(words) < 3 and unknown(j):
                    words.append(raw[j])
                    j += 1
                if not (
                    j < n and toks[j] in self.lex.pay_verbs
                ):  # "an RHIT make", not "a good salary"
                    words = []
            elif token in self.ranking_words:  # best X, top X
                j = i + 1
                while j < n and toks[j] in self.coding_or_pay:
                    j += 1
                while j < n and len(words) < 2 and unknown(j):
                    words.append(raw[j])
                    j += 1
            elif _YEAR.fullmatch(token) and token not in self.lex.guide_years:
                return token
            if words:
                if token in {"in", "from"} and all(w.islower() for w in words):
                    return " ".join(words).title()  # a place: "canada" -> "Canada"
                if token in {"a", "an"} and len(words) == 1 and len(words[0]) <= 5:
                    return words[0].upper()  # a job's initials: "rhit" -> "RHIT"
                return " ".join(words)
        return None

    def _unknown_credential(
        self, toks: list[str], raw: list[str], used: list[bool], shouting: bool
    ) -> str | None:
        """An abbreviation typed in capitals that the guide does not have ("what does XYZ
        pay", "CCA salary"): it looks like a credential, so it is a gap, never a stand-in."""
        if shouting:
            return None  # all in capitals, or none: no abbreviation stands out
        for i, token in enumerate(toks):
            word = raw[i]
            if not word.isupper():
                continue
            if (
                not used[i]
                and 2 <= len(word) <= 6
                and word.isalpha()
                and word.isupper()
                and token not in self.known_words
                and token not in self.lex.not_credentials
                and stem(token) not in self.study_words
            ):
                return word
        return None

    def _abbreviation_typos(self, toks: list[str], hits: list[Hit]) -> list[Hit]:
        """ "cmpa", "cobg", "circ": two letters swapped, one missing or extra in a credential's
        abbreviation of four letters or more, when exactly one abbreviation is that close."""
        taken = {j for h in hits for j in range(h.start, h.end)}
        found = []
        for i, token in enumerate(toks):
            if i in taken or token in self.known_words or not 4 <= len(token) <= 7:
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

    def _lookup(self, phrase: str, table: dict[str, str]) -> str | None:
        found = table.get(phrase)
        if found is None and len(phrase) > 3 and phrase.endswith("s"):
            found = table.get(phrase[:-1])
            if found is None and phrase.endswith("es"):
                found = table.get(phrase[:-2])
        return found

    def _exact_at(self, toks: list[str], i: int) -> Hit | None:
        # Only the lengths of names that begin with this word (and one word, for plurals).
        left = len(toks) - i
        for n in self.phrase_lengths.get(toks[i], ONE):
            if n > left:
                continue
            found = self._lookup(toks[i] if n == 1 else " ".join(toks[i : i + n]), self.phrases)
            if found is not None:
                return Hit(found, i, i + n, "exact")
        return None

    def _code_at(self, toks: list[str], raw: list[str], i: int, shouting: bool) -> Hit | None:
        token = toks[i]
        state = self.codes.get(token)
        if state is None:
            return None
        typed_as_code = raw[i].isupper() and not shouting
        if token not in self.lex.ambiguous_codes or typed_as_code:
            return Hit(state, i, i + 1, "code")
        # "coder pay in md": a lower-case code right after "in" at the end of a question.
        if (
            token not in self.lex.hard_codes
            and i == len(toks) - 1
            and i > 0
            and toks[i - 1] in {"in", "from"}
        ):
            return Hit(state, i, i + 1, "code")
        return None

    def _fuzzy(self, toks: list[str], hits: list[Hit]) -> list[Hit]:
        """Typos: windows of up to four words around each unknown word, against every name and
        alias. A longer window may take over exact hits inside it ("health inforamtion manager"
        is not "manager")."""
        unknown = [
            i
            for i, t in enumerate(toks)
            if t not in self.known_words and len(t) >= 5 and not t.isdigit()
        ]
        if not unknown:
            return hits
        # A short question that is one whole name with a typo in it.
        if len(toks) <= 10:
            whole = " ".join(toks)
            found = process.extractOne(
                whole, self.fuzzy_choices, scorer=fuzz.ratio, processor=None, score_cutoff=88
            )
            if found is not None:
                return [Hit(self.phrases[found[0]], 0, len(toks), "fuzzy", found[1])]
        exact_at = {j: h for h in hits for j in range(h.start, h.end)}
        fuzzy: list[Hit] = []
        taken: set[int] = set()
        for i in unknown:
            if i in taken or i in exact_at:
                continue
            best: Hit | None = None
            for start in range(max(0, i - 3), i + 1):
                for end in range(i + 1, min(len(toks), start + 4) + 1):
                    span = set(range(start, end))
                    if span & taken:
                        continue
                    inside = {exact_at[j] for j in span if j in exact_at}
                    if any(h.start < start or h.end > end for h in inside):
                        continue  # never cut an exact hit in half
                    window = " ".join(toks[start:end])
                    cutoff = 80 if len(window) >= 8 else 83 if len(window) >= 6 else 90
                    if inside:
                        cutoff = max(cutoff, 85)
                    choices = self.fuzzy_by_words[end - start]
                    matches: list[tuple[str, float, int]] = process.extract(
                        window,
                        choices,
                        scorer=fuzz.ratio,
                        processor=None,
                        score_cutoff=cutoff,
                        limit=3,
                    )
                    if not matches:
                        continue
                    # The misspelt word itself must look like a word of the name: "oncology
                    # coding" is not "cardiology coding", though the phrases are close.
                    matches = [
                        f
                        for f in matches
                        if max(fuzz.ratio(toks[i], w) for w in f[0].split()) >= 80
                    ]
                    if not matches:
                        continue
                    # Close calls are settled by a typo model that counts a swap of two
                    # letters as one slip ("indaina" is Indiana, not India).
                    close = [f for f in matches if matches[0][1] - f[1] < 3]
                    if len(close) > 1:
                        close.sort(
                            key=lambda f: DamerauLevenshtein.normalized_similarity(window, f[0]),
                            reverse=True,
                        )
                        a, b = close[0], close[1]
                        sim = DamerauLevenshtein.normalized_similarity
                        if sim(window, a[0]) - sim(window, b[0]) >= 0.05:
                            matches = [
                                a,
                                *[f for f in matches if f is not a and matches[0][1] - f[1] >= 3],
                            ]
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
                    if best is None or (score, end - start) > (best.score, best.end - best.start):
                        best = Hit(owner, start, end, "fuzzy", score, second)
            if best is not None:
                fuzzy.append(best)
                taken.update(range(best.start, best.end))
        kept = [h for h in hits if not any(h.start >= f.start and h.end <= f.end for f in fuzzy)]
        return kept + fuzzy

    def _read_words(self, toks: list[str], used: list[bool], result: Analysis) -> None:
        n = len(toks)
        result.intent_words = self.intent_index.found(toks)
        for phrase in result.intent_words:
            result.intents.add(self.intent_phrases[phrase])
        i = 0
        while i < n:
            if used[i]:
                i += 1
                continue
            for size in self.keyword_lengths.get(toks[i], ONE):
                if size > n - i or (size > 1 and any(used[i : i + size])):
                    continue
                key = toks[i] if size == 1 else " ".join(toks[i : i + size])
                found = self._lookup(key, self.keywords)
                if found is None and size == 1 and len(toks[i]) >= 4:
                    found = self.keyword_stems.get(stem(toks[i]))
                if found is not None:
                    result.keywords.append(Hit(found, i, i + size, "keyword"))
                    i += size - 1
                    break
            i += 1
        for i, token in enumerate(toks):
            if token in self.lex.kind_words and not used[i]:
                result.kinds.append(self.lex.kind_words[token])
            if token in self.lex.off_domain or self.lex.profession.search(token):
                result.off_domain.append(token)
            if token in self.lex.domain:
                result.domain = True
            nxt = toks[i + 1] if i + 1 < n else ""
            if token == "level" and nxt.isdigit():
                result.level = int(nxt)
            if token.isdigit() and nxt in {"year", "years", "yrs", "yr"}:
                result.years = float(token)

    # -- suggestions and autocomplete ---------------------------------------------------------
    def suggest(
        self, text: str, limit: int = 3, kinds: tuple[str, ...] = (), cutoff: float = 70
    ) -> list[str]:
        """Entry ids whose names look most like the question's content words (rapidfuzz
        token_set_ratio, a cutoff, only hits close to the best)."""
        words = [t for t in split(text)[0] if t not in self.filler]
        query = default_process(" ".join(words))[:200]
        if not query:
            return []
        # Only names sharing a word's first three letters with the question are worth scoring.
        pool = sorted({c for w in words for c in self.by_prefix.get(w[:3], ())})
        if not pool:
            return []
        found = process.extract(
            query,
            pool,
            scorer=fuzz.token_set_ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=limit * 8,
        )
        ids: list[str] = []
        best = found[0][1] if found else 0
        for choice, score, _ in found:
            if score < best - 8:
                break
            entry_id = self.phrases[choice]
            if kinds and self.kb.entries[entry_id].kind not in kinds:
                continue
            if entry_id not in ids:
                ids.append(entry_id)
            if len(ids) == limit:
                break
        return ids
