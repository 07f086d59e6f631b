"""Does refinement pick better networks? Measured on the calibration set alone (docs/nb201.md, "Protocol").

    python perf/refine_study.py REPORT.json [--top K] [--steps S] [--quick]

REPORT.json is what `fbndsl bench nb201` wrote: its calibration networks, every indicator measured on them, their
ground truth, the settings (data, `--set`, seed) and the ranking the calibration set chose for the search. The
top K of the calibration set by that ranking are each refined (trained BatchNorm-only alone for S steps, then
measured on held-out images: `fbndsl.search.refine`, what `fbndsl search --refine-top K` does) and the two
orders are compared against the truth: Kendall's tau among the K, and the truth of the network each would pick.
The evaluation set is never read. The last line printed is the figure.
"""
from __future__ import annotations

import argparse
import json
import math
import time

from calibration_report import record_of

import fbndsl
from fbndsl.bench.stats import kendall_tau
from fbndsl.indicators import Indicator, order, parse_indicator, scores


def records_of(archs: list[dict]) -> list[dict[Indicator, float]]:
    """The report's values (JSON writes infinities as strings) as indicator records."""
    return [record_of(a["values"]) for a in archs]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report")
    ap.add_argument("--top", type=int, help="K networks refined [default: 10; --quick: 4]")
    ap.add_argument("--steps", type=int, help="BN-only steps each [default: 300; --quick: 20]")
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    k, steps = args.top or (4 if args.quick else 10), args.steps or (20 if args.quick else 300)

    report = json.loads(open(args.report, encoding="utf-8").read())
    settings, cal = report["settings"], report["calibration_archs"]
    ranking = parse_indicator(report["choices"][-1]["chosen"])
    space = fbndsl.compile("nb201", **settings["sets"])
    archs = [space.parse_arch(a["arch"]) for a in cal]
    truth = [a["cifar10_test_acc"] for a in cal]
    records = records_of(cal)
    top = order(records, ranking)[:k]
    by_ranking = scores([records[i] for i in top], ranking)

    import torch

    from fbndsl.data import load
    from fbndsl.data.split import validation_split
    from fbndsl.search.driver import refiner

    torch.set_num_threads(1)
    split = validation_split(load(settings["data"], augment=True, seed=settings["seed"]))
    refine = refiner(space, split.held_out, steps=steps, seed=settings["seed"], device="cpu")
    refined = []
    for n, i in enumerate(top, 1):
        start = time.perf_counter()
        refined.append(refine(archs[i]))
        print(f"  [{n}/{k}] truth {truth[i]:.2f}%  {ranking.value} {by_ranking[n - 1]:.3g}  refined "
              f"{refined[-1]:.3f}  ({time.perf_counter() - start:.0f} s)  {space.format_arch(archs[i], 'nb201')}",
              flush=True)

    sign = 1 if ranking.higher_is_better else -1
    top_truth = [truth[i] for i in top]
    tau_ranking = kendall_tau([sign * s for s in by_ranking], top_truth)
    tau_refined = kendall_tau(refined, top_truth)
    pick_refined = top_truth[max(range(k), key=lambda j: (refined[j], -j))]
    print(f"calibration set, top {k} by {ranking.value}; refinement {steps} BN-only steps each")
    print(f"  Kendall tau among the {k}: by the ranking {tau_ranking:.3f}, by refined accuracy {tau_refined:.3f}")
    print(f"  truth of the pick: by the ranking {top_truth[0]:.2f}%, by refined accuracy {pick_refined:.2f}% "
          f"(best of the {k}: {max(top_truth):.2f}%)")
    print(f"refine study: top {k}, {steps} steps: tau {_f(tau_ranking)} -> {_f(tau_refined)}, pick "
          f"{top_truth[0]:.2f}% -> {pick_refined:.2f}% (best {max(top_truth):.2f}%)")


def _f(x: float) -> str:
    return "nan" if math.isnan(x) else f"{x:.2f}"


if __name__ == "__main__":
    main()
