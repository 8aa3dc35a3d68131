"""Answer a free-text question from the knowledge base. Pure Python: no Discord in here."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from bot.engine import vocab
from bot.engine.answer import Answer, Field
from bot.engine.matcher import Analysis, Matcher
from bot.engine.study import TipIndex
from bot.knowledge.loader import KnowledgeBase
from bot.knowledge.models import (
    TIP_CATEGORY_LABELS,
    AltCareer,
    CareerLevel,
    CertStatus,
    Credential,
    Entry,
    ExperienceBand,
    Figure,
    Place,
    Specialty,
    State,
    Tip,
    Topic,
    WorkModel,
)
from bot.knowledge.text import clean

log = logging.getLogger(__name__)

MAX_QUESTION = 4000
KIND_LABEL = {
    "state": "state",
    "credential": "credential",
    "specialty": "specialty",
    "career_level": "career level",
    "alt_career": "alternative career",
    "cert_status": "certification status",
    "experience_band": "experience level",
    "work_model": "work model",
    "place": "place",
    "topic": "topic",
}
KIND_PLURAL = {
    "state": "states",
    "credential": "credentials",
    "specialty": "specialties",
    "career_level": "career levels",
    "alt_career": "alternative careers",
    "cert_status": "certification statuses",
    "experience_band": "experience levels",
    "work_model": "work models",
    "place": "places",
    "topic": "topics",
}
# What a question with an intent but no named entry is about (ids may be absent: then skipped).
INTENT_DEFAULTS = {
    "pay": "topic-national",
    "next": "topic-career-path",
    "previous": "topic-career-path",
    "path": "topic-career-path",
    "skills": "topic-career-path",
    "demand": "topic-outlook",
    "issuer": "topic-resources",
}
TIPS_SOURCE = "medcode-bot study tips (original, in the bot's own words)"
CODE_SUGGESTIONS = ("topic-exam-prep", "topic-resources")
# Words that say nothing about which study tip is meant.
STUDY_IGNORE = (
    vocab.STOPWORDS
    | vocab.DOMAIN
    | {w for words in vocab.INTENTS.values() for w in words if " " not in w}
    | {"use", "used", "using", "when", "does", "mean", "means", "explain", "work", "works"}
)
_CODE = re.compile(r"\b(?:\d{5}|\d{4}[FTU]|[A-TV-Z]\d{2}(?:\.[0-9A-Z]{1,4})?)\b")
_CODE_WORDS = re.compile(r"\b(?:cpt|icd|hcpcs|code|codes)\b", re.IGNORECASE)
_CODE_FOR = re.compile(r"\b(?:code|codes)\s+(?:for|of)\b|\bwhat(?:'?s| is) the code\b", re.I)


def _asks_for_a_code(text: str) -> bool:
    """ "what is CPT 99214", "ICD-10 code for type 2 diabetes": a code look-up."""
    return bool(_CODE_FOR.search(text) or (_CODE.search(text) and _CODE_WORDS.search(text)))


AMOUNT_KINDS = ("career_level", "alt_career", "specialty", "cert_status", "experience_band")
DISPLAY_ORDER = (
    "credential",
    "state",
    "specialty",
    "career_level",
    "alt_career",
    "cert_status",
    "experience_band",
    "work_model",
    "place",
    "topic",
)
DEFAULT_SUGGESTIONS = ("topic-national", "cred-cpc", "topic-remote", "topic-career-path")
DEMAND_ORDER = {"very high": 5, "high": 4, "medium-high": 3, "medium": 2, "low-medium": 1, "low": 0}
_RANGE = re.compile(r"(\d+)\s*[–-]\s*(\d+)|(\d+)\s*\+")


def _salary(entry: Entry) -> Figure | None:
    for name in ("salary", "share"):
        value = getattr(entry, name, None)
        if isinstance(value, Figure):
            return value
    return None


def _join(items: Iterable[str], sep: str = "; ") -> str:
    return sep.join(i for i in items if i)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?:" else text + "."


class Engine:
    """Loaded once per knowledge base; `answer()` is safe to call with any string."""

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb
        self.matcher = Matcher(kb)
        # Career tips retell the guide, whose own entries answer career questions.
        self.study = TipIndex([t for t in kb.tips if t.category != "career"], STUDY_IGNORE)
        levels = sorted(kb.of_kind("career_level"), key=lambda e: e.level)  # type: ignore[attr-defined]
        self.levels: list[CareerLevel] = levels  # type: ignore[assignment]
        # Autocomplete reads these from memory: every name, alias and postal code, processed once.
        self._names = [
            (default_process(name), entry)
            for entry in kb.entries.values()
            for name in (entry.name, *entry.aliases, getattr(entry, "code", None))
            if name
        ]

    # -- public API ----------------------------------------------------------------------------
    def answer(self, question: str) -> Answer:
        query = question if isinstance(question, str) else ""
        text = clean(query)[:MAX_QUESTION].strip()
        if not text or not any(ch.isalnum() for ch in text):
            return self._unanswered(
                query,
                "Ask me about medical coding pay, credentials, states, specialties or careers, "
                "for example: what does CRC pay?",
                suggest=False,
            )
        analysis = self.matcher.analyse(text)
        try:
            return self._decide(query, analysis)
        except Exception:  # a bug must never take the bot down with it
            log.exception("Answer engine failed on %r", query[:200])
            return self._unanswered(query, "Sorry, something went wrong answering that.")

    def entry_answer(self, entry_id: str, intents: Sequence[str] = (), query: str = "") -> Answer:
        """The answer for one entry, as the direct commands (/state, /cert, ...) show it."""
        entry = self.kb.entries[entry_id]
        return self._one(query or entry.name, entry, set(intents))

    def compare(self, ids: Sequence[str], query: str = "") -> Answer:
        entries = [self.kb.entries[i] for i in dict.fromkeys(ids)]
        if len(entries) < 2:
            return self.entry_answer(entries[0].id, query=query)
        return self._compare(query or " vs ".join(e.name for e in entries), entries)

    def complete(self, current: str, kinds: Sequence[str] = (), limit: int = 25) -> list[Entry]:
        """Autocomplete from memory: relevant entries first, a sensible list for empty input."""
        limit = max(1, min(limit, 25))
        pool = [e for e in self.kb.entries.values() if not kinds or e.kind in kinds]  # type: ignore[attr-defined]
        text = default_process(clean(current or ""))[:100]
        if not text:
            return sorted(pool, key=self._default_order)[:limit]
        names = [(n, e) for n, e in self._names if not kinds or e.kind in kinds]  # type: ignore[attr-defined]
        processed = [n for n, _ in names]
        owners = [e for _, e in names]
        ranked: dict[str, tuple[float, Entry]] = {}
        for i, name in enumerate(processed):
            if name.startswith(text) or f" {text}" in f" {name}":
                score = 200.0 - len(name) / 100
                if ranked.get(owners[i].id, (0.0,))[0] < score:
                    ranked[owners[i].id] = (score, owners[i])
        for _choice, score, i in process.extract(
            text, processed, scorer=fuzz.WRatio, processor=None, score_cutoff=55, limit=limit * 3
        ):
            if ranked.get(owners[i].id, (0.0,))[0] < score:
                ranked[owners[i].id] = (score, owners[i])
        best = sorted(ranked.values(), key=lambda pair: (-pair[0], self._default_order(pair[1])))
        return [entry for _score, entry in best[:limit]]

    def list_kind(self, kind: str, intents: Sequence[str] = ()) -> Answer:
        """Every entry of one kind with its key figures (the career ladder, the states...)."""
        return self._kind_list(KIND_PLURAL.get(kind, kind), kind, set(intents))

    def find(self, text: str, kinds: Sequence[str] = ()) -> Entry | None:
        """One entry for an option value: an id, a name or alias (typos allowed), else None."""
        text = clean(text or "").strip()[:200]
        entry = self.kb.entries.get(text)
        if entry is not None and (not kinds or entry.kind in kinds):  # type: ignore[attr-defined]
            return entry
        for entry_id in self.matcher.analyse(text).entity_ids:
            entry = self.kb.entries[entry_id]
            if not kinds or entry.kind in kinds:  # type: ignore[attr-defined]
                return entry
        ids = self.matcher.suggest(text, limit=1, kinds=tuple(kinds), cutoff=85)
        return self.kb.entries[ids[0]] if ids else None

    # -- deciding what was asked ----------------------------------------------------------------
    def _decide(self, query: str, a: Analysis) -> Answer:
        if a.greeting and not a.hits:
            return self._unanswered(
                query,
                "Hi! I answer questions about medical coding pay, credentials, states, "
                "specialties and careers from a 2026 salary and career guide. Try: what does "
                "CRC pay? · coder salary in California · CPC vs CCS",
                suggest=False,
            )
        if _asks_for_a_code(query) and not any(
            not isinstance(self.kb.entries[i], Topic) for i in a.entity_ids
        ):
            return self._code_lookup(query)
        answer = self._route(query, a)
        if a.amount is not None and answer.answered and answer.topic in self.kb.entries:
            figure = self._figure(self.kb.entries[answer.topic])
            if figure is not None and figure.unit == "usd_year" and figure.low is not None:
                high = figure.high if figure.high is not None else figure.low
                where = (
                    "below"
                    if a.amount < figure.low
                    else "above"
                    if a.amount > high and not figure.open_ended
                    else "within"
                )
                note = f"${a.amount:,.0f} is {where} the guide's {figure.text} for this."
                answer = replace(answer, notes=(note, *answer.notes))
        if self._asks_exam_logistics(a):
            answer = replace(
                answer,
                lead=(
                    "The guide does not cover exam fees, dates, passing scores or registration: "
                    "AAPC (CPC, CRC, CPMA) and AHIMA (CCS) "
                    f"publish those. What the guide does have:\n{answer.lead}"
                ),
            )
        if a.unknown_place is None:
            return answer
        if a.unknown_place.isdigit():
            gap = f"The guide's figures are for 2026; it has none for {a.unknown_place}"
        else:
            gap = f"The guide has no figure for {a.unknown_place}"
        if not answer.answered:
            return replace(answer, lead=f"{gap}.")
        if not a.hits:  # a general answer stands in for the place: say so first
            rest = (
                "the guide's national picture"
                if answer.topic == "topic-national"
                else "what it has"
            )
            return replace(answer, lead=f"{gap}; here is {rest}.\n{answer.lead}")
        return replace(answer, notes=(*answer.notes, f"{gap}; the figures above are not for it."))

    def _route(self, query: str, a: Analysis) -> Answer:
        entries = [self.kb.entries[i] for i in a.entity_ids]
        ambiguous = [h for h in a.hits if h.runner_up]
        if len(entries) == 1 and ambiguous and not a.keywords:
            hit = ambiguous[0]
            return self._unanswered(
                query,
                "I am not sure which one you mean.",
                ids=[hit.entry_id, hit.runner_up or ""],
            )
        ranking = a.intents & {"highest", "lowest"}
        kinds = list(dict.fromkeys(a.kinds))
        if ranking and a.unknown_place and all(isinstance(e, Topic) for e in entries):
            # "which employer pays the best": the guide ranks no employers.
            return self._unanswered(query, f"The guide has no figures for {a.unknown_place}.")
        if a.off_domain and not set(a.tokens) & vocab.CODING_WORDS:
            return self._unanswered(
                query,
                f"The guide covers medical coding careers only; it has nothing on "
                f"{a.off_domain[0]} pay.",
            )
        if a.level is not None and not entries:
            level = next((lv for lv in self.levels if lv.level == a.level), None)
            if level is not None:
                entries = [level]
        # "best paying alternative career": a topic that covers a kind ranks or lists it.
        overview = entries if entries else [self.kb.entries[h.entry_id] for h in a.keywords[:1]]
        covered = getattr(overview[0], "covers", None) if len(overview) == 1 else None
        if covered and not kinds and (ranking or "list" in a.intents):
            kinds, entries = [covered], []
        if ranking and (kinds or not entries) and len(entries) < 2:
            direction = "lowest" if "lowest" in ranking and "highest" not in ranking else "highest"
            return self._ranking(query, kinds[0] if kinds else None, direction, a)
        if len(entries) >= 2:
            return self._several(query, entries, a)
        if len(entries) == 1:
            return self._one(query, entries[0], a.intents)
        if a.amount is not None and not kinds and a.figure_owner is None:
            return self._by_amount(query, a.amount, a.reaching)
        if a.years is not None and a.intents & {"pay", "experience"}:
            return self._by_years(query, a.years)
        if kinds:
            return self._kind_list(query, kinds[0], a.intents)
        if a.figure_owner is not None:  # "28% more?": a figure only one entry states
            return self._one(query, self.kb.entries[a.figure_owner], a.intents)
        if a.keywords:
            entry = self.kb.entries[a.keywords[0].entry_id]
            return self._one(query, entry, a.intents)
        study = a.intents <= {"meaning", "compare", "list", "skills"}  # not a career question
        tip = self.study.search(query) if study else None
        if tip is not None:  # "when do I use modifier 25": a study question, not a career one
            return self._tip_answer(query, tip)
        if "experience" in a.intents and self.kb.of_kind("experience_band"):
            return self._kind_list(query, "experience_band", a.intents)
        for intent in ("pay", "next", "previous", "path", "skills", "demand", "issuer"):
            target = INTENT_DEFAULTS.get(intent)
            if intent in a.intents and target in self.kb.entries and (a.domain or intent == "pay"):
                return self._one(query, self.kb.entries[target], a.intents)
        return self._unanswered(
            query, "I couldn't match that to anything in the 2026 medical coding career guide."
        )

    def _asks_exam_logistics(self, a: Analysis) -> bool:
        toks = set(a.tokens)
        if not toks & vocab.LOGISTICS:
            return False
        credential = any(isinstance(self.kb.entries[i], Credential) for i in a.entity_ids)
        return bool(toks & vocab.EXAM_WORDS) or (credential and bool(toks & {"passing", "pass"}))

    # -- study questions ------------------------------------------------------------------------
    def _tip_answer(self, query: str, tip: Tip) -> Answer:
        label = TIP_CATEGORY_LABELS.get(tip.category, tip.category)
        return Answer(
            query=query,
            answered=True,
            topic=tip.id,
            title=f"Study tip · {label}",
            lead=tip.text,
            sources=(tip.source or TIPS_SOURCE,),
            entries=(tip.id,),
        )

    def _code_lookup(self, query: str) -> Answer:
        lead = (
            "I don't look up codes or quote code descriptions: CPT code descriptions are the "
            "AMA's copyright. Find it in your current code book: the Alphabetic Index first, "
            "then the Tabular List (ICD-10-CM) or the section's guidelines (CPT)."
        )
        tip = self.study.search(query)
        fields = (Field(f"Related study tip ({tip.id})", tip.text),) if tip else ()
        answer = self._unanswered(query, lead, ids=[i for i in CODE_SUGGESTIONS])
        return replace(answer, title="Code look-ups are not something I do", fields=fields)

    # -- composing ------------------------------------------------------------------------------
    def _finish(
        self,
        query: str,
        main: Entry,
        title: str,
        lead: str,
        fields: list[Field],
        used: Iterable[Entry],
        notes: Sequence[str] = (),
        intents: Iterable[str] = (),
    ) -> Answer:
        used = list({e.id: e for e in reversed([main, *used])}.values())[::-1]
        sources = self._sources(used)
        return Answer(
            query=query,
            answered=True,
            topic=main.id,
            title=title[:256],
            lead=lead,
            fields=tuple(fields[:25]),
            notes=tuple(notes),
            sources=tuple(sources),
            entries=tuple(e.id for e in used),
            intents=tuple(sorted(intents)),
        )

    def _unanswered(
        self, query: str, lead: str, ids: Sequence[str] = (), suggest: bool = True
    ) -> Answer:
        ids = [i for i in ids if i in self.kb.entries]
        if suggest and not ids:
            ids = self.matcher.suggest(query)
        if not ids:
            ids = [i for i in DEFAULT_SUGGESTIONS if i in self.kb.entries][:3]
        return Answer(
            query=query,
            answered=False,
            topic=None,
            title="Not in the guide" if suggest else "Ask me something",
            lead=lead,
            suggestions=tuple(self.kb.entries[i].name for i in ids[:3]),
            suggestion_ids=tuple(ids[:3]),
        )

    def _one(self, query: str, entry: Entry, intents: set[str]) -> Answer:
        if isinstance(entry, CareerLevel) and intents & {"next", "previous"}:
            return self._step(query, entry, "next" if "next" in intents else "previous")
        title, lead, fields, used, notes = self._describe(entry, intents)
        return self._finish(query, entry, title, lead, fields, used, notes, intents)

    def _describe(
        self, entry: Entry, intents: set[str]
    ) -> tuple[str, str, list[Field], list[Entry], list[str]]:
        """Title, lead, fields, entries used and notes for one entry."""
        used: list[Entry] = []
        notes: list[str] = []
        fields: list[Field] = []
        points = "".join(f"\n• {p}" for p in entry.points)
        if isinstance(entry, State):
            return self._state(entry)
        if isinstance(entry, Place):
            return self._place(entry)
        if isinstance(entry, Credential):
            return self._credential(entry, intents)
        if isinstance(entry, Specialty):
            lead = (
                f"{entry.name} coding pays {entry.salary.text}. Certification: "
                f"{entry.certification}; demand: {entry.demand}."
            )
            fields = [
                Field("Salary range", entry.salary.text),
                Field("Certification", entry.certification),
                Field("Demand", entry.demand),
            ]
            for other in self._refs(entry.related):
                if isinstance(other, Topic):
                    fields.append(Field(other.name, self._brief(other)))
                    used.append(other)
            return entry.name, lead + points, fields, used, notes
        if isinstance(entry, CareerLevel):
            return self._level(entry, intents)
        if isinstance(entry, AltCareer):
            lead = f"{entry.name} pays {entry.salary.text}. How to get there: {entry.path}."
            fields = [Field("Salary", entry.salary.text), Field("How to get there", entry.path)]
            creds = self._refs(entry.credentials)
            if creds:
                fields.append(Field("Credentials", _join(self._cred_name(c) for c in creds)))
            return entry.name, _sentence(lead) + points, fields, used, notes
        if isinstance(entry, CertStatus):
            lead = (
                f"{entry.name}: {entry.salary.text} average salary. Job access: {entry.job_access}."
            )
            fields = [
                Field("Average salary", entry.salary.text),
                Field("Job access", entry.job_access),
            ]
            return entry.name, lead + points, fields, used, notes
        if isinstance(entry, ExperienceBand):
            lead = f"{entry.name}: {entry.salary.text}."
            fields = [Field(entry.salary.label, entry.salary.text)]
            if entry.summary:
                lead += " " + entry.summary
            return entry.name, lead + points, fields, used, notes
        if isinstance(entry, WorkModel):
            lead = (
                f"{entry.name}: {entry.share.text} of coding jobs. Salary impact: "
                f"{_sentence(entry.salary_impact)}"
            )
            fields = [
                Field("Share of coding jobs", entry.share.text),
                Field("Salary impact", entry.salary_impact),
            ]
            return entry.name, lead + points, fields, used, notes
        # A topic: its summary, its facts as fields, its points as bullets.
        lead = entry.summary or (entry.points[0] if entry.points else entry.name)
        bullets = entry.points if entry.summary else entry.points[1:]
        lead = _sentence(lead) + "".join(f"\n• {p}" for p in bullets)
        fields = [Field(f.label, f.text) for f in entry.facts]
        return entry.name, lead, fields, used, notes

    def _state(self, state: State) -> tuple[str, str, list[Field], list[Entry], list[str]]:
        used: list[Entry] = []
        if state.salary is not None:
            where = (
                "of the guide's top 10 highest-paying states"
                if state.tier == "top"
                else "among the guide's lowest-paying states"
            )
            lead = (
                f"Coders in {state.name} earn a mean annual salary of {state.salary.text} "
                f"(rank {state.rank}, {where})."
            )
            fields = [Field(state.salary.label, state.salary.text), Field("Rank", str(state.rank))]
            if state.notes:
                fields.append(Field("Why", state.notes))
            notes = []
            if state.tier == "lowest":
                remote = self._remote_point()
                if remote:
                    notes.append(remote[0])
                    used += remote[1]
            return state.name, lead, fields, used, notes
        lead = f"The guide has no salary figure for {state.name}."
        fields = []
        national = self.kb.entries.get("topic-national")
        if national is not None:
            for fact in national.facts:
                if fact.label.lower().startswith("median"):
                    fields.append(
                        Field(f"National {fact.label[0].lower()}{fact.label[1:]}", fact.text)
                    )
            used.append(national)
        top = self._ranked_states("highest")
        if top:
            fields.append(
                Field("Highest-paying in the guide", f"{top[0].name}: {top[0].salary.text}")
            )  # type: ignore[union-attr]
            used.append(top[0])
        notes = []
        remote = self._remote_point()
        if remote:
            notes.append(remote[0])
            used += remote[1]
        return state.name, lead, fields, used, notes

    def _place(self, place: Place) -> tuple[str, str, list[Field], list[Entry], list[str]]:
        """A city points to its state; a place abroad gets the plain fact and the US picture."""
        if place.state is None:
            _title, lead, fields, used, notes = (
                self._describe(self.kb.entries["topic-national"], set())
                if "topic-national" in self.kb.entries
                else (place.name, "", [], [], [])
            )
            lead = (
                f"The guide has no figure for {place.name}: it covers the United States only. "
                f"For reference, the US picture: {lead}"
            )
            return place.name, lead, fields, used, notes
        state = self.kb.entries[place.state]
        _title, lead, fields, used, notes = self._state(state)  # type: ignore[arg-type]
        lead = (
            f"The guide has no figure for {place.name}: it gives figures by state, not by "
            f"city. {place.name} is in {state.name}. {lead}"
        )
        return place.name, lead, fields, [state, *used], notes

    def _remote_point(self) -> tuple[str, list[Entry]] | None:
        work = next((e for e in self.kb.of_kind("work_model") if "full" in e.name.lower()), None)
        if work is None:
            return None
        return (
            f"Remote work: {work.share.text} of coding positions are fully remote, so a coder "  # type: ignore[attr-defined]
            "anywhere can work for an employer in a high-paying state.",
            [work],
        )

    def _credential(
        self, cred: Credential, intents: set[str]
    ) -> tuple[str, str, list[Field], list[Entry], list[str]]:
        used: list[Entry] = []
        title = f"{cred.abbreviation}: {cred.full_name}"
        issuer = (
            f"It is issued by {cred.issuer}."
            if cred.issuer
            else f"The guide does not name the body that issues {cred.abbreviation}."
        )
        pay = self._refs(cred.salary_from)
        if intents & {"issuer"}:
            lead = (
                f"{cred.abbreviation} ({cred.full_name}) is issued by {cred.issuer}."
                if cred.issuer
                else issuer
            )
        elif intents & {"meaning"} and not intents & {"pay"}:
            lead = f"{cred.abbreviation} stands for {cred.full_name}. {issuer}"
        else:
            lead = f"{cred.abbreviation} ({cred.full_name}). {issuer}"
            if pay:
                first = _salary(pay[0])
                if first is not None:
                    lead += f" Pay the guide ties to it: {pay[0].name}, {first.text}."
        if cred.summary:
            lead += " " + cred.summary
        lead += "".join(f"\n• {p}" for p in cred.points)
        fields = [Field("Issued by", cred.issuer or "Not named in the guide")]
        for entry in pay:
            fields.append(Field(entry.name, self._brief(entry)))
            used.append(entry)
        specs = [s for s in self._refs(cred.specialties) if s not in pay]
        if specs:
            fields.append(
                Field("Specialties", _join(f"{s.name} ({_salary(s).text})" for s in specs))
            )  # type: ignore[union-attr]
            used += specs
        careers = [c for c in self._refs(cred.careers) if c not in pay]
        if careers:
            fields.append(
                Field(
                    "Careers",
                    _join(f"{c.name} ({s.text})" if (s := _salary(c)) else c.name for c in careers),
                )
            )
            used += careers
        return title, lead, fields, used, []

    def _level(
        self, level: CareerLevel, intents: set[str]
    ) -> tuple[str, str, list[Field], list[Entry], list[str]]:
        total = len(self.levels)
        skills = ", ".join(level.skills)
        if intents & {"skills"}:
            lead = f"Key skills for a {level.name}: {skills}."
        elif intents & {"experience"} and not intents & {"pay"}:
            lead = f"A {level.name} typically has {level.experience.text} of experience."
        elif intents & {"path"}:
            prev = self._neighbour(level, -1)
            lead = f"To become a {level.name}: typically {level.experience.text} of experience and {skills}."
            if prev is not None:
                lead += f" The step before it is {prev.name} ({prev.salary.text})."
        else:
            lead = (
                f"{level.name} is level {level.level} of {total} on the guide's coding career "
                f"ladder: {level.salary.text}, with {level.experience.text} of experience."
            )
        lead += "".join(f"\n• {p}" for p in level.points)
        fields = [
            Field("Salary range", level.salary.text),
            Field("Experience", level.experience.text),
            Field("Key skills", skills),
        ]
        used: list[Entry] = []
        nxt = self._neighbour(level, 1)
        if nxt is not None:
            fields.append(Field("Next step", f"{nxt.name} ({nxt.salary.text})"))
            used.append(nxt)
        return level.name, lead, fields, used, []

    def _neighbour(self, level: CareerLevel, step: int) -> CareerLevel | None:
        index = self.levels.index(level) + step
        return self.levels[index] if 0 <= index < len(self.levels) else None

    def _step(self, query: str, level: CareerLevel, direction: str) -> Answer:
        other = self._neighbour(level, 1 if direction == "next" else -1)
        if other is None:
            edge = "top" if direction == "next" else "first step"
            title, lead, fields, used, notes = self._describe(level, set())
            lead = f"{level.name} is the {edge} of the guide's career ladder. " + lead
            if direction == "next":
                alts = sorted(
                    self.kb.of_kind("alt_career"), key=lambda e: _salary(e).sort_key, reverse=True
                )  # type: ignore[union-attr]
                if alts:
                    fields.append(
                        Field(
                            "Beyond the ladder",
                            _join(f"{a.name} ({_salary(a).text})" for a in alts[:3]),
                        )  # type: ignore[union-attr]
                    )
                    used += alts[:3]
            return self._finish(query, level, title, lead, fields, used, notes, {direction})
        word = "After" if direction == "next" else "Before"
        title, lead, fields, used, notes = self._describe(other, set())
        lead = (
            f"{word} {level.name} (level {level.level}) comes {other.name} (level {other.level}): "
            f"{other.salary.text}, with {other.experience.text} of experience. Key skills: "
            f"{', '.join(other.skills)}."
        )
        return self._finish(query, other, title, lead, fields, [level, *used], notes, {direction})

    # -- several entries ------------------------------------------------------------------------
    def _several(self, query: str, entries: list[Entry], a: Analysis) -> Answer:
        states = [e for e in entries if isinstance(e, State | Place)]
        others = [e for e in entries if not isinstance(e, State | Place)]
        if states and others:
            # "what does CRC pay in Ohio": answer the part the guide covers, say what it does not.
            if len(others) == 1:
                base = self._one(query, others[0], a.intents)
            else:
                base = self._compare(query, others)
            notes = list(base.notes)
            used = [self.kb.entries[i] for i in base.entries]
            for state in states:
                if isinstance(state, Place):  # "CRC pay in Los Angeles": the city's state
                    where = f"The guide has no figure for {state.name}"
                    if state.state is None:
                        notes.append(f"{where}; it covers the United States only.")
                        used.append(state)
                        continue
                    notes.append(
                        f"{where}; it gives figures by state, and it is in "
                        f"{self.kb.entries[state.state].name}."
                    )
                    used.append(state)
                    state = self.kb.entries[state.state]
                if state.salary is not None:
                    notes.append(
                        f"In {state.name} the guide's mean for all coders is {state.salary.text} "
                        f"(rank {state.rank}); it gives no {base.title.split(':')[0]} pay by state."
                    )
                else:
                    notes.append(
                        f"The guide has no figure for {state.name}; the figures above are the "
                        "guide's national ones."
                    )
                used.append(state)
            sources = self._sources(used)
            return Answer(
                query=query,
                answered=True,
                topic=base.topic,
                title=base.title,
                lead=base.lead,
                fields=base.fields,
                notes=tuple(notes),
                sources=tuple(sources),
                entries=tuple(dict.fromkeys(e.id for e in used)),
                intents=base.intents,
            )
        specific = [e for e in entries if not isinstance(e, Topic)]
        if specific and "pay" in a.intents and "compare" not in a.intents:
            # "how much does AHIMA's CCS pay": a topic named in passing is context, not a subject.
            entries = specific
            if len(entries) == 1:
                return self._one(query, entries[0], a.intents)
        if not specific and "compare" not in a.intents:
            return self._one(query, entries[0], a.intents)  # topics only: the first is the subject
        kinds = {e.kind for e in entries}  # type: ignore[attr-defined]
        if "compare" in a.intents or len(kinds) == 1 or "pay" in a.intents:
            return self._compare(query, entries, a.intents)
        main = entries[0]
        title, lead, fields, used, notes = self._describe(main, a.intents)
        for other in entries[1:]:
            fields.append(Field(f"Also: {other.name}", self._brief(other)))
            used.append(other)
        return self._finish(query, main, title, lead, fields, used, notes, a.intents)

    def _compare(self, query: str, entries: list[Entry], intents: set[str] = frozenset()) -> Answer:
        entries = entries[:4]
        fields = [Field(self._label(e), self._brief(e)) for e in entries]
        used = list(entries)
        for entry in entries:
            if isinstance(entry, Credential):
                used += self._refs(entry.salary_from)
        figures = [(e, self._figure(e)) for e in entries]
        known = [(e, f) for e, f in figures if f is not None and f.unit in {"usd_year", None}]
        parts = [
            f"{self._label(e)}{self._state_of(e)}: {f.text}"
            if f
            else f"{self._label(e)}: no figure in the guide"
            if isinstance(e, State | Place)
            else f"{self._label(e)}: {self._brief(e)}"
            for e, f in figures
        ]
        lead = (
            "Side by side, by the guide's figures. " + "; ".join(p.rstrip(".") for p in parts) + "."
        )
        if len(known) >= 2:
            ordered = sorted(known, key=lambda pair: pair[1].sort_key, reverse=True)
            if ordered[0][1].sort_key != ordered[1][1].sort_key:
                if "lowest" in intents and "highest" not in intents:
                    lead += f" {self._label(ordered[-1][0])} pays less."
                else:
                    lead += f" {self._label(ordered[0][0])} pays more."
        notes = [
            f"The guide has no salary figure for {e.name}."
            for e in entries
            if isinstance(e, State) and e.salary is None
        ]
        title = " vs ".join(self._label(e) for e in entries)
        return self._finish(query, entries[0], title, lead, fields, used, notes, {"compare"})

    # -- lists and rankings ---------------------------------------------------------------------
    def _ranked_states(self, direction: str) -> list[State]:
        ranked = [s for s in self.kb.of_kind("state") if s.salary is not None]  # type: ignore[attr-defined]
        if direction == "highest":
            return sorted((s for s in ranked if s.tier == "top"), key=lambda s: s.rank)  # type: ignore[attr-defined,return-value]
        return sorted((s for s in ranked if s.tier == "lowest"), key=lambda s: s.salary.sort_key)  # type: ignore[attr-defined,return-value]

    def _ranking(self, query: str, kind: str | None, direction: str, a: Analysis) -> Answer:
        if kind is None:
            return self._top_of_everything(query, direction)
        if kind == "state":
            states = self._ranked_states(direction)
            if not states:
                return self._unanswered(query, "The guide ranks no states.")
            best = states[0]
            if a.ordinal and a.ordinal <= len(states):  # "the #3 highest paying state"
                best = states[a.ordinal - 1]
            word = "highest" if direction == "highest" else "lowest"
            place = f"number {a.ordinal} " if a.ordinal and best is not states[0] else ""
            lead = (
                f"The {place}{word}-paying state in the guide is {best.name} at "
                f"{best.salary.text} (mean annual salary)."  # type: ignore[union-attr]
            )
            fields = [
                Field(f"{s.rank}. {s.name}", s.salary.text + (f" ({s.notes})" if s.notes else ""))  # type: ignore[union-attr]
                for s in states
            ]
            notes = ["The guide lists only its top 10 and lowest 5 states; others have no figure."]
            for entry_id in a.entity_ids:  # "is Florida in the top 10?"
                named = self.kb.entries[entry_id]
                if isinstance(named, State) and named in states:
                    notes.insert(0, f"{named.name} ranks {named.rank}: {named.salary.text}.")  # type: ignore[union-attr]
                elif isinstance(named, State):
                    where = (
                        f"{named.name} is not among them: it ranks {named.rank} (mean "
                        f"{named.salary.text})"
                        if named.salary is not None
                        else f"{named.name} is not among them: the guide has no figure for it"
                    )
                    notes.insert(0, where + ".")
            used: list[Entry] = list(states)
            remote = self._remote_point()
            if remote:
                notes.append(remote[0])
                used += remote[1]
            title = f"{word.capitalize()}-paying states"
            return self._finish(query, best, title, lead, fields, used, notes, {direction})
        if kind == "credential":
            kind = (
                "cert_status"
                if "pay" in a.intents or not self._with_figures("credential")
                else kind
            )
        if "demand" in a.intents and any(getattr(e, "demand", None) for e in self.kb.of_kind(kind)):
            return self._by_demand(query, kind, direction)
        pool = [e for e in self._with_figures(kind) if self._figure(e).unit == "usd_year"]  # type: ignore[union-attr]
        if not pool:
            return self._kind_list(query, kind, a.intents)
        pool.sort(key=lambda e: self._figure(e).sort_key, reverse=direction == "highest")  # type: ignore[union-attr]
        best = pool[0]
        label = KIND_LABEL.get(kind, kind)
        lead = f"The {direction}-paying {label} in the guide is {self._label(best)} at {self._figure(best).text}."  # type: ignore[union-attr]
        fields = [Field(self._label(e), self._brief(e)) for e in pool[:10]]
        title = f"{direction.capitalize()}-paying {KIND_PLURAL.get(kind, kind)}"
        used = pool[:10]
        # What the guide says about the front-runners (e.g. its own "highest-paying niche").
        notes = []
        for entry in pool[:3]:
            for other in self._refs(entry.related):
                if isinstance(other, Topic) and other.summary and other.summary not in notes:
                    notes.append(other.summary)
                    used.append(other)
        return self._finish(query, best, title, lead, fields, used, notes, {direction})

    def _by_demand(self, query: str, kind: str, direction: str) -> Answer:
        pool = [e for e in self.kb.of_kind(kind) if getattr(e, "demand", None)]
        pool.sort(
            key=lambda e: DEMAND_ORDER.get(e.demand.lower(), 0), reverse=direction == "highest"
        )  # type: ignore[attr-defined]
        best = pool[0]
        word = "most" if direction == "highest" else "least"
        tied = [e.name for e in pool if e.demand == best.demand]  # type: ignore[attr-defined]
        names = tied[0] if len(tied) == 1 else ", ".join(tied[:-1]) + " and " + tied[-1]
        verb = "is" if len(tied) == 1 else "are"
        lead = f"By the guide's demand levels, {names} {verb} in the {word} demand: {best.demand}."  # type: ignore[attr-defined]
        fields = [Field(e.name, self._brief(e)) for e in pool[:10]]
        title = f"{KIND_PLURAL.get(kind, kind).capitalize()} by demand"
        return self._finish(query, best, title, lead, fields, pool[1:10], (), {direction, "demand"})

    def _with_figures(self, kind: str) -> list[Entry]:
        return [e for e in self.kb.of_kind(kind) if self._figure(e) is not None]

    def _top_of_everything(self, query: str, direction: str) -> Answer:
        fields: list[Field] = []
        used: list[Entry] = []
        for kind in ("career_level", "alt_career", "specialty", "cert_status"):
            pool = self._with_figures(kind)
            if not pool:
                continue
            pick = (max if direction == "highest" else min)(
                pool, key=lambda e: self._figure(e).sort_key
            )  # type: ignore[union-attr]
            fields.append(
                Field(f"{KIND_LABEL[kind].capitalize()}", f"{pick.name}: {self._figure(pick).text}")
            )  # type: ignore[union-attr]
            used.append(pick)
        states = self._ranked_states(direction)
        if states:
            fields.append(Field("State", f"{states[0].name}: {states[0].salary.text}"))  # type: ignore[union-attr]
            used.append(states[0])
        if not used:
            return self._unanswered(query, "The guide has no figures to rank.")
        lead = f"The {direction}-paying options in the guide, by kind:"
        return self._finish(
            query,
            used[0],
            f"{direction.capitalize()}-paying options",
            lead,
            fields,
            used[1:],
            (),
            {direction},
        )

    def _kind_list(self, query: str, kind: str, intents: set[str]) -> Answer:
        if kind == "credential" and "pay" in intents and self.kb.of_kind("cert_status"):
            kind = "cert_status"
        pool = self.kb.of_kind(kind)
        notes: list[str] = []
        if kind == "state":
            pool = self._ranked_states("highest") + self._ranked_states("lowest")[::-1]
            notes.append(
                "The guide gives figures for these 15 places only; other states have none."
            )
        if not pool:
            return self._unanswered(query, f"The guide lists no {KIND_PLURAL.get(kind, kind)}.")
        if kind == "career_level":
            pool = list(self.levels)
        fields = [Field(self._label(e), self._brief(e)) for e in pool[:25]]
        plural = KIND_PLURAL.get(kind, kind)
        lead = f"The guide's {plural}:"
        if kind == "credential":
            lead = "The credentials the guide names:"
        return self._finish(
            query, pool[0], f"{plural.capitalize()}", lead, fields, pool[1:25], notes, intents
        )

    def _by_years(self, query: str, years: float) -> Answer:
        fields: list[Field] = []
        used: list[Entry] = []
        for band in self.kb.of_kind("experience_band"):
            low, high = self._years_range(band.years or band.name)  # type: ignore[attr-defined]
            if low is not None and low <= years <= high:
                fields.append(Field(band.name, band.salary.text))  # type: ignore[attr-defined]
                used.append(band)
        for level in self.levels:
            exp = level.experience
            high = math.inf if exp.open_ended or exp.high is None else exp.high
            if exp.low is not None and exp.low <= years <= high:
                fields.append(
                    Field(f"{level.name} (level {level.level})", f"{level.salary.text}, {exp.text}")
                )
                used.append(level)
        if not used:
            return self._one(
                query,
                self.kb.entries.get("topic-national") or next(iter(self.kb.entries.values())),
                {"pay"},
            )
        shown = int(years) if float(years).is_integer() else years
        lead = f"With {shown} years of experience, the guide's figures that fit:"
        return self._finish(
            query,
            used[0],
            f"Pay at {shown} years",
            lead,
            fields,
            used[1:],
            (),
            {"pay", "experience"},
        )

    def _by_amount(self, query: str, amount: float, reaching: bool) -> Answer:
        """ "is 45k good?", "which jobs pay 100k+": the amount against the guide's ranges."""
        shown = f"${amount:,.0f}"
        pool = [
            e
            for e in self.kb.of_kind(*AMOUNT_KINDS)
            if (f := _salary(e)) is not None and f.unit == "usd_year" and f.low is not None
        ]
        national = self.kb.entries.get("topic-national")
        median = (
            next((f for f in national.facts if f.label.startswith("Median annual")), None)
            if national
            else None
        )
        if reaching:
            hits = [
                e
                for e in pool
                if (_salary(e).high or 0) >= amount
                or (_salary(e).open_ended and (_salary(e).low or 0) >= amount)
            ]  # type: ignore[union-attr]
            hits.sort(key=lambda e: _salary(e).sort_key, reverse=True)  # type: ignore[union-attr]
            if hits:
                lead = f"Ranges in the guide that reach {shown} a year:"
            else:
                top = max(pool, key=lambda e: _salary(e).sort_key)  # type: ignore[union-attr]
                lead = f"No range in the guide reaches {shown}; the highest is {top.name} at {_salary(top).text}."  # type: ignore[union-attr]
                hits = [top]
        else:
            hits = [e for e in pool if _salary(e).low <= amount <= (_salary(e).high or 0)]  # type: ignore[union-attr,operator]
            place = ""
            if median is not None and median.low is not None:
                side = "above" if amount > median.low else "below" if amount < median.low else "at"
                place = f" It is {side} the national median of {median.text}."
            lead = f"{shown} a year against the guide's figures.{place} Ranges it falls within:"
            if not hits and all((_salary(e).high or 0) < amount for e in pool):  # type: ignore[union-attr]
                return self._by_amount(query, amount, reaching=True)
            if not hits:
                lead = f"{shown} a year against the guide's figures.{place} It falls within none of the guide's ranges."
        fields = [Field(e.name, self._brief(e)) for e in hits[:15]]
        used = hits[:15] + ([national] if national else [])
        main = hits[0] if hits else (national or pool[0])
        return self._finish(query, main, f"{shown} and the guide", lead, fields, used, (), {"pay"})

    @staticmethod
    def _years_range(text: str) -> tuple[float | None, float]:
        match = _RANGE.search(text)
        if not match:
            return None, 0.0
        if match.group(3):
            return float(match.group(3)), math.inf
        return float(match.group(1)), float(match.group(2))

    # -- small helpers ------------------------------------------------------------------------
    def _sources(self, used: Iterable[Entry]) -> list[str]:
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

    def _refs(self, ids: Iterable[str]) -> list[Entry]:
        return [self.kb.entries[i] for i in ids if i in self.kb.entries]

    def _figure(self, entry: Entry) -> Figure | None:
        if isinstance(entry, Place):
            return self._figure(self.kb.entries[entry.state]) if entry.state else None
        if isinstance(entry, Credential):
            for other in self._refs(entry.salary_from):
                if (fig := _salary(other)) is not None:
                    return fig
            return None
        return _salary(entry)

    def _state_of(self, entry: Entry) -> str:
        """ " (Texas)" after a city's name, where a state figure stands in for it."""
        if isinstance(entry, Place) and entry.state:
            return f" ({self.kb.entries[entry.state].name}, the state)"
        return ""

    @staticmethod
    def _label(entry: Entry) -> str:
        if isinstance(entry, Credential):
            return entry.abbreviation
        return entry.name

    def _cred_name(self, cred: Entry) -> str:
        return cred.abbreviation if isinstance(cred, Credential) else cred.name

    def _brief(self, entry: Entry) -> str:
        """One line with an entry's key figures, for comparisons and lists."""
        if isinstance(entry, Place):
            if entry.state is None:
                return "Outside the United States: no figure in the guide"
            state = self.kb.entries[entry.state]
            return f"No city figure; its state, {state.name}: {self._brief(state)}"
        if isinstance(entry, State):
            if entry.salary is None:
                return "No figure in the guide"
            return f"{entry.salary.text} mean (rank {entry.rank})" + (
                f"; {entry.notes}" if entry.notes else ""
            )
        if isinstance(entry, Credential):
            parts = [
                entry.full_name,
                f"issued by {entry.issuer}" if entry.issuer else "issuer not named",
            ]
            parts += [
                f"{p.name}: {f.text}" for p in self._refs(entry.salary_from) if (f := _salary(p))
            ]
            return _join(parts)
        if isinstance(entry, Specialty):
            return f"{entry.salary.text}; {entry.certification}; demand {entry.demand}"
        if isinstance(entry, CareerLevel):
            return f"Level {entry.level}: {entry.salary.text}; {entry.experience.text}; {', '.join(entry.skills)}"
        if isinstance(entry, AltCareer):
            return f"{entry.salary.text}; {entry.path}"
        if isinstance(entry, CertStatus):
            return f"{entry.salary.text}; {entry.job_access}"
        if isinstance(entry, ExperienceBand):
            return entry.salary.text
        if isinstance(entry, WorkModel):
            return f"{entry.share.text} of jobs; {entry.salary_impact}"
        if entry.facts:
            return _join(f"{f.label}: {f.text}" for f in entry.facts[:4])
        return entry.summary or _join(entry.points[:2])

    @staticmethod
    def _default_order(entry: Entry) -> tuple[int, int, str]:
        """Autocomplete's order for empty input: credentials, then ranked states, ..."""
        kind = entry.kind  # type: ignore[attr-defined]
        rank = getattr(entry, "rank", None) or getattr(entry, "level", None) or 99
        return (DISPLAY_ORDER.index(kind) if kind in DISPLAY_ORDER else 99, rank, entry.name)
