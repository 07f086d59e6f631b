"""Does a short full training of the ranking's best, at the depth they will be trained at, pick better networks?
Measured on the calibration set alone (docs/nb201.md, "Protocol", versions 8 and 9).

    python perf/short_training_study.py REPORT.json [--signal accuracy|loss] [--top K] [--steps S]
                                        [--refine-set N=5] [--jobs J]

REPORT.json is what `fbndsl bench nb201` wrote (a version 5 report: its calibration networks, their ground truth,
every indicator measured on them). The K best calibration networks by version 5's default ranking are each trained
alone, every weight (`fbndsl train --mode full`'s settings), for S steps on the space recompiled with `--refine-set`
(the benchmark's own depth): `fbndsl.search.refine.refined` with `mode` full, which gives the network's accuracy on
the held-out images after the training (`--signal accuracy`, version 8) and the mean of its training losses over
the steps (`--signal loss`, version 9). What was trained is kept in `--out`, so a rerun reprints in a second.

Why: every zero-cost proxy measured here scores a convolution on the edge from a cell's input to its output at
least as high as the skip connection the benchmark's best cells have (docs/nb201.md); a 150-step training of that
family at N = 5 put the skip first by held-out accuracy. The study asks whether that holds among the networks a
ranking puts first. It prints, over `--pools` random pools of half the calibration set (the search's last step sees
the K best of its own pool), the mean truth of the network each last step returns: the ranking's first, the best
signal among the pool's k best, and the least product of the two ranks among them (as the explosion's last step
lists them), for each k of `--ks`; a pool whose largest k best were not all trained is skipped for every rule, and
counted. The choice follows versions 8 and 9's rule (`calibration_report.chosen_over`, `MARGIN`). The evaluation
set is never read. The last line is the choice.
"""
from __future__ import annotations

import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from calibration_report import STUDY_DEFAULT_V5, chosen_over, kept, read_calibration, study_parser

from fbndsl.bench.nb201 import load_data
from fbndsl.bench.stats import kendall_tau
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.cli.common import parse_sets
from fbndsl.indicators import order, parse_indicator, ranks
from fbndsl.indicators.ranking import by_rank

OUT = Path(__file__).parent / "results" / "nb201-short-training-v5"
FIRST = "the ranking's first"
MARGIN = 0.1  # points of mean truth a last step must gain to be chosen (versions 8 and 9's rule)


# What the last step reads of each network's short training: its name in the table, the kept file's key, whether
# higher is better. Version 8 declared the accuracy; version 9 the mean training loss (TSE).
SIGNALS = {"accuracy": ("refined accuracy", "accuracy", True), "loss": ("mean training loss", "mean_loss", False)}


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--top", type=int, default=20, help="K calibration networks trained [default: 20]")
    ap.add_argument("--steps", type=int, default=150, help="full-training steps each [default: 150]")
    ap.add_argument("--refine-set", action="append", metavar="NAME=VALUE",
                    help="the depth they are trained at [default: N=5]")
    ap.add_argument("--signal", choices=sorted(SIGNALS), default="accuracy",
                    help="what the last step reads: the held-out accuracy (version 8) or the mean training loss "
                         "(version 9) [default: accuracy]")
    ap.add_argument("--jobs", type=int, default=1, help="networks trained at once, one thread each")
    ap.add_argument("--pools", type=int, default=300, help="random pools of half the calibration set")
    ap.add_argument("--ks", default="3,5", help="the last step's K, comma-separated [default: 3,5]")
    ap.add_argument("--out", type=Path, default=OUT, help=f"where the trainings are kept [default: {OUT}]")
    args = ap.parse_args()
    sets = parse_sets(tuple(args.refine_set or ["N=5"]), flag="--refine-set")
    label, key, higher = SIGNALS[args.signal]

    cal = read_calibration(args.report)
    ranking = parse_indicator(STUDY_DEFAULT_V5)
    top = order(cal.records, ranking)[:args.top]
    archs = [cal.archs[i] for i in top]
    name = "-".join(f"{k}{v}" for k, v in sets.items())
    stem = f"top{args.top}-steps{args.steps}-{name}"
    accuracy_only = args.out / f"{stem}.json"  # version 8's trainings kept their accuracy alone; later ones both
    path = accuracy_only if args.signal == "accuracy" and accuracy_only.is_file() else args.out / f"{stem}-both.json"
    trainings = kept(path, archs, lambda: train_all(cal.settings, sets, archs, args.steps, args.jobs),
                     ranking=STUDY_DEFAULT_V5, steps=args.steps, sets=sets)
    values = trainings[key]
    signal = dict(zip(top, values))

    print(f"calibration set: the {args.top} best by {STUDY_DEFAULT_V5}, each trained {args.steps} full steps "
          f"alone at {' '.join(f'{k}={v}' for k, v in sets.items())}")
    for place, i in enumerate(top, 1):
        shown = "  ".join(f"{SIGNALS[s][0]} {trainings[SIGNALS[s][1]][place - 1]:.3f}"
                          for s in SIGNALS if SIGNALS[s][1] in trainings)
        print(f"  {place:2d}. truth {cal.truth[i]:.2f} %  {shown}  {cal.archs[i]}")
    truth_top = [cal.truth[i] for i in top]
    by_ranking = kendall_tau([-place for place in range(len(top))], truth_top)
    by_signal = kendall_tau([v if higher else -v for v in values], truth_top)
    print(f"  Kendall tau among the {args.top}: by the ranking {by_ranking:.3f}, by {label} {by_signal:.3f}")

    ks = [int(k) for k in args.ks.split(",")]
    table, used = pooled_picks(cal, ranking, signal, higher, label, ks, args.pools)
    print(f"  over {used} of {args.pools} random pools of {len(cal.archs) // 2} (the others' {max(ks)} best were "
          f"not all trained), the mean truth of the network returned by:")
    for rule, mean in table.items():
        print(f"    {rule:40s} {mean:.3f} %")
    chosen = chosen_over(table, FIRST, MARGIN)
    print(f"short training study: {args.steps} steps at {name}, {label}: mean truth, the ranking's first "
          f"{table[FIRST]:.3f} %, chosen: {chosen} {table[chosen]:.3f} %")


