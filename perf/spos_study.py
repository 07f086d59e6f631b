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

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch

from fbndsl.bench.nb201 import context, load_data
from fbndsl.bench.settings import make_settings
from fbndsl.bench.stats import kendall_tau
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, measure, parse_indicator, ranks, scores
from fbndsl.train import TrainConfig, train
from fbndsl.train.distributed import Launch

RANKINGS = ("expressivity", "meco", "product(cpi+meco+jacob_cov+params+synflow)",
            "product(expressivity+meco+jacob_cov+params+synflow)",
            "product(cpi+expressivity+meco+jacob_cov+params+synflow)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report")
    ap.add_argument("--steps", type=int, default=600, help="SPOS steps [default: 600]")
    args = ap.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    given, cal = report["settings"], report["calibration_archs"]
    torch.set_num_threads(1)
    settings = make_settings(False, data=given["data"], out=Path("unused"), supernet_dir=Path("unused"),
                             seed=given["seed"], sets=tuple(given["sets"].items()))
    space, data = compile_space(settings, Fairness.INSERT), load_data(settings)
    config = TrainConfig(mode="full", epochs=settings.epochs, steps=args.steps, seed=settings.seed, device="cpu",
                         data=settings.data, sets=settings.sets, sampler="fair", eval_archs=1, quiet=True)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as run:
        trained = train(space, config, data.train, Path(run) / "spos", resume=False, launch=Launch())
    print(f"SPOS supernet: {args.steps} steps in {time.perf_counter() - start:.0f} s, a child's held-out accuracy "
          f"{trained.evals[0]['acc']:.3f}")
    ctx = context(space, trained.supernet, data.held_out, settings)
    accuracy = [measure(ctx, space.parse_arch(a["arch"]), [Indicator.EXPRESSIVITY])[Indicator.EXPRESSIVITY]
                for a in cal]
    truth = [a["cifar10_test_acc"] for a in cal]
    records = [{**{Indicator(k): float(v) for k, v in a["values"].items()}, Indicator.EXPRESSIVITY: acc}
               for a, acc in zip(cal, accuracy)]
    taus = {}
    for name in RANKINGS:
        r = parse_indicator(name)
        taus[name] = kendall_tau([-x for x in ranks(scores(records, r), r.higher_is_better)], truth)
        print(f"{name:60s}{taus[name]:8.3f}")
    by_accuracy = ranks(accuracy, True)
    for i in sorted(range(len(cal)), key=lambda i: -truth[i])[:10]:
        print(f"  truth {truth[i]:.2f} %  SPOS accuracy {accuracy[i]:.3f} (rank {by_accuracy[i]:g} of {len(cal)})  "
              f"{cal[i]['arch']}")
    print(f"SPOS study: expressivity on the SPOS supernet, calibration tau {taus['expressivity']:.3f}; with the "
          f"default's members as a product {taus[RANKINGS[4]]:.3f} (the default {taus[RANKINGS[2]]:.3f})")


if __name__ == "__main__":
    main()
