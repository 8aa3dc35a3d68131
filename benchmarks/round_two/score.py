"""Round two's own held-out questions (written before the engine was run on them), scored as
a report: it never fails the build. Run: `.venv/bin/python benchmarks/round_two/score.py`."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.settings import default_knowledge_dir

HERE = Path(__file__).resolve().parent


def check(case: dict, answer) -> list[str]:
    problems = []
    if "answered" in case and answer.answered != case["answered"]:
        problems.append(f"answered={answer.answered}")
    if case.get("no_money") and re.search(r"\$\d", answer.text):
        problems.append("states a figure")
    if "topic" in case and answer.topic != case["topic"]:
        problems.append(f"topic={answer.topic}")
    if "rule" in case and answer.rule != case["rule"]:
        problems.append(f"rule={answer.rule}")
    problems += [f"missing {c!r}" for c in case.get("contains", []) if c not in answer.text]
    return problems


def main() -> None:
    engine = Engine(load_knowledge(default_knowledge_dir()))
    passed, total = Counter(), Counter()
    for line in (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        questions = case.get("conv") or [case["q"]]
        context, answer = None, None
        for n, question in enumerate(questions):
            answer, context = engine.reply(question, context, float(n))
        problems = check(case, answer)
        total[case["class"]] += 1
        if problems:
            print(f"FAIL [{case['class']}] {' → '.join(questions)}: {'; '.join(problems)}")
        else:
            passed[case["class"]] += 1
    for cls in total:
        print(f"{cls:12} {passed[cls]}/{total[cls]}")
    print(f"{'all':12} {sum(passed.values())}/{sum(total.values())}")


if __name__ == "__main__":
    main()
