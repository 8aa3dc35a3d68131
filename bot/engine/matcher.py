"""Find the entries a question names: exact names and aliases first, then rapidfuzz for typos."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.engine.analysis import Analysis, Hit
from bot.engine.reading import (
    ORDINAL_WORDS,
    read_amount,
    read_count,
    read_ordinal,
    read_years,
    split,
    stem,
)
from bot.engine.suggest import Suggestions
from bot.engine.typos import NameTypos
from bot.engine.vocab import Lexicon
from bot.engine.words import MembersWords
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import Credential

_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_YEAR = re.compile(r"(19|20)\d\d")
_SUFFIXED = re.compile(r"\b([A-Za-z]{2,6})-([A-Za-z]{1,2})\b")  # "CCS-P", "cpc-a"
MAX_PHRASE = 12


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
        self.typos = NameTypos(self.phrases, self.abbreviations, self.known_words)
        # Entries of kinds named in everyday talk (places): no evidence of coding alone.
        self.everyday_entries = frozenset(e.id for e in kb.entries.values() if e.spec.everyday)
        self.words = MembersWords(lex, self.vocab_words, self.phrases, intent_words, self.codes)
        self.intent_words = frozenset(w for w in intent_words if " " not in w)
        # Keywords made only of these are no evidence of coding ("best", "remote").
        self.weak_keyword_words = lex.everyday | lex.stopwords | self.intent_words
        self.intent_phrases = {
            phrase: intent for intent, words in lex.intents.items() for phrase in words
        }
        self.max_intent = max((p.count(" ") + 1 for p in self.intent_phrases), default=1)
        # Intent phrases and what askers say of themselves, found in one pass.
        self.asker_phrases = lex.about_me | lex.newcomer
        self.phrase_index = PhraseIndex({*self.intent_phrases, *self.asker_phrases})
        self.ranking_words = lex.intents["highest"] | lex.intents["lowest"]
        self.coding_or_pay = lex.coding | lex.intents["pay"]
        filler = ({w for w in intent_words if " " not in w} | lex.stopwords | lex.domain) - {
            t for k in self.phrases for t in k.split()
        }
        self.suggestions = Suggestions(kb, self.phrases, filler)

    # -- entity search -------------------------------------------------------------------------
    def analyse(self, text: str) -> Analysis:
        toks, raw = split(text)
        lowered = text.lower()
        # Typed in capitals somewhere: only then can a word be an abbreviation ("XYZ").
        capitals = lowered != text
        shouting = capitals and all(not t.isalpha() or t.isupper() for t in raw if len(t) > 1)
        toks, raw = self.words.normalise(toks, raw, shouting)
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
        result.hits = self.typos.correct(toks, result.hits)
        result.hits += self.typos.abbreviations_near(toks, result.hits)
        used = [False] * len(toks)
        for hit in result.hits:
            for j in range(hit.start, hit.end):
                used[j] = True
        vocab = self.vocab_words
        unknown = [i for i, t in enumerate(toks) if t not in vocab and not used[i]]
        if unknown:
            self.words.correct_typos(toks, unknown)
        phrases = self.phrase_index.found(toks)
        self._read_words(toks, used, result, phrases)
        # All in capitals or none: no abbreviation stands out as a credential.
        result.unknown_place = self._unknown_place(
            toks, raw, used, shouting or not capitals
        ) or self._suffixed_credential(text)
        result.unknown_words = [
            raw[i]
            for i in unknown
            if toks[i] not in vocab and toks[i].isalpha() and len(toks[i]) >= 3
        ]
        result.strong = self._strong(toks, result) or (
            capitals and self._guide_abbreviation(toks, raw)
        )
        self._read_asker(toks, result, phrases)
        result.greeting = all(t in self.lex.greetings for t in toks)
        owners = {
            owner
            for number in _NUMBER.findall(text)
            if (owner := self.figures.get(number.replace(",", ""))) is not None
        }
        if len(owners) == 1:
            result.figure_owner = owners.pop()
        result.years = read_years(lowered)  # "3 yrs", "three years in", "a decade"
        result.ordinal = read_ordinal(lowered)
        result.count = read_count(lowered)
        result.amount, result.reaching = read_amount(lowered)
        if result.amount is not None:
            result.intents.add("pay")
        return result

    def _read_asker(self, toks: list[str], result: Analysis, phrases: set[str]) -> None:
        lex = self.lex
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
            2 <= len(w) <= 6
            and w.isupper()
            and w.isalpha()
            and t in self.known_words
            and not self._everyday_name(t)  # "from NYC to DC": places, in everyday talk
            for t, w in zip(toks, raw, strict=False)
        )

    def _suffixed_credential(self, text: str) -> str | None:
        """ "CCS-P", "CPC-A": one of the guide's credentials with a suffix is another one,
        which the guide does not have."""
        if "-" not in text:
            return None
        for match in _SUFFIXED.finditer(text):
            owner = self.phrases.get(match[1].lower())
            if owner is not None and isinstance(self.kb.entries[owner], Credential):
                return f"the {match[0].upper()} credential"
        return None

    def _everyday_name(self, phrase: str) -> bool:
        owner = self.phrases.get(phrase) or self.codes.get(phrase)
        return owner in self.everyday_entries

    def _strong(self, toks: list[str], result: Analysis) -> bool:
        lex = self.lex
        for hit in result.hits:
            words = toks[hit.start : hit.end]
            if hit.entry_id in self.everyday_entries:
                continue  # "seattle weather", "recipe for new york cheesecake"
            if not (len(words) == 1 and words[0] in lex.everyday):
                return True
        # Pay asked in words of its own ("salary", "pay"), not everyday ones ("how much").
        pay_asked = "pay" in result.intents and bool(
            {
                w
                for p in result.intent_words
                if self.intent_phrases.get(p) == "pay"
                for w in p.split()
            }
            - lex.everyday_intents
            - lex.stopwords
        )
        if pay_asked and result.hits and not result.unknown_words:
            return True  # "why does New Jersey pay so well": a place's pay is a coder's
        gap = result.unknown_place
        if gap is not None and gap.endswith(" coding") and result.intents:
            return True  # "urology pay": a kind of coding the guide lacks, asked about
        if gap is not None and (gap.endswith(" credential") or gap.isupper()):
            # A credential the guide lacks makes a question about coding, unless other words
            # are strange too: "a flight from LAX to Honolulu".
            abbreviation = gap.removeprefix("the ").removesuffix(" credential").lower()
            if all(w.lower() == abbreviation for w in result.unknown_words) or pay_asked:
                return True
        weak = self.weak_keyword_words
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
            elif self.lex.specialty.search(token) and unknown(i):  # "urology pay"
                return f"{raw[i]} coding"
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

    def _read_words(
        self, toks: list[str], used: list[bool], result: Analysis, phrases: set[str]
    ) -> None:
        n = len(toks)
        result.intent_words = {p for p in phrases if p in self.intent_phrases}
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

    # -- suggestions and autocomplete ---------------------------------------------------------
    def suggest(
        self, text: str, limit: int = 3, kinds: tuple[str, ...] = (), cutoff: float = 70
    ) -> list[str]:
        return self.suggestions.ids(text, limit, kinds, cutoff)