def train_all(settings, sets: dict, archs: list[str], steps: int, jobs: int) -> dict[str, list[float]]:
    start = time.perf_counter()
    with ProcessPoolExecutor(jobs) as pool:
        futures = [pool.submit(train_one, settings, sets, arch, steps) for arch in archs]
        out = []
        for n, f in enumerate(futures, 1):
            out.append(f.result())
            print(f"  [{n}/{len(archs)}] accuracy {out[-1].accuracy:.3f}, mean loss {out[-1].mean_loss:.4f} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)
    return {"accuracy": [r.accuracy for r in out], "mean_loss": [r.mean_loss for r in out]}


def train_one(settings, sets: dict, arch: str, steps: int):
    import torch

    from fbndsl.indicators.context import held_out
    from fbndsl.search.refine import refined
    from fbndsl.train import Mode

    torch.set_num_threads(1)
    space = compile_space(settings.with_sets(sets), Fairness.INSERT)
    data = load_data(settings).held_out
    images = held_out(data, len(data.test))
    return refined(space, space.parse_arch(arch), data, images, steps=steps, seed=settings.seed, device="cpu",
                   mode=Mode.FULL)


def pooled_picks(cal, ranking, signal: dict, higher: bool, label: str, ks: list[int],
                 pools: int) -> tuple[dict[str, float], int]:
    """(rule -> mean truth of its pick, the number of pools): over the random pools whose max(ks) best were all
    trained (the others are skipped, for every rule alike)."""
    rng = random.Random(0)
    picks: dict[str, list[float]] = {FIRST: []}
    for k in ks:
        picks[f"{label}'s first of {k}"] = []
        picks[f"least product of ranks of {k}"] = []
    n = len(cal.archs)
    for _ in range(pools):
        members = rng.sample(range(n), n // 2)
        ranked = [members[j] for j in order([cal.records[i] for i in members], ranking)]
        if not all(i in signal for i in ranked[:max(ks)]):
            continue
        picks[FIRST].append(cal.truth[ranked[0]])
        for k in ks:
            best = ranked[:k]
            by_signal = ranks([signal[i] for i in best], higher_is_better=higher)
            picks[f"{label}'s first of {k}"].append(cal.truth[best[by_rank(by_signal)[0]]])
            first = min(range(k), key=lambda j: ((j + 1) * by_signal[j], j))
            picks[f"least product of ranks of {k}"].append(cal.truth[best[first]])
    return {rule: statistics.mean(v) for rule, v in picks.items()}, len(picks[FIRST])

if __name__ == "__main__":
    main()
