"""Validated shapes of the YAML knowledge base. Nothing here knows about Discord."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

EntryId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Unit = Literal["usd_year", "usd_hour", "percent", "count", "years"]
# Every kind of entry but "topic"; a topic may say which of these it gives an overview of.
EntryKind = Literal[
    "state",
    "credential",
    "specialty",
    "career_level",
    "alt_career",
    "cert_status",
    "experience_band",
    "work_model",
    "place",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _fmt(number: float) -> str:
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,}"


class Figure(_Strict):
    """A figure exactly as the guide states it, with its numbers for sorting and checks.

    `text` is what the bot shows ("$55,000–$72,000"); `low`/`high` must appear in it, so a
    typo in either cannot slip through unseen.
    """

    label: str = Field(min_length=1)
    text: str = Field(min_length=1)
    low: float | None = None
    high: float | None = None
    unit: Unit | None = None
    open_ended: bool = False  # "$72,000+": the guide gives no upper bound

    @model_validator(mode="after")
    def _check(self) -> Figure:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({_fmt(self.low)}) exceeds high ({_fmt(self.high)})")
        for name in ("low", "high"):
            value = getattr(self, name)
            if value is not None and _fmt(value) not in self.text:
                raise ValueError(f"{name} {_fmt(value)} does not appear in text {self.text!r}")
        return self

    @property
    def sort_key(self) -> tuple[float, float]:
        high = self.high if self.high is not None else self.low
        return (high or 0.0, self.low or 0.0)


class SourceRef(_Strict):
    doc: EntryId
    section: str = Field(min_length=1)


class Source(_Strict):
    id: EntryId
    title: str = Field(min_length=1)
    as_of: str = Field(min_length=4)
    publisher: str | None = None
    note: str | None = None


class Entry(_Strict):
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
    source: SourceRef

    @field_validator("aliases", "keywords")
    @classmethod
    def _non_blank(cls, values: list[str]) -> list[str]:
        for value in values:
            if not value.strip():
                raise ValueError("blank alias")
        return values

    def figures(self) -> list[Figure]:
        """Every figure this entry states: its facts and its salary, share or experience."""
        found = list(self.facts)
        for name in ("salary", "share", "experience"):
            value = getattr(self, name, None)
            if isinstance(value, Figure):
                found.append(value)
        return found

    def references(self) -> dict[str, list[str]]:
        """Every field that names other entries, for the loader's dangling-reference check."""
        refs = {"related": list(self.related)}
        for name in ("credentials", "salary_from", "specialties", "careers", "state"):
            value = getattr(self, name, None)
            if value:
                refs[name] = [value] if isinstance(value, str) else list(value)
        return refs


class Topic(Entry):
    kind: Literal["topic"]
    # The kind of entry this topic gives an overview of ("highest-paying alternative career").
    covers: EntryKind | None = None


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


class Credential(Entry):
    kind: Literal["credential"]
    abbreviation: str = Field(pattern=r"^[A-Z]{2,6}$")
    full_name: str
    issuer: str | None = None
    salary_from: list[EntryId] = []
    specialties: list[EntryId] = []
    careers: list[EntryId] = []


class Specialty(Entry):
    kind: Literal["specialty"]
    salary: Figure
    certification: str
    credentials: list[EntryId] = []
    demand: str


class CareerLevel(Entry):
    kind: Literal["career_level"]
    level: int = Field(ge=1, le=20)
    salary: Figure
    experience: Figure
    skills: list[str] = Field(min_length=1)
    credentials: list[EntryId] = []


class AltCareer(Entry):
    kind: Literal["alt_career"]
    path: str
    salary: Figure
    credentials: list[EntryId] = []


class CertStatus(Entry):
    kind: Literal["cert_status"]
    salary: Figure
    job_access: str
    credentials: list[EntryId] = []


class ExperienceBand(Entry):
    kind: Literal["experience_band"]
    salary: Figure
    years: str | None = None


class WorkModel(Entry):
    kind: Literal["work_model"]
    share: Figure
    salary_impact: str


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


AnyEntry = Annotated[
    Topic
    | State
    | Credential
    | Specialty
    | CareerLevel
    | AltCareer
    | CertStatus
    | ExperienceBand
    | WorkModel
    | Place,
    Field(discriminator="kind"),
]


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
