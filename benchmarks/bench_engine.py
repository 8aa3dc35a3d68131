"""Answer-engine benchmark: latency p50/p99 over a fixed question set, load-and-index time,
a naive difflib matcher for a ratio, and synthetic knowledge bases 10x and 100x larger.

    python benchmarks/bench_engine.py [--rounds 5]

Targets on a 2-core machine: p99 <= 1 ms per question, load-and-index <= 150 ms,
>= 20x faster than the difflib baseline. Run by hand; never a timed assertion in tests.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import statistics
import time
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.knowledge.text import normalize
from bot.settings import default_knowledge_dir

HERE = Path(__file__).resolve().parent
QUESTIONS = [q for q in (HERE / "questions.txt").read_text(encoding="utf-8").splitlines()]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def time_answers(engine: Engine, rounds: int) -> list[float]:
    for q in QUESTIONS:  # warm-up
        engine.answer(q)
    samples = []
    for _ in range(rounds):
        for q in QUESTIONS:
            start = time.perf_counter()
            engine.answer(q)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


class DifflibMatcher:
    """The naive baseline: difflib ratio of the whole question against every name and alias."""

    def __init__(self, kb: KnowledgeBase):
        self.choices = [
            (normalize(name), e.id) for e in kb.entries.values() for name in (e.name, *e.aliases)
        ]

    def match(self, question: str) -> str | None:
        q = normalize(question)
        best, best_id = 0.0, None
        for choice, entry_id in self.choices:
            score = difflib.SequenceMatcher(None, q, choice).ratio()
            if score > best:
                best, best_id = score, entry_id
        return best_id if best >= 0.6 else None


def scaled(kb: KnowledgeBase, factor: int) -> KnowledgeBase:
    """A synthetic KB `factor` times larger: copies of every entry under new ids and names."""
    entries = dict(kb.entries)
    for k in range(1, factor):
        for entry in kb.entries.values():
            copy = entry.model_copy(
                update={
                    "id": f"{entry.id}-x{k}",
                    "name": f"{entry.name} variant{k}",
                    "aliases": [f"{a} variant{k}" for a in entry.aliases],
                    "keywords": [],
                    "related": [],
                }
            )
            entries[copy.id] = copy
    return KnowledgeBase(entries=entries, sources=kb.sources, tips=kb.tips, files=kb.files)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    directory = default_knowledge_dir()
    gc.collect()

    loads = []
    for _ in range(7):
        start = time.perf_counter()
        engine = Engine(load_knowledge(directory))
        loads.append((time.perf_counter() - start) * 1000)
    print(f"knowledge base: {engine.kb.summary()}")
    # As the bot does once it is ready: the long-lived knowledge base leaves the GC's sight.
    gc.collect()
    gc.freeze()
    print(f"load-and-index: median {statistics.median(loads):.1f} ms (7 runs)")

    samples = time_answers(engine, args.rounds)
    p50, p99 = percentile(samples, 50), percentile(samples, 99)
    print(
        f"engine: {len(QUESTIONS)} questions x {args.rounds} rounds: p50 {p50:.3f} ms, "
        f"p99 {p99:.3f} ms, max {max(samples):.3f} ms, mean {statistics.mean(samples):.3f} ms"
    )

    baseline = DifflibMatcher(engine.kb)
    start = time.perf_counter()
    for q in QUESTIONS:
        baseline.match(q)
    difflib_mean = (time.perf_counter() - start) * 1000 / len(QUESTIONS)
    ratio = difflib_mean / statistics.mean(samples)
    print(
        f"difflib baseline: mean {difflib_mean:.3f} ms per question -> engine is {ratio:.0f}x faster"
    )

    print("scaling (synthetic knowledge bases):")
    print(f"  {'size':>6} {'entries':>8} {'index ms':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for factor in (1, 10, 100):
        big = scaled(engine.kb, factor)
        start = time.perf_counter()
        big_engine = Engine(big)
        index_ms = (time.perf_counter() - start) * 1000
        s = time_answers(big_engine, 1 if factor > 1 else args.rounds)
        print(
            f"  {factor:>5}x {len(big.entries):>8} {index_ms:>9.1f} "
            f"{percentile(s, 50):>8.3f} {percentile(s, 99):>8.3f}"
        )


if __name__ == "__main__":
    main()
