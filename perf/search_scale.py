"""A search's measuring phase on 1 and on 2 torchrun processes, one torch thread each.

    python perf/search_scale.py [--quick]

One BN-only supernet of nb201 (C=16, N=1, the main job's network) is trained first, 20 steps; every search
then loads it (--supernet), so that the time compared is the measuring phase alone (results.json's "seconds":
the search from its first proposal to its results, no training, no start-up). Each search ranks by the default
indicator (a trained supernet's regions, trainability and uncertainty, with synflow and NASWOT) and is run
with 1 process and with 2 (`torchrun --nproc-per-node 2`), one after the other, in this one run; the two must
evaluate the same architectures with the same values (checked), or the figure means nothing.

- random sampling: rounds of 8 architectures per process;
- aging evolution with --batch 2 for both (2 children a generation: the search that 2 processes make by
  default, run by 1 process too so that both make the same search).

Goal (the search-at-scale issue): the measuring phase on 2 processes x 1 thread at least 1.8 times as fast as
on 1 process x 1 thread. The last line is the figure: random sampling's ratio.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fbndsl.train.distributed import local_fbndsl  # noqa: E402

SPACE = ["--space", "nb201", "--set", "C=16", "--set", "N=1"]
COMMON = [*SPACE, "--device", "cpu", "--threads", "1", "--quiet"]
STRATEGIES = {"random": ["--strategy", "random"], "evolution --batch 2": ["--strategy", "evolution", "--batch", "2"]}


def fbndsl(processes: int, *args: str) -> None:
    argv, env = local_fbndsl(processes, ROOT)
    done = subprocess.run([*argv, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"fbndsl {' '.join(args)} on {processes} process(es) failed:\n{done.stderr[-3000:]}")


def search(tmp: Path, name: str, processes: int, evals: int, supernet: Path) -> dict:
    out = tmp / f"{name.split()[0]}-{processes}"
    fbndsl(processes, "search", *COMMON, *STRATEGIES[name], "--evals", str(evals), "--supernet", str(supernet),
           "--out", str(out))
    return json.loads((out / "results.json").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="48 architectures per search instead of 160")
    args = parser.parse_args()
    evals = 48 if args.quick else 160
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        supernet = tmp / "supernet"
        fbndsl(1, "train", *SPACE, "--mode", "bn-only", "--steps", "20", "--epochs", "1", "--device", "cpu",
               "--quiet", "--out", str(supernet))
        print(f"nb201 C=16 N=1, default indicator, {evals} architectures a search, measuring phase only "
              f"(os.cpu_count() {os.cpu_count()})")
        print(f"{'strategy':22s} {'1 process':>10s} {'2 processes':>12s} {'speed-up':>9s}")
        ratios = {}
        for strategy in STRATEGIES:
            one, two = (search(tmp, strategy, k, evals, supernet) for k in (1, 2))
            if one["evaluated"] != two["evaluated"] or one["top"] != two["top"]:
                sys.exit(f"{strategy}: 2 processes measured other values than 1; the timing would mean nothing")
            ratios[strategy] = one["seconds"] / two["seconds"]
            print(f"{strategy:22s} {one['seconds']:9.1f}s {two['seconds']:11.1f}s {ratios[strategy]:8.2f}x")
    print(f"search measuring phase, 2 processes x 1 thread vs 1 x 1 (random sampling, {evals} architectures): "
          f"{ratios['random']:.2f}x")


if __name__ == "__main__":
    main()
