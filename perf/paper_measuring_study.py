"""CPI's components measured with FBN-NAS' settings instead of the CPU ones, on the calibration set alone.

    python perf/paper_measuring_study.py REPORT.json [--archs K]

REPORT.json is what `fbndsl bench nb201` wrote; its fair supernet must still be in its `supernet_dir` (it is
reused, not trained). The first K calibration networks (default 100) are measured again on it with
`PAPER_MEASURING` (20 recalibration batches, 1,000 held-out images, 10 Monte-Carlo passes, about 4x the time)
instead of the report's `CPU_MEASURING` (4, 256, 4), and each reading of the trained supernet is judged both
ways: does a more precise measurement make trainability, uncertainty and CPI rank better? The evaluation set is
never read. The last line is the figure.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from fbndsl.bench.nb201 import context, load_data, supernet
from fbndsl.bench.settings import PAPER_MEASURING, make_settings
from fbndsl.bench.stats import kendall_tau
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, measure, parse_indicator, ranks, scores
from fbndsl.search.driver import DEFAULT_INDICATOR

SUPERNET_READINGS = [Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS, Indicator.EXPRESSIVITY]
RANKINGS = ("trainability", "uncertainty", "regions", "expressivity", "cpi", DEFAULT_INDICATOR)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("report")
    ap.add_argument("--archs", type=int, default=100, help="calibration networks measured again [default: 100]")
    args = ap.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    given, cal = report["settings"], report["calibration_archs"][:args.archs]
    torch.set_num_threads(1)
    settings = make_settings(given["quick"], data=given["data"], out=Path("unused"),
                             supernet_dir=Path(given["supernet_dir"]), seed=given["seed"],
                             sets=tuple(given["sets"].items()), measuring=PAPER_MEASURING)
    space, data = compile_space(settings, Fairness.INSERT), load_data(settings)
    _, net = supernet(space, settings, Fairness.INSERT, data.train, echo=lambda line: None, quiet=True)
    ctx = context(space, net, data.held_out, settings)
    as_reported = [{Indicator(k): float(v) for k, v in a["values"].items()} for a in cal]
    start = time.perf_counter()
    precise = [{**r, **measure(ctx, space.parse_arch(a["arch"]), SUPERNET_READINGS)}
               for r, a in zip(as_reported, cal)]
    print(f"paper measuring: {(time.perf_counter() - start) / len(cal):.2f} s per architecture, "
          f"{len(cal)} calibration networks")
    truth = [a["cifar10_test_acc"] for a in cal]

    def tau(records, name):
        r = parse_indicator(name)
        return kendall_tau([-x for x in ranks(scores(records, r), r.higher_is_better)], truth)

    print(f"{'calibration Kendall tau':45s}{'CPU measuring':>15s}{'paper measuring':>17s}")
    for name in RANKINGS:
        print(f"{name:45s}{tau(as_reported, name):15.3f}{tau(precise, name):17.3f}")
    print(f"paper measuring study, cpi calibration tau: CPU measuring {tau(as_reported, 'cpi'):.3f}, "
          f"paper measuring {tau(precise, 'cpi'):.3f}")


if __name__ == "__main__":
    main()
