"""Whole-process wall time of `fbndsl compile spaces/darts.nas` vs `python -c "import torch"`.

    python perf/compile_speed.py [--quick]

Goal: at most 0.8 s, and below the time to import torch, measured in the same run. Prints the
median of several runs of each; the last line is the figure.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    args = parser.parse_args()
    runs = 3 if args.quick else 7
    compile_cmd = [sys.executable, "-m", "fbndsl", "compile", "spaces/darts.nas"]
    wall(compile_cmd, 1)  # warm the file cache and Lark's grammar cache
    fbndsl_s = wall(compile_cmd, runs)
    try:
        torch_s = wall([sys.executable, "-c", "import torch"], runs)
        torch_text = f"{torch_s:.3f} s"
    except subprocess.CalledProcessError:
        torch_s, torch_text = float("nan"), "n/a (torch not installed)"
    print(f"import torch:                      {torch_text}")
    print(f"fbndsl compile spaces/darts.nas:   {fbndsl_s:.3f} s")
    verdict = "ok" if fbndsl_s <= 0.8 and not fbndsl_s >= torch_s else "SLOWER THAN GOAL"
    print(f"compile spaces/darts.nas: {fbndsl_s:.3f} s wall (median of {runs}) vs import torch {torch_text} "
          f"[{verdict}: goal <= 0.8 s and below import torch]")


if __name__ == "__main__":
    main()
