"""Validated shapes of the question bank (`knowledge/questions/*.yaml`). No Discord here."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Letter = Literal["A", "B", "C", "D"]
LETTERS: tuple[Letter, ...] = ("A", "B", "C", "D")

# Lengths that keep a question, its four options, the rationale and the source inside one
# Discord embed (6,000 characters in all, 4,096 in the description, 1,024 in a field).
QUESTION_MAX, OPTION_MAX, RATIONALE_MAX, SOURCE_MAX = 1500, 300, 2000, 300

# Options that make a question test elimination tricks instead of the rule.
_CATCH_ALLS = ("all of the above", "none of the above", "both a and b", "all of these")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, str_strip_whitespace=True)


class Section(_Strict):
    """One CPC content area. `weight` is its share of a 100-question exam."""

    id: Slug
    name: str = Field(min_length=1, max_length=100)
    weight: int = Field(ge=0, le=100)
    # Study-tip categories whose tips this section practises ("Practise this" under /ask).
    tip_categories: list[str] = []


class SectionFile(_Strict):
    sections: list[Section] = Field(min_length=1)


class Question(_Strict):
    id: Slug
    section: Slug
    kind: Literal["case", "rule"]
    difficulty: int = Field(ge=1, le=3)
    code_set: str = Field(min_length=1, max_length=60)
    question: str = Field(min_length=10, max_length=QUESTION_MAX)
    options: list[str] = Field(min_length=4, max_length=4)
    answer: Letter
    rationale: str = Field(min_length=1, max_length=RATIONALE_MAX)
    source: str = Field(min_length=1, max_length=SOURCE_MAX)

    @field_validator("options")
    @classmethod
    def _four_real_options(cls, options: list[str]) -> list[str]:
        cleaned = [o.strip() for o in options]
        for letter, option in zip(LETTERS, cleaned, strict=False):
            if not option:
                raise ValueError(f"option {letter} is blank")
            if len(option) > OPTION_MAX:
                raise ValueError(f"option {letter} is longer than {OPTION_MAX} characters")
            if option.lower().rstrip(".") in _CATCH_ALLS:
                raise ValueError(f"option {letter} is {option!r}: write a real option instead")
        folded = [o.casefold() for o in cleaned]
        if len(set(folded)) != len(folded):
            raise ValueError("the four options must be distinct")
        return cleaned

    def option(self, letter: str) -> str:
        return self.options["ABCD".index(letter)]

    @property
    def right_option(self) -> str:
        return self.option(self.answer)


class QuestionFile(_Strict):
    questions: list[Question] = Field(min_length=1)
