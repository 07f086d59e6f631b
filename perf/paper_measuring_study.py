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

import time
from dataclasses import replace

import torch
from calibration_report import STUDY_DEFAULT, calibration_tau, read_calibration, study_parser

from fbndsl.bench.nb201 import context, load_data, supernet
from fbndsl.bench.settings import PAPER_MEASURING
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, measure

SUPERNET_READINGS = [Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS, Indicator.EXPRESSIVITY]
RANKINGS = ("trainability", "uncertainty", "regions", "expressivity", "cpi", STUDY_DEFAULT)


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--archs", type=int, default=100, help="calibration networks measured again [default: 100]")
    args = ap.parse_args()
    cal = read_calibration(args.report, first=args.archs)
    torch.set_num_threads(1)
    settings = replace(cal.settings, measuring=PAPER_MEASURING)
    space, data = compile_space(settings, Fairness.INSERT), load_data(settings)
    _, net = supernet(space, settings, Fairness.INSERT, data.train, echo=lambda line: None, quiet=True)
    ctx = context(space, net, data.held_out, settings)
    start = time.perf_counter()
    precise = [{**r, **measure(ctx, space.parse_arch(a), SUPERNET_READINGS)} for r, a in zip(cal.records, cal.archs)]
    print(f"paper measuring: {(time.perf_counter() - start) / len(cal.archs):.2f} s per architecture, "
          f"{len(cal.archs)} calibration networks")

    def tau(records, name):
        return calibration_tau(records, cal.truth, name)

    print(f"{'calibration Kendall tau':45s}{'CPU measuring':>15s}{'paper measuring':>17s}")
    for name in RANKINGS:
        print(f"{name:45s}{tau(cal.records, name):15.3f}{tau(precise, name):17.3f}")
    print(f"paper measuring study, cpi calibration tau: CPU measuring {tau(cal.records, 'cpi'):.3f}, "
          f"paper measuring {tau(precise, 'cpi'):.3f}")

if __name__ == "__main__":
    main()
