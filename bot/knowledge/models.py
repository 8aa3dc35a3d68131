"""Validated shapes of the YAML knowledge base. Nothing here knows about Discord.

Each kind of entry is a model registered with `@kind(...)`: its `KindSpec` says what the engine
needs to know about it (label, plural, which fields are figures, names, codes and references,
the nouns that name the kind). The loader, the matcher and the engine read these specs; none of
them lists the kinds by hand, so a new kind is one model here and one presenter in the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, ClassVar, Literal, TypeVar, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

EntryId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Unit = Literal["usd_year", "usd_hour", "percent", "count", "years"]
# What the engine can be asked for; vocab.yaml gives the words for each.
Intent = Literal[
    "pay",
    "next",
    "previous",
    "path",
    "skills",
    "experience",
    "demand",
    "issuer",
    "meaning",
    "compare",
    "highest",
    "lowest",
    "list",
    "plan",
    "why",
    "difference",
]
# The parts the engine looks for in the knowledge base by role, never by id. At most one entry
# holds each role.
Role = Literal[
    "national",  # the national pay overview: the stand-in where a place has no figure
    "outlook",  # the job outlook
    "ai",  # what AI means for coders
    "remote",  # remote work in general
    "fully-remote",  # the fully remote work model, cited beside state pay
    "exam-prep",  # exam preparation: offered when a code look-up is declined
    "resources",  # official resources: likewise
    "premium",  # the certification premium: "how much more do certified coders make"
]
UNIQUE_ROLES: frozenset[str] = frozenset(get_args(Role))
FigureRole = Literal["median"]  # the national median, placed beside an amount or a state


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _fmt(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\d.,])\d+(?:\.\d+)?")


def numbers_in(text: str) -> set[float]:
    """The whole numbers a text states: "$55,000–$72,000" is {55000, 72000}, never 5000."""
    return {float(n.replace(",", "")) for n in _NUMBER.findall(text)}


class Figure(_Strict):
    """A figure exactly as the guide states it, with its numbers for sorting and checks.

    `text` is what the bot shows ("$55,000–$72,000"); `low`/`high` must be numbers stated in it
    (whole numbers, not digits inside another number), so a typo in either cannot slip through.
    """

    label: str = Field(min_length=1)
    text: str = Field(min_length=1)
    low: float | None = None
    high: float | None = None
    unit: Unit | None = None
    open_ended: bool = False  # "$72,000+": the guide gives no upper bound
    roles: list[FigureRole] = []

    @model_validator(mode="after")
    def _check(self) -> Figure:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({_fmt(self.low)}) exceeds high ({_fmt(self.high)})")
        stated = numbers_in(self.text)
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is not None and float(value) not in stated:
                raise ValueError(f"{name} {_fmt(value)} does not appear in text {self.text!r}")
        return self

    @property
    def sort_key(self) -> tuple[float, float]:
        high = self.high if self.high is not None else self.low
        return (high or 0.0, self.low or 0.0)

    @property
    def is_pay_range(self) -> bool:
        return self.unit == "usd_year" and self.low is not None


class SourceRef(_Strict):
    doc: EntryId
    section: str = Field(min_length=1)


class Source(_Strict):
    id: EntryId
    title: str = Field(min_length=1)
    as_of: str = Field(min_length=4)
    publisher: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class KindSpec:
    """What the engine needs to know about one kind of entry."""

    label: str  # "career level"
    plural: str  # "career levels"
    figures: tuple[str, ...] = ()  # fields holding a Figure; the first is the headline figure
    names: tuple[str, ...] = ()  # fields that name the entry, besides name and aliases
    codes: tuple[str, ...] = ()  # short codes, matched only where typed as codes ("TX")
    references: tuple[str, ...] = ()  # fields naming other entries (one id or a list)
    words: tuple[str, ...] = ()  # nouns that name the kind ("specialty"); plurals derived
    order: int = 50  # place in lists of several kinds and in an empty autocomplete
    amounts: bool = False  # an amount asked about ("is 45k good") is placed in its ranges
    overall: int = 0  # its place in "the highest-paying options, by kind"; 0: not there
    pay_kind: str | None = None  # asked about pay, list or rank this kind instead
    demand: str | None = None  # the field holding a demand level (vocab.yaml orders them)
    # Intents this kind's list answers when a question names nothing ("how much experience").
    lists_for: tuple[str, ...] = ()
    reason: str | None = None  # a field holding the guide's reason for its pay (a state's notes)
    # Named in everyday talk as often as in coding questions ("weather in Ohio"): a name of
    # this kind alone does not make a question one about coding.
    everyday: bool = False


class Entry(_Strict):
    spec: ClassVar[KindSpec]
    kind: str

    id: EntryId
    name: str = Field(min_length=1, max_length=100)
    # Strong names people type: unique across the whole knowledge base.
    aliases: list[str] = []
    # Weak topic words: used only when no named entry matches the question.
    keywords: list[str] = []
    summary: str | None = None
    facts: list[Figure] = []
    points: list[str] = []
    related: list[EntryId] = []
    roles: list[Role] = []
    # The answer to a question with this intent and nothing named ("what comes next?").
    default_for: list[Intent] = []
    # Its place among the "did you mean" offers of a question nothing matches (1 first).
    suggested: int | None = Field(default=None, ge=1)
    # The guide's stated reason for its pay level or standing, quoted ("why does HCC pay more").
    why: str | None = None
    # Abbreviations the guide spells out in this entry's section: {"HCC": "Hierarchical ..."}.
    expansions: dict[str, str] = {}
    # Organisations the section names and what it says each covers: {"AAPC": "CPC ..."}.
    bodies: dict[str, str] = {}
    source: SourceRef

    @field_validator("expansions")
    @classmethod
    def _abbreviations(cls, value: dict[str, str]) -> dict[str, str]:
        for key, full in value.items():
            if not re.fullmatch(r"[A-Z][A-Za-z0-9&-]{1,9}", key) or not full.strip():
                raise ValueError(f"{key!r}: an abbreviation in capitals, with its expansion")
        return value

    def reason(self) -> str | None:
        """The guide's reason for its pay, where the guide gives one."""
        if self.why:
            return self.why
        value = getattr(self, self.spec.reason, None) if self.spec.reason else None
        return value if isinstance(value, str) and value else None

    @field_validator("aliases", "keywords")
    @classmethod
    def _non_blank(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip():
                raise ValueError("blank alias")
        return values

    def headline(self) -> Figure | None:
        """The figure that ranks and compares this entry: its salary, its share, ..."""
        for name in self.spec.figures[:1]:
            value = getattr(self, name, None)
            if isinstance(value, Figure):
                return value
        return None

    def figures(self) -> list[Figure]:
        """Every figure this entry states: its facts and the fields its kind marks as figures."""
        found = list(self.facts)
        for name in self.spec.figures:
            value = getattr(self, name, None)
            if isinstance(value, Figure):
                found.append(value)
        return found

    def other_names(self) -> Iterator[tuple[str, str]]:
        """(field, value) for every name besides `name` and the aliases: abbreviations, ..."""
        for field in self.spec.names:
            value = getattr(self, field, None)
            if value:
                yield field, value

    def demand_level(self) -> str | None:
        """Its demand level ("Very High"), where its kind has one."""
        value = getattr(self, self.spec.demand, None) if self.spec.demand else None
        return value if isinstance(value, str) and value else None

    def codes(self) -> list[str]:
        return [v for f in self.spec.codes if (v := getattr(self, f, None))]

    def references(self) -> dict[str, list[str]]:
        """Every field that names other entries, for the loader's dangling-reference check."""
        refs = {"related": list(self.related)}
        for name in self.spec.references:
            value = getattr(self, name, None)
            if value:
                refs[name] = [value] if isinstance(value, str) else list(value)
        return refs


E = TypeVar("E", bound=type[Entry])
# kind -> model, in registration order.
KINDS: dict[str, type[Entry]] = {}


def kind(spec: KindSpec) -> Callable[[E], E]:
    """Register an entry model under the kind its `kind: Literal[...]` field names."""

    def register(cls: E) -> E:
        (name,) = get_args(cls.__pydantic_fields__["kind"].annotation)
        cls.spec = spec
        KINDS[name] = cls
        return cls

    return register


def spec_of(kind_name: str) -> KindSpec:
    return KINDS[kind_name].spec


@cache
def _adapter(kinds: tuple[type[Entry], ...]) -> TypeAdapter[Entry]:
    # The union of whatever kinds are registered: built at run time, so not a static type.
    union = Annotated[Union[kinds], Field(discriminator="kind")]  # type: ignore[valid-type]  # noqa: UP007
    return TypeAdapter(union)


def entry_adapter() -> TypeAdapter[Entry]:
    """Validates one entry as whichever registered kind its `kind` names."""
    return _adapter(tuple(KINDS.values()))


@kind(KindSpec(label="topic", plural="topics", order=90))
class Topic(Entry):
    kind: Literal["topic"]
    # The kind of entry this topic gives an overview of ("highest-paying alternative career").
    covers: str | None = None

    @field_validator("covers")
    @classmethod
    def _a_kind(cls, value: str | None) -> str | None:
        if value is not None and (value not in KINDS or value == "topic"):
            known = ", ".join(k for k in KINDS if k != "topic")
            raise ValueError(f"unknown kind {value!r}; one of: {known}")
        return value


@kind(
    KindSpec(
        label="state",
        plural="states",
        figures=("salary",),
        codes=("code",),
        words=("state", "place", "location"),
        order=20,
        reason="notes",
        everyday=True,
    )
)
class State(Entry):
    kind: Literal["state"]
    code: str = Field(pattern=r"^[A-Z]{2}$")
    rank: int | None = Field(default=None, ge=1, le=51)
    tier: Literal["top", "lowest"] | None = None
    salary: Figure | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _figure_and_rank(self) -> State:
        if (self.salary is None) != (self.rank is None):
            raise ValueError("rank and salary go together: give both or neither")
        if (self.tier is None) != (self.rank is None):
            raise ValueError("tier and rank go together: give both or neither")
        return self


@kind(
    KindSpec(
        label="credential",
        plural="credentials",
        names=("abbreviation", "full_name"),
        references=("salary_from", "specialties", "careers"),
        words=("certification", "cert", "credential", "designation"),
        order=10,
        pay_kind="cert_status",
    )
)
class Credential(Entry):
    kind: Literal["credential"]
    abbreviation: str = Field(pattern=r"^[A-Z]{2,6}$")
    full_name: str
    issuer: str | None = None
    salary_from: list[EntryId] = []
    specialties: list[EntryId] = []
    careers: list[EntryId] = []


@kind(
    KindSpec(
        label="specialty",
        plural="specialties",
        figures=("salary",),
        references=("credentials",),
        words=("specialty", "speciality", "specialization", "niche"),
        demand="demand",
        order=30,
        amounts=True,
        overall=3,
    )
)
class Specialty(Entry):
    kind: Literal["specialty"]
    salary: Figure
    certification: str
    credentials: list[EntryId] = []
    demand: str


@kind(
    KindSpec(
        label="career level",
        plural="career levels",
        figures=("salary", "experience"),
        references=("credentials",),
        words=("level", "ladder", "rung"),
        order=40,
        amounts=True,
        overall=1,
    )
)
class CareerLevel(Entry):
    kind: Literal["career_level"]
    level: int = Field(ge=1, le=20)
    salary: Figure
    experience: Figure
    skills: list[str] = Field(min_length=1)
    credentials: list[EntryId] = []


@kind(
    KindSpec(
        label="alternative career",
        plural="alternative careers",
        figures=("salary",),
        references=("credentials",),
        order=45,
        amounts=True,
        overall=2,
    )
)
class AltCareer(Entry):
    kind: Literal["alt_career"]
    path: str
    salary: Figure
    credentials: list[EntryId] = []


@kind(
    KindSpec(
        label="certification status",
        plural="certification statuses",
        figures=("salary",),
        references=("credentials",),
        order=50,
        amounts=True,
        overall=4,
    )
)
class CertStatus(Entry):
    kind: Literal["cert_status"]
    salary: Figure
    job_access: str
    credentials: list[EntryId] = []


@kind(
    KindSpec(
        label="experience level",
        plural="experience levels",
        figures=("salary",),
        lists_for=("experience",),
        order=60,
        amounts=True,
    )
)
class ExperienceBand(Entry):
    kind: Literal["experience_band"]
    salary: Figure
    years: str | None = None


@kind(KindSpec(label="work model", plural="work models", figures=("share",), order=70))
class WorkModel(Entry):
    kind: Literal["work_model"]
    share: Figure
    salary_impact: str


@kind(KindSpec(label="place", plural="places", references=("state",), order=80, everyday=True))
class Place(Entry):
    """A city or a country people ask about: the guide has no figure for it, but a US city
    points to its state, which may have one."""

    kind: Literal["place"]
    state: EntryId | None = None
    country: str = "United States"

    @model_validator(mode="after")
    def _us_cities_have_a_state(self) -> Place:
        if (self.country == "United States") != (self.state is not None):
            raise ValueError("a US place names its state; a place abroad names none")
        return self


@kind(
    KindSpec(
        label="plan stage",
        plural="plan stages",
        figures=("years",),
        references=("credentials",),
        words=("roadmap", "plan"),  # not "stage": "CKD stage 3" is no plan
        order=65,
    )
)
class PlanStage(Entry):
    """A stage of the guide's year-by-year plan ("Year 1–2: Foundation"): its steps, quoted."""

    kind: Literal["plan_stage"]
    stage: str = Field(min_length=1)  # the guide's name for it: "Foundation"
    years: Figure  # the years of a career it is for: "Year 1–2" (low 1, high 2)
    steps: list[str] = Field(min_length=1)
    credentials: list[EntryId] = []

    def covers(self, years: float) -> bool:
        """Whether the stage is the one for a coder with this many years of experience."""
        low = self.years.low if self.years.low is not None else 0.0
        if self.years.open_ended or self.years.high is None:
            return years >= low
        # "Year 1–2" is a coder's first two years: from the start to two full years.
        return (low - 1) <= years < self.years.high


TipCategory = Literal[
    "cpt", "icd10cm", "hcpcs", "anatomy", "terminology", "exam", "career", "compliance"
]


# How each tip category is shown to members.
TIP_CATEGORY_LABELS: dict[str, str] = {
    "cpt": "CPT",
    "icd10cm": "ICD-10-CM",
    "hcpcs": "HCPCS Level II",
    "anatomy": "Anatomy",
    "terminology": "Medical terminology",
    "exam": "Exam strategy",
    "career": "Career",
    "compliance": "Compliance",
}


class Tip(_Strict):
    id: EntryId
    category: TipCategory
    text: str = Field(min_length=20, max_length=700)
    source: str | None = None
    # The question-bank section this tip practises, when its category alone does not say
    # (a CPT tip about modifiers: "modifiers"). See knowledge/questions/sections.yaml.
    section: EntryId | None = None


class TipFile(_Strict):
    tips: list[Tip] = Field(min_length=1)
