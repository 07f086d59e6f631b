"""Architectures costed per second by the analytic cost model (goal: >= 20,000/s on one core).

    python perf/cost.py [--quick]

Samples architectures first, then times only `space.cost(arch)`. Prints the slowest space's rate last.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fbndsl  # noqa: E402

SPACES = Path(__file__).resolve().parent.parent / "spaces"


def rate(name: str, n: int, repeats: int) -> float:
    space = fbndsl.compile(SPACES / f"{name}.nas")
    archs = [space.sample(seed) for seed in range(n)]
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for arch in archs:
            space.cost(arch)
        best = min(best, time.perf_counter() - start)
    return n / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer architectures")
    args = parser.parse_args()
    n, repeats = (2_000, 3) if args.quick else (20_000, 5)
    rates = {}
    for name in ("nb201", "bignas", "mobilenet", "darts"):
        rates[name] = rate(name, n, repeats)
        print(f"{name:10s} {rates[name]:>12,.0f} archs/s  ({n} archs, best of {repeats})")
    slowest = min(("nb201", "bignas"), key=rates.get)
    print(f"cost model: {rates[slowest]:,.0f} architectures/s on {slowest} (slower of nb201, bignas; goal >= 20,000)")


if __name__ == "__main__":
    main()
