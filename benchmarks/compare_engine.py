"""Is the engine slower than it was? Runs bench_engine.py on an earlier commit and on this
tree in turn, several times, and prints the median, min and max of each figure for both.

    python benchmarks/compare_engine.py REV [--pairs 8]

One run of bench_engine is not enough to tell a few per cent apart on a shared machine: a
noisy minute moves one run by 30 %. Alternating the two trees spreads that noise over both.
The earlier commit is checked out in a temporary git worktree and run with this tree's
interpreter, so both use the same libraries. Run by hand; never a timed assertion in tests.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIGURES = {
    "load-and-index ms": re.compile(r"load-and-index: median ([\d.]+)"),
    "p50 ms": re.compile(r"p50 ([\d.]+) ms"),
    "p99 ms": re.compile(r"p99 ([\d.]+) ms"),
    "mean ms": re.compile(r"mean ([\d.]+) ms"),
}


def run_bench(tree: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    bench = tree / "benchmarks" / "bench_engine.py"
    out = subprocess.run(
        [sys.executable, str(bench)], cwd=tree, env=env, capture_output=True, text=True, check=True
    ).stdout
    figures = {}
    for name, pattern in FIGURES.items():
        found = pattern.search(out)
        if found is None:
            raise SystemExit(f"bench_engine.py in {tree} printed no {name!r}:\n{out}")
        figures[name] = float(found[1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rev", help="the earlier commit to compare with")
    parser.add_argument("--pairs", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        before = Path(scratch) / "before"
        git = ["git", "-C", str(ROOT)]
        subprocess.run([*git, "worktree", "add", "--detach", str(before), args.rev], check=True)
        try:
            runs: dict[str, list[dict[str, float]]] = {args.rev: [], "this tree": []}
            for pair in range(args.pairs):
                runs[args.rev].append(run_bench(before))
                runs["this tree"].append(run_bench(ROOT))
                print(f"pair {pair + 1}/{args.pairs} done", file=sys.stderr)
        finally:
            subprocess.run([*git, "worktree", "remove", "--force", str(before)], check=True)
    print(f"{args.pairs} alternating runs of bench_engine.py each")
    print(f"  {'':12} {'figure':>18} {'median':>8} {'min':>8} {'max':>8}")
    for tree, results in runs.items():
        for name in FIGURES:
            values = [r[name] for r in results]
            low, mid, high = min(values), statistics.median(values), max(values)
            print(f"  {tree[:12]:12} {name:>18} {mid:8.3f} {low:8.3f} {high:8.3f}")


if __name__ == "__main__":
    main()
