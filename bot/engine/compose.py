"""What every part of the engine composes answers with: the knowledge base, its vocabulary,
the presenters of its kinds, and the finishing of an `Answer` (sources, suggestions)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from bot.engine.answer import Answer, Field
from bot.engine.matcher import Matcher
from bot.engine.vocab import Lexicon
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import (
    KINDS,
    CareerLevel,
    CertStatus,
    Credential,
    Entry,
    Figure,
    KindSpec,
    State,
    WorkModel,
)

if TYPE_CHECKING:
    from bot.engine.presenters import Presenter


def join(items: Iterable[str], sep: str = "; ") -> str:
    return sep.join(i for i in items if i)


def sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else text + "."


def bullets(points: Iterable[str]) -> str:
    return "".join(f"\n• {p}" for p in points)


@dataclass
class Description:
    """One entry described: what `finish` turns into an Answer."""

    title: str
    lead: str
    fields: list[Field] = field(default_factory=list)
    used: list[Entry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Composer:
    """Shared by the rules, rankings, comparisons and presenters of one engine."""

    def __init__(self, kb: KnowledgeBase, lexicon: Lexicon, matcher: Matcher) -> None:
        # Presenters are built on a Composer, so their module imports this one: not the reverse.
        from bot.engine.presenters import presenter_for

        self.kb = kb
        self.lex = lexicon
        self.matcher = matcher
        kinds = {e.kind for e in kb.entries.values()}
        self._presenters = {kind: presenter_for(kind)(self) for kind in kinds}

    # -- per kind ---------------------------------------------------------------------------
    def presenter(self, entry: Entry) -> Presenter[Any]:
        return self._presenters[entry.kind]

    def label(self, entry: Entry) -> str:
        return self.presenter(entry).label(entry)

    def brief(self, entry: Entry) -> str:
        """One line with an entry's key figures, for comparisons and lists."""
        return self.presenter(entry).brief(entry)

    def figure(self, entry: Entry) -> Figure | None:
        """The figure an entry is ranked and compared by (a city's is its state's)."""
        return self.presenter(entry).figure(entry)

    def describe(self, entry: Entry, intents: set[str]) -> Description:
        return self.presenter(entry).describe(entry, intents)

    def label_of_kind(self, kind: str) -> str:
        return self.kind_spec(kind).label

    def plural_of_kind(self, kind: str) -> str:
        return self.kind_spec(kind).plural

    @staticmethod
    def kind_spec(kind: str) -> KindSpec:
        model = KINDS.get(kind)
        return model.spec if model is not None else KindSpec(label=kind, plural=kind)

    def order(self, entry: Entry) -> tuple[int, int, str]:
        """Autocomplete's order for empty input: credentials, then ranked states, ..."""
        return (entry.spec.order, self.presenter(entry).rank(entry), entry.name)

    # -- the knowledge base -----------------------------------------------------------------
    def refs(self, ids: Iterable[str]) -> list[Entry]:
        return [self.kb.entries[i] for i in ids if i in self.kb.entries]

    def with_figures(self, kind: str) -> list[Entry]:
        return [e for e in self.kb.of_kind(kind) if self.figure(e) is not None]

    @cached_property
    def ladder(self) -> list[CareerLevel]:
        """The career ladder, lowest level first."""
        levels = [e for e in self.kb.entries.values() if isinstance(e, CareerLevel)]
        return sorted(levels, key=lambda e: e.level)

    @cached_property
    def ladder_index(self) -> dict[str, int]:
        """A level's place on the ladder, by id (comparing models field by field is slow)."""
        return {level.id: i for i, level in enumerate(self.ladder)}

    def ranked_states(self, direction: str) -> list[State]:
        """The guide's top states in rank order, or its lowest-paying ones, lowest first."""
        return self._ranked_states[direction == "highest"]

    @cached_property
    def _ranked_states(self) -> dict[bool, list[State]]:
        return {True: self._rank_states("highest"), False: self._rank_states("lowest")}

    def _rank_states(self, direction: str) -> list[State]:
        states = [e for e in self.kb.entries.values() if isinstance(e, State)]
        ranked = [s for s in states if s.salary is not None]
        if direction == "highest":
            return sorted((s for s in ranked if s.tier == "top"), key=lambda s: s.rank or 0)
        return sorted((s for s in ranked if s.tier == "lowest"), key=lambda s: _sort_key(s.salary))

    @property
    def national(self) -> Entry | None:
        return self.kb.role("national")

    def medians(self) -> list[Figure]:
        """The national median figures (annual, hourly)."""
        national = self.national
        return [f for f in national.figures() if "median" in f.roles] if national else []

    def remote_point(self) -> tuple[str, list[Entry]] | None:
        """Why a state's pay matters less than it seems: most coding jobs are fully remote."""
        work = self.kb.role("fully-remote")
        figure = work.headline() if isinstance(work, WorkModel) else None
        if work is None or figure is None:
            return None
        return (
            f"Remote work: {figure.text} of coding positions are fully remote, so a coder "
            "anywhere can work for an employer in a high-paying state.",
            [work],
        )

    @cached_property
    def _expansions(self) -> dict[str, tuple[str, str, Entry]]:
        """Every abbreviation the guide spells out: on an entry, or a credential's own."""
        found: dict[str, tuple[str, str, Entry]] = {}
        for entry in self.kb.entries.values():
            for abbreviation, full in entry.expansions.items():
                found.setdefault(abbreviation.lower(), (abbreviation, full, entry))
        return found

    def expansion(self, token: str) -> tuple[str, str, Entry] | None:
        return self._expansions.get(token)

    @cached_property
    def _bodies(self) -> list[tuple[str, str, frozenset[str], Entry]]:
        """Each organisation the guide names, what it covers, and that text's words."""
        from bot.engine.reading import stem
        from bot.knowledge.text import tokens

        found = []
        for entry in self.kb.entries.values():
            for body, covers in entry.bodies.items():
                words = frozenset(stem(t) for t in tokens(covers) if t not in self.lex.stopwords)
                found.append((body, covers, words, entry))
        return found

    def body_covering(self, words: set[str]) -> tuple[str, str, Entry] | None:
        """The one organisation whose coverage shares the most words with a question's."""
        scored = sorted(
            ((len(words & w), body, covers, entry) for body, covers, w, entry in self._bodies),
            key=lambda t: -t[0],
        )
        if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[1][0] == scored[0][0]):
            return None
        _n, body, covers, entry = scored[0]
        return body, covers, entry

    def credentials(self) -> list[Credential]:
        return [e for e in self.kb.entries.values() if isinstance(e, Credential)]

    def issuers(self) -> list[str]:
        return list(dict.fromkeys(c.issuer for c in self.credentials() if c.issuer))

    def issued_by(self, query: str, org: str) -> Answer:
        """The credentials in the guide that one organisation issues."""
        creds = [c for c in self.credentials() if c.issuer == org]
        full = self.expansion(org.lower())
        name = f"{org} ({full[1]})" if full else org
        lead = (
            f"In the guide, {name} issues: "
            + ", ".join(f"{c.abbreviation} ({c.full_name})" for c in creds)
            + "."
        )
        fields = [Field(c.abbreviation, self.brief(c)) for c in creds]
        used: list[Entry] = list(creds) + ([full[2]] if full else [])
        return self.finish(
            query, creds[0], f"What {org} issues", lead, fields, used[1:], (), {"issuer"}
        )

    def status_difference(self) -> tuple[str, list[Entry]] | None:
        """The certification table's premium: the lowest-paid status with no credential
        against the status of the one credential most statuses build on (the CPC)."""
        from bot.engine.difference import difference

        statuses = [e for e in self.kb.entries.values() if isinstance(e, CertStatus)]
        none = [s for s in statuses if not s.credentials]
        single = [s for s in statuses if len(s.credentials) == 1]
        if not none or not single:
            return None
        counts = {
            c: sum(c in s.credentials for s in statuses) for s in single for c in s.credentials
        }
        base = max(single, key=lambda s: counts[s.credentials[0]])
        line = difference(base.name, base.salary, none[0].name.lower(), none[0].salary)
        if line is None:
            return None
        return f"From the certification table: {line}", [base, none[0]]

    def guide_year(self) -> str:
        return ", ".join(dict.fromkeys(s.as_of for s in self.kb.sources.values()))

    # -- answers ----------------------------------------------------------------------------
    def sources(self, used: Iterable[Entry]) -> list[str]:
        """One line per source document, naming the sections the answer drew on."""
        sections: dict[str, list[str]] = {}
        for entry in used:
            names = sections.setdefault(entry.source.doc, [])
            if entry.source.section not in names:
                names.append(entry.source.section)
        lines = []
        for doc, names in sections.items():
            src = self.kb.sources[doc]
            lines.append(f"{src.title} (as of {src.as_of}): {'; '.join(names)}")
        return lines

    def finish(
        self,
        query: str,
        main: Entry,
        title: str,
        lead: str,
        fields: Sequence[Field],
        used: Iterable[Entry],
        notes: Sequence[str] = (),
        intents: Iterable[str] = (),
    ) -> Answer:
        kept = list({e.id: e for e in reversed([main, *used])}.values())[::-1]
        return Answer(
            query=query,
            answered=True,
            topic=main.id,
            title=title[:256],
            lead=lead,
            fields=tuple(fields[:25]),
            notes=tuple(notes),
            sources=tuple(self.sources(kept)),
            entries=tuple(e.id for e in kept),
            intents=tuple(sorted(intents)),
        )

    def finish_description(
        self, query: str, entry: Entry, d: Description, intents: Iterable[str]
    ) -> Answer:
        return self.finish(query, entry, d.title, d.lead, d.fields, d.used, d.notes, intents)

    def unanswered(
        self,
        query: str,
        lead: str,
        ids: Sequence[str] = (),
        suggest: bool = True,
        suggest_from: str | None = None,
    ) -> Answer:
        ids = [i for i in ids if i in self.kb.entries]
        if suggest and not ids:
            ids = self.matcher.suggest(query if suggest_from is None else suggest_from)
        if not ids:
            ids = [e.id for e in self.kb.suggested()][:3]
        return Answer(
            query=query,
            answered=False,
            topic=None,
            title="Not in the guide" if suggest else "Ask me something",
            lead=lead,
            suggestions=tuple(self.kb.entries[i].name for i in ids[:3]),
            suggestion_ids=tuple(ids[:3]),
        )


def _sort_key(figure: Figure | None) -> tuple[float, float]:
    return figure.sort_key if figure is not None else (0.0, 0.0)
