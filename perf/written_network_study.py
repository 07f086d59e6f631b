"""The zero-cost proxies read on the network as written (protocol version 14) against the network with the fairness
BatchNorms they read before, on the same networks (docs/nb201.md, "The protocol, version 14").

    python perf/written_network_study.py REPORT.json [--archs K]

REPORT.json is what `fbndsl bench nb201` wrote from version 14 on: its values are read on the network as written.
This measures the zero-cost proxies that a BatchNorm after a skip or a pooling changes (synflow replaces every
BatchNorm by the identity, and params counts the graph: neither moves) again on the network with the fairness
BatchNorms (the searched space lowered with the report's seed, as versions 1 to 13 did), for the calibration set
and then the evaluation set (the first K of each with `--archs`), and prints each proxy's Kendall tau and the
default ranking's both ways. It chooses nothing: version 14 adopted the network as written as a correction. The
last line is the figure: the default ranking's evaluation tau both ways.
"""
from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import torch
from calibration_report import STUDY_DEFAULT_V5, record_of, study_parser

from fbndsl.bench.nb201 import context, correlate, load_data
from fbndsl.bench.settings import Settings
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, measure, parse_indicator
from fbndsl.lower import lower

MOVED = [Indicator.NASWOT, Indicator.JACOB_COV, Indicator.SNIP, Indicator.MECO, Indicator.ISOTROPY,
         Indicator.PROGRESSIVITY]


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--archs", type=int, help="the first K networks of each set (default: all)")
    args = ap.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    settings = Settings.from_json(report["settings"])
    torch.set_num_threads(1)
    space = compile_space(settings, Fairness.INSERT)
    ctx = context(space, None, load_data(settings).held_out, settings)
    torch.manual_seed(ctx.seed)  # the network at initialisation as versions 1 to 13 built it: fairness BatchNorms in
    with_fairness = dataclasses.replace(ctx, init_net=lower(space))
    default = parse_indicator(STUDY_DEFAULT_V5)  # version 14's default, whose reading this study compares
    taus = {}
    for name, key in (("calibration", "calibration_archs"), ("evaluation", "archs")):
        nets = report[key][:args.archs]
        start = time.perf_counter()
        written = [record_of(n["values"]) for n in nets]
        before = [{**w, **measure(with_fairness, space.parse_arch(n["arch"]), MOVED)} for w, n in zip(written, nets)]
        truth = [n["cifar10_test_acc"] for n in nets]
        old, new = (correlate(r, truth, [*MOVED, default]) for r in (before, written))
        print(f"{name} ({len(nets)} networks, {(time.perf_counter() - start) / len(nets):.2f} s each): Kendall "
              f"tau, fairness BatchNorms in -> as written")
        for i in (*MOVED, default):
            print(f"  {i.value:70s}{old[i].kendall_tau:7.3f} -> {new[i].kendall_tau:.3f}")
        taus[name] = (old[default].kendall_tau, new[default].kendall_tau)
    before_tau, written_tau = taus["evaluation"]
    print(f"written network study: {default.value} evaluation Kendall tau {before_tau:.3f} with the fairness "
          f"BatchNorms, {written_tau:.3f} as written (calibration {taus['calibration'][0]:.3f} -> "
          f"{taus['calibration'][1]:.3f})")


if __name__ == "__main__":
    main()
