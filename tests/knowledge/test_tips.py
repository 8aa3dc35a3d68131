"""The shipped daily study tips (knowledge/tips.yaml): shape, spread and safety for Discord.

Most checks validate tips.yaml on its own, so a colleague's half-written entry file elsewhere
in knowledge/ cannot hide a problem here (or be blamed on it). One test loads the whole
knowledge base the way the bot does.
"""

from __future__ import annotations

import re
import typing
from collections import Counter
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeError, load_knowledge
from bot.knowledge.models import Tip, TipCategory, TipFile

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
TIPS_FILE = KNOWLEDGE / "tips.yaml"
SOURCES_FILE = KNOWLEDGE / "sources.yaml"

CATEGORIES = typing.get_args(TipCategory)
GUIDE_SOURCE = "Medical Coding Salary & Career Outlook in 2026"
DISCORD_EMBED_DESCRIPTION_MAX = 4096
OUR_MAX = 700
MIN_TIPS = 120
MIN_PER_CATEGORY = 5

# Text that points at a specific ICD-10-CM Official Guidelines rule: the document by name,
# or a section reference such as "I.C.9.a", "Section IV.H" or "guideline I.B.14".
GUIDELINE_REF = re.compile(
    r"Official Guidelines|\bSection\s+(?:I{1,3}|IV)\b|\b(?:I{1,3}|IV)\.[A-Z](?:\.\d+)*\b"
)
MENTION = re.compile(r"@everyone|@here|<@[!&]?\d*>?|<#\d+>")
DOLLAR_FIGURE = re.compile(r"\$\d{1,3}(?:,\d{3})*\+?(?:\s*[–-]\s*\$\d{1,3}(?:,\d{3})*\+?)?")


@pytest.fixture(scope="module")
def tips() -> list[Tip]:
    raw = yaml.safe_load(TIPS_FILE.read_text(encoding="utf-8"))
    return list(TipFile.model_validate(raw).tips)


def test_file_validates_and_has_enough_tips(tips: list[Tip]) -> None:
    assert len(tips) >= MIN_TIPS, f"only {len(tips)} tips; the bot needs at least {MIN_TIPS}"


def test_ids_are_unique(tips: list[Tip]) -> None:
    counts = Counter(t.id for t in tips)
    dupes = sorted(i for i, n in counts.items() if n > 1)
    assert not dupes, f"duplicate tip ids: {dupes}"


def test_texts_are_unique(tips: list[Tip]) -> None:
    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    counts = Counter(key(t.text) for t in tips)
    dupes = [t.id for t in tips if counts[key(t.text)] > 1]
    assert not dupes, f"tips with the same text: {dupes}"


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_category_has_tips(tips: list[Tip], category: str) -> None:
    n = sum(1 for t in tips if t.category == category)
    assert n >= MIN_PER_CATEGORY, f"category {category!r} has {n} tips, want >= {MIN_PER_CATEGORY}"


def test_every_tip_fits_one_embed(tips: list[Tip]) -> None:
    too_long = [(t.id, len(t.text)) for t in tips if len(t.text) > OUR_MAX]
    assert not too_long, f"tips over {OUR_MAX} characters: {too_long}"
    assert OUR_MAX <= DISCORD_EMBED_DESCRIPTION_MAX
    assert all(len(t.text) <= DISCORD_EMBED_DESCRIPTION_MAX for t in tips)


def test_no_tip_pings_anyone(tips: list[Tip]) -> None:
    bad = [t.id for t in tips if MENTION.search(t.text) or "@" in t.text]
    assert not bad, f"tips containing a mention or '@': {bad}"


def test_tips_naming_a_guideline_rule_cite_a_source(tips: list[Tip]) -> None:
    missing = [t.id for t in tips if GUIDELINE_REF.search(t.text) and not t.source]
    assert not missing, f"tips that name an Official Guidelines rule but carry no source: {missing}"


@pytest.mark.parametrize("category", ["cpt", "icd10cm", "hcpcs", "compliance", "career"])
def test_rule_categories_always_cite_a_source(tips: list[Tip], category: str) -> None:
    missing = [t.id for t in tips if t.category == category and not t.source]
    assert not missing, f"{category} tips state rules or figures and need a source: {missing}"


def test_icd_guideline_sources_name_a_section(tips: list[Tip]) -> None:
    vague = [
        t.id
        for t in tips
        if t.source
        and "ICD-10-CM Official Guidelines" in t.source
        and not re.search(r"Section|Appendix", t.source)
    ]
    assert not vague, f"cite the section of the Official Guidelines: {vague}"


def test_career_figures_come_from_the_guide(tips: list[Tip]) -> None:
    """Dollar figures are quoted from the guide, and the guide is the registered source."""
    titles = {
        s["title"] for s in yaml.safe_load(SOURCES_FILE.read_text(encoding="utf-8"))["sources"]
    }
    assert GUIDE_SOURCE in titles, "the salary guide should be registered in sources.yaml"
    for tip in tips:
        if "$" not in tip.text:
            continue
        assert tip.category == "career", f"{tip.id}: only career tips quote salary figures"
        assert tip.source == GUIDE_SOURCE, f"{tip.id}: figures need source {GUIDE_SOURCE!r}"
        for figure in DOLLAR_FIGURE.findall(tip.text):
            assert "-$" not in figure, f"{tip.id}: write ranges with an en dash, as the guide does"


def test_ids_carry_a_category_prefix(tips: list[Tip]) -> None:
    prefixes = {
        "cpt": "cpt-",
        "icd10cm": "icd-",
        "hcpcs": "hcpcs-",
        "anatomy": "anat-",
        "terminology": "term-",
        "exam": "exam-",
        "career": "career-",
        "compliance": "comp-",
    }
    wrong = [t.id for t in tips if not t.id.startswith(prefixes[t.category])]
    assert not wrong, f"tip ids should start with their category prefix: {wrong}"


def test_shipped_knowledge_base_serves_every_tip(tips: list[Tip]) -> None:
    try:
        kb = load_knowledge(KNOWLEDGE)
    except KnowledgeError as exc:
        ours = [p for p in exc.problems if p.file.endswith("tips.yaml")]
        assert not ours, "\n".join(str(p) for p in ours)
        pytest.skip(f"another knowledge file is broken, not tips.yaml: {exc.problems[0]}")
    assert {t.id for t in kb.tips} >= {t.id for t in tips}


def test_em_ranges_include_the_2025_telemedicine_codes(tips: list[Tip]) -> None:
    """CPT 2025 put 98000-98016 in E/M: a tip that gives E/M's range without them sends a
    student to Medicine's guidelines for a telemedicine visit."""
    stale = [t.id for t in tips if "99202–99499" in t.text and "98000–98016" not in t.text]
    assert not stale, f"tips giving E/M's range without 98000–98016: {stale}"
