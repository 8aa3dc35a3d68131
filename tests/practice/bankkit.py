"""Question banks for the practice tests: the shipped sections with a small fixture bank, or
with generated questions when a test needs many."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = ROOT / "knowledge" / "questions" / "sections.yaml"
SAMPLE = Path(__file__).resolve().parent / "fixtures" / "sample.yaml"


def sample_bank_dir(directory: Path) -> Path:
    """The shipped sections.yaml and the six fixture questions, in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(SECTIONS, directory / "sections.yaml")
    shutil.copy(SAMPLE, directory / "sample.yaml")
    return directory


def generated_question(qid: str, section: str, answer: str = "A") -> dict[str, object]:
    return {
        "id": qid,
        "section": section,
        "kind": "rule",
        "difficulty": 2,
        "code_set": "CPT 2026",
        "question": f"Generated question {qid} about {section}?",
        "options": [f"{qid} first", f"{qid} second", f"{qid} third", f"{qid} fourth"],
        "answer": answer,
        "rationale": f"Rationale of {qid}.",
        "source": "Test fixture",
    }


def generated_bank_dir(directory: Path, per_section: int | dict[str, int]) -> Path:
    """sections.yaml and `per_section` generated questions in every section (or as mapped)."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(SECTIONS, directory / "sections.yaml")
    sections = [s["id"] for s in yaml.safe_load(SECTIONS.read_text())["sections"]]
    counts = per_section if isinstance(per_section, dict) else dict.fromkeys(sections, per_section)
    questions = [
        generated_question(f"{section}-{n}", section, "ABCD"[n % 4])
        for section in sections
        for n in range(counts.get(section, 0))
    ]
    (directory / "generated.yaml").write_text(yaml.safe_dump({"questions": questions}))
    return directory
