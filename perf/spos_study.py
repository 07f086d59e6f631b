"""A supernet whose every weight trains (SPOS, FairNAS paths) as a ranking signal, on the calibration set alone.

    python perf/spos_study.py REPORT.json [--steps S]

FBN-NAS trains BatchNorm only; on a CPU budget its children stay near 16-20% accuracy. This trains the same
space (N = 1 proxy, fairness BatchNorms) with `fbndsl train --mode full --sampler fair` for S steps (default 600,
about 5 minutes on one thread) on the benchmark's training split, measures each calibration network's held-out
accuracy on it (`expressivity`, after BatchNorm recalibration) and prints its calibration Kendall tau alone and
beside the default ranking's members, and the accuracy rank of the ten best networks by the truth. The
evaluation set is never read. The last line is the figure.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import torch
from calibration_report import calibration_tau, read_calibration, study_parser

from fbndsl.bench.nb201 import context, load_data
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, measure, ranks
from fbndsl.train import TrainConfig, train
from fbndsl.train.distributed import Launch

RANKINGS = ("expressivity", "meco", "product(cpi+meco+jacob_cov+params+synflow)",
            "product(expressivity+meco+jacob_cov+params+synflow)",
            "product(cpi+expressivity+meco+jacob_cov+params+synflow)")


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--steps", type=int, default=600, help="SPOS steps [default: 600]")
    args = ap.parse_args()
    cal = read_calibration(args.report)
    torch.set_num_threads(1)
    settings = cal.settings
    space, data = compile_space(settings, Fairness.INSERT), load_data(settings)
    # epochs: only a bound, the LR schedule spans --steps; 10 leaves --steps to end the run
    config = TrainConfig(mode="full", epochs=10, steps=args.steps, seed=settings.seed, device="cpu",
                         data=settings.data, sets=settings.sets, sampler="fair", eval_archs=1, quiet=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as run:
        trained = train(space, config, data.train, Path(run) / "spos", resume=False, launch=Launch())
    print(f"SPOS supernet: {args.steps} steps in {time.perf_counter() - start:.0f} s, a child's held-out accuracy "
          f"{trained.evals[0]['acc']:.3f}")
    ctx = context(space, trained.supernet, data.held_out, settings)
    accuracy = [measure(ctx, space.parse_arch(a), [Indicator.EXPRESSIVITY])[Indicator.EXPRESSIVITY]
                for a in cal.archs]
    truth = cal.truth
    records = [{**r, Indicator.EXPRESSIVITY: acc} for r, acc in zip(cal.records, accuracy)]
    taus = {}
    for name in RANKINGS:
        taus[name] = calibration_tau(records, truth, name)
        print(f"{name:60s}{taus[name]:8.3f}")
    by_accuracy = ranks(accuracy, True)
    for i in sorted(range(len(truth)), key=lambda i: -truth[i])[:10]:
        print(f"  truth {truth[i]:.2f} %  SPOS accuracy {accuracy[i]:.3f} (rank {by_accuracy[i]:g} of {len(truth)})  "
              f"{cal.archs[i]}")
    print(f"SPOS study: expressivity on the SPOS supernet, calibration tau {taus['expressivity']:.3f}; with the "
          f"default's members as a product {taus[RANKINGS[4]]:.3f} (the default {taus[RANKINGS[2]]:.3f})")

if __name__ == "__main__":
    main()
