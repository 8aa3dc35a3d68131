"""How each kind of entry is described: a presenter per kind, registered with `@presents`.

A kind with no presenter of its own gets `Presenter`, which shows its summary, points and
every figure its spec names, so a new kind is never shown wrongly, only plainly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from bot.engine.answer import Answer, Field
from bot.engine.compose import Composer, Description, bullets, join, sentence
from bot.knowledge.models import (
    AltCareer,
    CareerLevel,
    CertStatus,
    Credential,
    Entry,
    ExperienceBand,
    Figure,
    Place,
    PlanStage,
    Specialty,
    State,
    Topic,
    WorkModel,
)

E = TypeVar("E", bound=Entry)


class Presenter(Generic[E]):
    """The default: any kind, described from its spec."""

    # How a list of this kind begins; None: "The guide's <plural>:".
    list_lead: str | None = None

    def __init__(self, composer: Composer) -> None:
        self.c = composer

    def label(self, entry: E) -> str:
        return entry.name

    def figure(self, entry: E) -> Figure | None:
        return entry.headline()

    def rank(self, entry: E) -> int:
        """Its place among its kind where the guide orders them (a state's rank, a level)."""
        return 99

    def listing(self, entries: list[E]) -> list[E]:
        """Entries of this kind in the order a list shows them."""
        return entries

    def list_note(self, shown: list[E]) -> str | None:
        """What a list of this kind should say about itself."""
        return None

    def ranking(
        self, query: str, direction: str, ordinal: int | None, named: list[Entry]
    ) -> Answer | None:
        """A ranking of this kind the guide gives its own way; None: rank by the figure."""
        return None

    def brief(self, entry: E) -> str:
        figures = entry.figures()
        if figures:
            return join(f"{f.label}: {f.text}" for f in figures[:4])
        return entry.summary or join(entry.points[:2])

    def describe(self, entry: E, intents: set[str]) -> Description:
        lead = entry.summary or (entry.points[0] if entry.points else entry.name)
        points = entry.points if entry.summary else entry.points[1:]
        fields = [Field(f.label, f.text) for f in entry.figures()]
        return Description(entry.name, sentence(lead) + bullets(points), fields)


AnyPresenter = type[Presenter[Any]]
P = TypeVar("P", bound=AnyPresenter)
PRESENTERS: dict[str, AnyPresenter] = {}


def presents(kind: str) -> Callable[[P], P]:
    """Register a presenter for one kind of entry."""

    def register(cls: P) -> P:
        PRESENTERS[kind] = cls
        return cls

    return register


def presenter_for(kind: str) -> AnyPresenter:
    return PRESENTERS.get(kind, Presenter)


@presents("topic")
class TopicPresenter(Presenter[Topic]):
    """A topic: its summary, its facts as fields, its points as bullets."""


@presents("state")
class StatePresenter(Presenter[State]):
    def rank(self, entry: State) -> int:
        return entry.rank or 99

    def listing(self, entries: list[State]) -> list[State]:
        return self.c.ranked_states("highest") + self.c.ranked_states("lowest")[::-1]

    def list_note(self, shown: list[State]) -> str | None:
        return (
            f"The guide gives figures for these {len(shown)} places only; other states have none."
        )

    def ranking(
        self, query: str, direction: str, ordinal: int | None, named: list[Entry]
    ) -> Answer | None:
        """The guide ranks its top states and its lowest-paying ones, and no others."""
        c = self.c
        states = c.ranked_states(direction)
        if not states:
            return c.unanswered(query, "The guide ranks no states.")
        best = states[0]
        if ordinal and ordinal <= len(states):  # "the #3 highest paying state"
            best = states[ordinal - 1]
        place = f"number {ordinal} " if ordinal and best is not states[0] else ""
        lead = (
            f"The {place}{direction}-paying state in the guide is {best.name} at "
            f"{_text(best)} (mean annual salary)."
        )
        fields = [
            Field(f"{s.rank}. {s.name}", _text(s) + (f" ({s.notes})" if s.notes else ""))
            for s in states
        ]
        top, lowest = len(c.ranked_states("highest")), len(c.ranked_states("lowest"))
        notes = [
            f"The guide lists only its top {top} and lowest {lowest} states; others have no figure."
        ]
        for entry in named:  # "is Florida in the top 10?"
            if isinstance(entry, State) and entry in states:
                notes.insert(0, f"{entry.name} ranks {entry.rank}: {_text(entry)}.")
            elif isinstance(entry, State):
                where = (
                    f"{entry.name} is not among them: it ranks {entry.rank} (mean {_text(entry)})"
                    if entry.salary is not None
                    else f"{entry.name} is not among them: the guide has no figure for it"
                )
                notes.insert(0, where + ".")
        used: list[Entry] = list(states)
        remote = c.remote_point()
        if remote:
            notes.append(remote[0])
            used += remote[1]
        title = f"{direction.capitalize()}-paying states"
        return c.finish(query, best, title, lead, fields, used, notes, {direction})

    def brief(self, entry: State) -> str:
        if entry.salary is None:
            return "No figure in the guide"
        return f"{entry.salary.text} mean (rank {entry.rank})" + (
            f"; {entry.notes}" if entry.notes else ""
        )

    def describe(self, entry: State, intents: set[str]) -> Description:
        if entry.salary is not None:
            return self._with_figure(entry, entry.salary)
        d = Description(entry.name, f"The guide has no salary figure for {entry.name}.")
        national = self.c.national
        if national is not None:
            for fact in self.c.medians():
                d.fields.append(
                    Field(f"National {fact.label[0].lower()}{fact.label[1:]}", fact.text)
                )
            d.used.append(national)
        top = self.c.ranked_states("highest")
        if top and top[0].salary is not None:
            d.fields.append(
                Field("Highest-paying in the guide", f"{top[0].name}: {top[0].salary.text}")
            )
            d.used.append(top[0])
        self._remote(d)
        return d

    def _with_figure(self, state: State, salary: Figure) -> Description:
        if state.tier == "top":
            where = (
                f"of the guide's top {len(self.c.ranked_states('highest'))} highest-paying states"
            )
        else:
            where = "among the guide's lowest-paying states"
        lead = (
            f"Coders in {state.name} earn a mean annual salary of {salary.text} "
            f"(rank {state.rank}, {where})."
        )
        fields = [Field(salary.label, salary.text), Field("Rank", str(state.rank))]
        if state.notes:
            fields.append(Field("Why", state.notes))
        d = Description(state.name, lead, fields)
        if state.tier == "lowest":
            self._remote(d)
        return d

    def _remote(self, d: Description) -> None:
        remote = self.c.remote_point()
        if remote:
            d.notes.append(remote[0])
            d.used += remote[1]


def _text(state: State) -> str:
    return state.salary.text if state.salary is not None else ""


@presents("place")
class PlacePresenter(Presenter[Place]):
    """A city points to its state; a place abroad gets the plain fact and the US picture."""

    def figure(self, entry: Place) -> Figure | None:
        return self.c.figure(self.c.kb.entries[entry.state]) if entry.state else None

    def brief(self, entry: Place) -> str:
        if entry.state is None:
            return "Outside the United States: no figure in the guide"
        state = self.c.kb.entries[entry.state]
        return f"No city figure; its state, {state.name}: {self.c.brief(state)}"

    def describe(self, entry: Place, intents: set[str]) -> Description:
        if entry.state is None:
            national = self.c.national
            d = (
                self.c.describe(national, set())
                if national is not None
                else Description(entry.name, "")
            )
            lead = (
                f"The guide has no figure for {entry.name}: it covers the United States only. "
                f"For reference, the US picture: {d.lead}"
            )
            return Description(entry.name, lead, d.fields, d.used, d.notes)
        state = self.c.kb.entries[entry.state]
        d = self.c.describe(state, set())
        lead = (
            f"The guide has no figure for {entry.name}: it gives figures by state, not by "
            f"city. {entry.name} is in {state.name}. {d.lead}"
        )
        return Description(entry.name, lead, d.fields, [state, *d.used], d.notes)


@presents("credential")
class CredentialPresenter(Presenter[Credential]):
    list_lead = "The credentials the guide names:"

    def label(self, entry: Credential) -> str:
        return entry.abbreviation

    def figure(self, entry: Credential) -> Figure | None:
        for other in self.c.refs(entry.salary_from):
            if (fig := other.headline()) is not None:
                return fig
        return None

    def brief(self, entry: Credential) -> str:
        parts = [
            entry.full_name,
            f"issued by {entry.issuer}" if entry.issuer else "issuer not named",
        ]
        parts += [
            f"{p.name}: {f.text}" for p in self.c.refs(entry.salary_from) if (f := p.headline())
        ]
        return join(parts)

    def describe(self, entry: Credential, intents: set[str]) -> Description:
        abbr = entry.abbreviation
        issuer = (
            f"It is issued by {entry.issuer}."
            if entry.issuer
            else f"The guide does not name the body that issues {abbr}."
        )
        pay = self.c.refs(entry.salary_from)
        if intents & {"issuer"}:
            lead = (
                f"{abbr} ({entry.full_name}) is issued by {entry.issuer}."
                if entry.issuer
                else issuer
            )
        elif intents & {"meaning"} and not intents & {"pay"}:
            lead = f"{abbr} stands for {entry.full_name}. {issuer}"
        else:
            lead = f"{abbr} ({entry.full_name}). {issuer}"
            first = pay[0].headline() if pay else None
            if first is not None:
                lead += f" Pay the guide ties to it: {pay[0].name}, {first.text}."
        if entry.summary:
            lead += " " + entry.summary
        lead += bullets(entry.points)
        d = Description(f"{abbr}: {entry.full_name}", lead)
        d.fields.append(Field("Issued by", entry.issuer or "Not named in the guide"))
        for other in pay:
            d.fields.append(Field(other.name, self.c.brief(other)))
            d.used.append(other)
        specs = [s for s in self.c.refs(entry.specialties) if s not in pay]
        if specs:
            d.fields.append(Field("Specialties", join(_named_figure(s) for s in specs)))
            d.used += specs
        careers = [c for c in self.c.refs(entry.careers) if c not in pay]
        if careers:
            d.fields.append(Field("Careers", join(_named_figure(c) for c in careers)))
            d.used += careers
        return d


def _named_figure(entry: Entry) -> str:
    figure = entry.headline()
    return f"{entry.name} ({figure.text})" if figure else entry.name


@presents("specialty")
class SpecialtyPresenter(Presenter[Specialty]):
    def brief(self, entry: Specialty) -> str:
        return f"{entry.salary.text}; {entry.certification}; demand {entry.demand}"

    def describe(self, entry: Specialty, intents: set[str]) -> Description:
        lead = (
            f"{entry.name} coding pays {entry.salary.text}. Certification: "
            f"{entry.certification}; demand: {entry.demand}."
        )
        d = Description(entry.name, lead + bullets(entry.points))
        d.fields = [
            Field("Salary range", entry.salary.text),
            Field("Certification", entry.certification),
            Field("Demand", entry.demand),
        ]
        for other in self.c.refs(entry.related):
            if isinstance(other, Topic):
                d.fields.append(Field(other.name, self.c.brief(other)))
                d.used.append(other)
        return d


@presents("career_level")
class CareerLevelPresenter(Presenter[CareerLevel]):
    def rank(self, entry: CareerLevel) -> int:
        return entry.level

    def listing(self, entries: list[CareerLevel]) -> list[CareerLevel]:
        return list(self.c.ladder)

    def brief(self, entry: CareerLevel) -> str:
        return (
            f"Level {entry.level}: {entry.salary.text}; {entry.experience.text}; "
            f"{', '.join(entry.skills)}"
        )

    def neighbour(self, level: CareerLevel, step: int) -> CareerLevel | None:
        ladder = self.c.ladder
        index = self.c.ladder_index[level.id] + step
        return ladder[index] if 0 <= index < len(ladder) else None

    def describe(self, entry: CareerLevel, intents: set[str]) -> Description:
        skills = ", ".join(entry.skills)
        if intents & {"skills"}:
            lead = f"Key skills for a {entry.name}: {skills}."
        elif intents & {"experience"} and not intents & {"pay"}:
            lead = f"A {entry.name} typically has {entry.experience.text} of experience."
        elif intents & {"path"}:
            prev = self.neighbour(entry, -1)
            lead = (
                f"To become a {entry.name}: typically {entry.experience.text} of experience "
                f"and {skills}."
            )
            if prev is not None:
                lead += f" The step before it is {prev.name} ({prev.salary.text})."
        else:
            lead = (
                f"{entry.name} is level {entry.level} of {len(self.c.ladder)} on the guide's "
                f"coding career ladder: {entry.salary.text}, with {entry.experience.text} of "
                "experience."
            )
        d = Description(entry.name, lead + bullets(entry.points))
        d.fields = [
            Field("Salary range", entry.salary.text),
            Field("Experience", entry.experience.text),
            Field("Key skills", skills),
        ]
        nxt = self.neighbour(entry, 1)
        if nxt is not None:
            d.fields.append(Field("Next step", f"{nxt.name} ({nxt.salary.text})"))
            d.used.append(nxt)
        return d


@presents("alt_career")
class AltCareerPresenter(Presenter[AltCareer]):
    def brief(self, entry: AltCareer) -> str:
        return f"{entry.salary.text}; {entry.path}"

    def describe(self, entry: AltCareer, intents: set[str]) -> Description:
        lead = f"{entry.name} pays {entry.salary.text}. How to get there: {entry.path}."
        d = Description(entry.name, sentence(lead) + bullets(entry.points))
        d.fields = [Field("Salary", entry.salary.text), Field("How to get there", entry.path)]
        creds = self.c.refs(entry.credentials)
        if creds:
            d.fields.append(Field("Credentials", join(self.c.label(c) for c in creds)))
        return d


@presents("cert_status")
class CertStatusPresenter(Presenter[CertStatus]):
    def brief(self, entry: CertStatus) -> str:
        return f"{entry.salary.text}; {entry.job_access}"

    def describe(self, entry: CertStatus, intents: set[str]) -> Description:
        lead = f"{entry.name}: {entry.salary.text} average salary. Job access: {entry.job_access}."
        d = Description(entry.name, lead + bullets(entry.points))
        d.fields = [
            Field("Average salary", entry.salary.text),
            Field("Job access", entry.job_access),
        ]
        return d


@presents("experience_band")
class ExperienceBandPresenter(Presenter[ExperienceBand]):
    def brief(self, entry: ExperienceBand) -> str:
        return entry.salary.text

    def describe(self, entry: ExperienceBand, intents: set[str]) -> Description:
        lead = f"{entry.name}: {entry.salary.text}."
        if entry.summary:
            lead += " " + entry.summary
        fields = [Field(entry.salary.label, entry.salary.text)]
        return Description(entry.name, lead + bullets(entry.points), fields)


@presents("work_model")
class WorkModelPresenter(Presenter[WorkModel]):
    def brief(self, entry: WorkModel) -> str:
        return f"{entry.share.text} of jobs; {entry.salary_impact}"

    def describe(self, entry: WorkModel, intents: set[str]) -> Description:
        lead = (
            f"{entry.name}: {entry.share.text} of coding jobs. Salary impact: "
            f"{sentence(entry.salary_impact)}"
        )
        d = Description(entry.name, lead + bullets(entry.points))
        d.fields = [
            Field("Share of coding jobs", entry.share.text),
            Field("Salary impact", entry.salary_impact),
        ]
        return d


@presents("plan_stage")
class PlanStagePresenter(Presenter[PlanStage]):
    """A stage of the guide's year-by-year plan: its steps in the guide's order."""

    list_lead = "The guide's year-by-year plan to maximize your salary:"

    def label(self, entry: PlanStage) -> str:
        return f"{entry.years.text}: {entry.stage}"

    def rank(self, entry: PlanStage) -> int:
        return int(entry.years.low or 0)

    def listing(self, entries: list[PlanStage]) -> list[PlanStage]:
        return sorted(entries, key=self.rank)

    def brief(self, entry: PlanStage) -> str:
        return join(entry.steps)

    def describe(self, entry: PlanStage, intents: set[str]) -> Description:
        lead = f"The guide's plan for {entry.years.text} ({entry.stage}):" + bullets(entry.steps)
        d = Description(self.label(entry), lead)
        d.used = self.c.refs(entry.credentials)
        return d
