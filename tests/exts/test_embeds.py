"""answer_embed: every Answer becomes one embed Discord accepts, figures first."""

from __future__ import annotations

import random
from pathlib import Path

import discord
import pytest

from bot.engine import Answer, Engine, Field
from bot.exts._embeds import ANSWER_COLOUR, UNANSWERED_COLOUR, answer_embed, clip

QUESTIONS = Path(__file__).resolve().parents[2] / "benchmarks" / "questions.txt"


def assert_within_limits(embed: discord.Embed) -> None:
    """Discord's embed limits: title 256, description 4096, 25 fields (name 256, value 1024,
    neither empty), footer 2048, and 6,000 characters in all."""
    assert len(embed.title or "") <= 256
    assert len(embed.description or "") <= 4096
    assert len(embed.fields) <= 25
    for f in embed.fields:
        assert 1 <= len(f.name) <= 256 and f.name.strip()
        assert 1 <= len(f.value) <= 1024 and f.value.strip()
    assert len(embed.footer.text or "") <= 2048
    assert len(embed) <= 6000  # discord.py sums title, description, fields, footer, author


def make(**overrides) -> Answer:
    values = {
        "query": "q",
        "answered": True,
        "topic": "t",
        "title": "CRC: Certified Risk Adjustment Coder",
        "lead": "CRC pays $55,000–$72,000.",
        "fields": (Field("Salary range", "$55,000–$72,000"),),
        "sources": ("Medical Coding Salary & Career Outlook in 2026 (as of 2026): HCC",),
    }
    return Answer(**(values | overrides))


# ----------------------------------------------------------------------------- clip
@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("  padded  ", 6, "padded"),
        ("exactly ten", 11, "exactly ten"),
        ("one two three four five", 20, "one two three four…"),
        ("one two three four five", 12, "one two thr…"),  # a space too early is not used
        ("x" * 20, 10, "x" * 9 + "…"),
    ],
)
def test_clip(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected
    assert len(clip(text, limit)) <= limit


# ----------------------------------------------------------------------------- shape
def test_answer_embed_shape() -> None:
    embed = answer_embed(make(notes=("A note.",)))
    assert embed.title == "CRC: Certified Risk Adjustment Coder"
    assert embed.description == "CRC pays $55,000–$72,000.\nA note."
    assert [(f.name, f.value, f.inline) for f in embed.fields] == [
        ("Salary range", "$55,000–$72,000", True)
    ]
    assert embed.footer.text == (
        "Source: Medical Coding Salary & Career Outlook in 2026 (as of 2026): HCC"
    )
    assert embed.colour == ANSWER_COLOUR


def test_long_field_values_are_not_inline() -> None:
    embed = answer_embed(make(fields=(Field("Careers", "x " * 40),)))
    assert embed.fields[0].inline is False


def test_unanswered_lists_suggestions_in_grey() -> None:
    answer = make(
        answered=False,
        title="Not in the guide",
        lead="I couldn't match that.",
        fields=(),
        sources=(),
        suggestions=("National salary overview", "CPC (Certified Professional Coder)"),
    )
    embed = answer_embed(answer)
    assert embed.description == (
        "I couldn't match that.\n"
        "Did you mean: National salary overview; CPC (Certified Professional Coder)?"
    )
    assert embed.colour == UNANSWERED_COLOUR
    assert embed.footer.text is None and not embed.fields


def test_blank_field_names_and_values_are_filled() -> None:
    embed = answer_embed(make(fields=(Field("", "$1"), Field("Name", "   "))))
    assert [(f.name, f.value) for f in embed.fields] == [("-", "$1"), ("Name", "-")]
    assert_within_limits(embed)


def test_empty_answer_is_still_an_embed() -> None:
    embed = answer_embed(make(title="", lead="", fields=(), sources=()))
    assert embed.title is None and embed.description is None
    assert_within_limits(embed)


# ----------------------------------------------------------------------------- limits
def test_everything_too_long_is_clipped_to_the_limits() -> None:
    answer = make(
        title="T" * 400,
        lead="lead " * 2000,
        notes=("note " * 500,),
        fields=tuple(Field(f"name {i} " * 40, f"$1,{i:03d} " * 300) for i in range(40)),
        sources=("source " * 400,),
    )
    embed = answer_embed(answer)
    assert_within_limits(embed)
    assert embed.title == "T" * 255 + "…"
    assert embed.fields, "the figures must not all give way to a long description"
    assert embed.footer.text.startswith(f"{40 - len(embed.fields)} more item(s) not shown.")
    assert "Source: source source" in embed.footer.text


def test_more_than_25_fields() -> None:
    answer = make(fields=tuple(Field(f"State {i}", f"${i},000") for i in range(30)))
    embed = answer_embed(answer)
    assert [f.name for f in embed.fields] == [f"State {i}" for i in range(25)]
    assert embed.footer.text.startswith("5 more item(s) not shown. Source: ")
    assert_within_limits(embed)


def test_fields_that_do_not_fit_are_dropped_from_the_end_only() -> None:
    """An ordered list (a career ladder) never loses a middle step while keeping later ones."""
    sizes = [1000, 1000, 1000, 1000, 1000, 100, 1000, 10]
    answer = make(fields=tuple(Field(f"Level {i}", "x" * n) for i, n in enumerate(sizes, 1)))
    embed = answer_embed(answer)
    names = [f.name for f in embed.fields]
    assert names == [f"Level {i}" for i in range(1, len(names) + 1)]
    dropped = len(sizes) - len(names)
    assert dropped > 0
    assert embed.footer.text.startswith(f"{dropped} more item(s) not shown.")
    assert_within_limits(embed)


def test_figures_take_priority_over_a_long_lead() -> None:
    figures = tuple(
        Field(f"Level {i}", f"${i}0,000–${i}5,000; " + "skills " * 60) for i in range(7)
    )
    embed = answer_embed(make(lead="A long introduction. " * 400, fields=figures))
    assert len(embed.fields) == 7
    assert embed.description.startswith("A long introduction.")
    assert embed.description.endswith("…")
    assert_within_limits(embed)


@pytest.mark.parametrize("seed", range(300))
def test_random_answers_stay_within_limits(seed: int) -> None:
    rng = random.Random(seed)

    def words(upper: int) -> str:
        n = rng.choice([0, 1, rng.randint(0, upper)])
        return " ".join(
            rng.choice(["$48,000–$58,000", "coder", "x" * 70, "é", ""]) for _ in range(n)
        )

    answer = make(
        answered=rng.random() < 0.8,
        title=words(80),
        lead=words(1500),
        notes=tuple(words(300) for _ in range(rng.randint(0, 4))),
        fields=tuple(Field(words(60), words(300)) for _ in range(rng.randint(0, 40))),
        sources=tuple(words(100) for _ in range(rng.randint(0, 5))),
        suggestions=tuple(words(20) for _ in range(rng.randint(0, 4))),
    )
    embed = answer_embed(answer)
    assert_within_limits(embed)
    shown = len(embed.fields)
    if shown < min(len(answer.fields), 25) or len(answer.fields) > 25:
        assert f"{len(answer.fields) - shown} more item(s) not shown." in embed.footer.text


def test_every_real_answer_fits(engine: Engine) -> None:
    questions = [q for q in QUESTIONS.read_text(encoding="utf-8").splitlines() if q.strip()]
    for question in questions:
        answer = engine.answer(question)
        embed = answer_embed(answer)
        assert_within_limits(embed)
        # nothing of a real answer is cut: every figure is shown in full
        assert [(f.name, f.value) for f in embed.fields] == [
            (f.name, f.value) for f in answer.fields
        ], question
