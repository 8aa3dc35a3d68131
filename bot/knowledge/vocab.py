"""The words the engine reads questions with, validated from `knowledge/vocab.yaml`.

Word lists name only base forms: a noun's plural and a verb's other forms are derived by
`inflect`, so "specialty" also finds "specialties" and "earn" also "earns", "earning", "earned".
Irregular forms ("paid", "made") are listed as plain words.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from bot.knowledge.models import Intent

_VOWELS = set("aeiou")


def plural(noun: str) -> str:
    """ "salary" -> "salaries", "coach" -> "coaches", "code" -> "codes"."""
    if noun.endswith(("s", "x", "z", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and len(noun) > 1 and noun[-2] not in _VOWELS:
        return noun[:-1] + "ies"
    return noun + "s"


def inflect(word: str, part: str) -> list[str]:
    """The forms of a noun (with its plural) or a verb people type. A verb is its base form,
    or "base/past" where the past is irregular: "earn" is earn, earns, earning, earned;
    "make/made" is make, makes, making, made; "get/got" is get, gets, getting, got."""
    if part == "noun":
        return [word, plural(word)]
    if part != "verb":
        raise ValueError(f"unknown part of speech {part!r}")
    base, _, past = word.partition("/")
    if base.endswith("e") and not base.endswith("ee"):
        ing = base[:-1] + "ing"  # make -> making
    elif _short_closed(base):
        ing = base + base[-1] + "ing"  # get -> getting
    else:
        ing = base + "ing"
    if not past:
        if base.endswith("e"):
            past = base + "d"
        elif base.endswith("y") and len(base) > 1 and base[-2] not in _VOWELS:
            past = base[:-1] + "ied"  # qualify -> qualified
        else:
            past = base + "ed"
    return [base, plural(base), ing, past]


def _short_closed(word: str) -> bool:
    """One short syllable ending consonant-vowel-consonant ("get", "put"): doubled before -ing."""
    return (
        len(word) == 3
        and word[0] not in _VOWELS
        and word[1] in _VOWELS
        and word[2] not in _VOWELS | set("wxy")
    )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Words(_Strict):
    """A list of words: as written (`words`), nouns and verbs (forms derived), and phrases of
    several words. A plain YAML list is read as `words`."""

    words: list[str] = []
    nouns: list[str] = []
    verbs: list[str] = []
    phrases: list[str] = []

    @model_validator(mode="before")
    @classmethod
    def _plain_list(cls, value: Any) -> Any:
        return {"words": value} if isinstance(value, list) else value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The schema says what `_plain_list` accepts: a mapping, or a plain list of words.
        words = {"type": "array", "items": {"type": "string"}}
        return {"anyOf": [handler(core_schema), words]}

    @field_validator("words", "nouns")
    @classmethod
    def _single_lower_words(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[a-z0-9%+]+(?:-[a-z]+)?", value):
                raise ValueError(f"{value!r}: one lower-case word (phrases go under 'phrases')")
        return values

    @field_validator("verbs")
    @classmethod
    def _verbs(cls, values: list[str]) -> list[str]:
        for value in values:
            if not re.fullmatch(r"[a-z]+(?:/[a-z]+)?", value):
                raise ValueError(f"{value!r}: a lower-case verb, or base/past ('make/made')")
        return values

    @field_validator("phrases")
    @classmethod
    def _lower_phrases(cls, values: list[str]) -> list[str]:
        for value in values:
            if value != value.lower() or not value.strip():
                raise ValueError(f"{value!r}: lower case, not blank")
        return values

    @cached_property
    def forms(self) -> frozenset[str]:
        found = set(self.words) | set(self.phrases)
        for noun in self.nouns:
            found.update(inflect(noun, "noun"))
        for verb in self.verbs:
            found.update(inflect(verb, "verb"))
        return frozenset(found)

    @cached_property
    def single(self) -> frozenset[str]:
        """The one-word forms only."""
        return frozenset(w for w in self.forms if " " not in w)


class ExamLogistics(_Strict):
    """Exam fees, dates, scores and registration: what the guide does not cover."""

    exam: Words  # "exam", "test": the question is about an exam
    logistics: Words  # "fee", "date", "passing"
    # Logistics words that need a named credential instead of an exam word ("CPC passing score").
    with_credential: Words
    note: str = Field(min_length=1)  # what the answer says first


class FollowUp(_Strict):
    """How a short follow-up leans on the question before it."""

    lead_ins: Words = Words()  # "AND in Maryland?"
    about: Words = Words()  # "WHAT ABOUT CCS"
    refers: Words = Words()  # "who issues IT?"


class Vocab(_Strict):
    """Every word list the engine reads intent and gaps from. Entities (names, aliases) are in
    the entry files; the nouns that name a kind are in each kind's spec (models.py)."""

    # In this order: a question with several intents and nothing named gets the default entry
    # of the first one that has one.
    intents: dict[Intent, Words]
    stopwords: Words
    greetings: Words  # a message made only of these is a hello, not a question
    domain: Words  # words that show a question is about coding; they never name an entry
    coding: Words  # words that name the coding job itself ("oncology CODING")
    # Domain words of everyday talk too: with unknown words around, not evidence of coding.
    weak_domain: Words = Words()
    # Aliases that are everyday words: weak evidence, like weak_domain.
    everyday: Words = Words()
    # Coding terms: one shared with a study tip is enough evidence for that tip.
    study_terms: Words = Words()
    # Words typed in capitals that are not credentials ("CEO", "HIPAA", "ASAP"): never a gap.
    not_credentials: Words = Words()
    off_domain: Words  # other professions
    profession_pattern: str  # other professions by the shape of the word ("cardiologists")
    # Fields of medicine by the shape of the word ("urology"): a kind of coding when the guide
    # has no entry for it.
    specialty_pattern: str = r"(?:ology|iatrics|pedics)$"
    national: Words  # the whole country: the national figures are the answer, not a gap
    short_places: Words  # short place names that are not English words ("uk", "nyc")
    # Postal codes that are also ordinary words: a state only when typed in capitals...
    ambiguous_codes: Words
    # ... and these never in lower case, not even after "in" ("is it for me").
    hard_codes: Words
    pay_verbs: Words  # "an RHIT MAKES": the words before are a job
    uncovered: Words  # things the guide ranks nothing by: employers, schools
    exam_logistics: ExamLogistics
    study_ignore: Words  # words that say nothing about which study tip is meant
    guide_years: list[int] = Field(min_length=1)  # years the guide has figures for
    # The guide's demand levels, lowest first ("Low" ... "Very High"), for ranking by demand.
    demand_levels: list[str] = Field(min_length=2)
    about_me: Words = Words()  # the asker speaking of themselves
    newcomer: Words = Words()  # new to coding: the plan's first stage
    self_profession: Words = Words()  # "I'm a nurse": the asker's own profession
    part_starters: Words = Words()  # words that begin another part of a question
    # Words any question may have that say nothing of its subject ("does experience MATTER"):
    # never counted as words the guide does not know.
    common: Words = Words()
    follow_up: FollowUp = FollowUp()
    national_figure: Words = Words()  # "than the national MEDIAN"
    moving: Words = Words()  # "I MOVED from A to B": the places are compared
    # Intent words of everyday talk ("how long", "best", "top", "years"): a question made only
    # of these names nothing of the guide, so it gets no figure.
    everyday_intents: Words = Words()
    # Words for being certified: "how much more do CERTIFIED coders make" is the premium.
    certification_words: Words = Words()
    # Chat shorthand, read as the words it stands for ("u" -> "you", "lol" -> nothing).
    shorthand: dict[str, str] = {}
    # "rn" is "right now", unless nursing is meant: typed "RN", or next to one of these.
    rn_nursing: Words = Words()

    @field_validator("shorthand")
    @classmethod
    def _shorthand(cls, value: dict[str, str]) -> dict[str, str]:
        for key, words in value.items():
            if not re.fullmatch(r"[a-z0-9]+", key):
                raise ValueError(f"{key!r}: one lower-case word or number")
            if words != words.lower() or not re.fullmatch(r"[a-z0-9 ]*", words):
                raise ValueError(f"{key!r}: {words!r} must be lower-case words (or empty)")
        return value

    @field_validator("intents")
    @classmethod
    def _every_intent(cls, value: dict[str, Words]) -> dict[str, Words]:
        from typing import get_args

        missing = [i for i in get_args(Intent) if i not in value]
        if missing:
            raise ValueError(f"missing intents: {', '.join(missing)}")
        return value

    @field_validator("profession_pattern", "specialty_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from exc
        return value

    def demand_rank(self, level: str) -> int:
        """0 for the lowest level; -1 for a level the list does not have."""
        folded = [d.lower() for d in self.demand_levels]
        return folded.index(level.lower()) if level.lower() in folded else -1


class VocabFile(_Strict):
    vocab: Vocab
