"""What the matcher reads in a question: the entries it names (hits) and everything else the
rules decide by (intents, kinds, numbers, who the asker is)."""

from __future__ import annotations

from dataclasses import dataclass, field


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
