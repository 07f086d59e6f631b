"""MeCo over more images: the mean over the first k images of NASWOT's batch instead of the paper's one image, alone
and in the default ranking, on the calibration set alone.

    python perf/meco_images_study.py REPORT.json

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, every indicator's
value, the settings); version 5's or later, whose reports hold isotropy and progressivity. MeCo reads one image
(`indicators.meco`): the smallest eigenvalue of one image's channel correlations is a noisy reading of the network,
and the mean over k images reads the same thing with less noise. This measures it for k = 1 to 64 (the batch) at
initialisation, with the benchmark's seed and NASWOT batch (k = 1 is checked equal to the report's MeCo), and prints
the calibration Kendall tau of MeCo and of the default ranking with MeCo so read. The evaluation set is never read.
The last line is the figure: the default ranking's calibration tau with MeCo of one image and of the best k.
"""
from __future__ import annotations

import time

import torch
from calibration_report import STUDY_DEFAULT_V5, read_calibration, study_parser

from fbndsl.bench.nb201 import correlate, zero_cost_context
from fbndsl.indicators import Indicator, parse_indicator
from fbndsl.indicators.meco import min_eigenvalue
from fbndsl.indicators.observe import is_feature_map, leaf_modules, observed_pass

KS = (1, 2, 4, 8, 16, 32, 64)
RANKINGS = ("meco", "product(cpi+meco+jacob_cov+params+synflow)", STUDY_DEFAULT_V5,
            "product(meco+jacob_cov+params+synflow+isotropy+progressivity)")


def meco_over_images(model, images) -> dict[int, float]:
    """k -> the mean over the first k images of MeCo's sum over layers (`meco.meco_score` is k = 1)."""
    sums = [0.0] * max(KS)

    def hook(_module, _inputs, output) -> None:
        if is_feature_map(output):
            for j in range(max(KS)):
                sums[j] += min_eigenvalue(output[j])

    observed_pass(model, images, leaf_modules(model), hook)
    return {k: sum(sums[:k]) / k for k in KS}


def main() -> None:
    args = study_parser(__doc__).parse_args()
    cal = read_calibration(args.report)
    torch.set_num_threads(1)
    space, ctx = zero_cost_context(cal.settings)
    start = time.perf_counter()
    values = [meco_over_images(*ctx.init_batch(space.parse_arch(a))) for a in cal.archs]
    print(f"MeCo over {max(KS)} images: {(time.perf_counter() - start) / len(values):.2f} s per network")
    assert all(abs(v[1] - r[Indicator.MECO]) < 1e-9 for v, r in zip(values, cal.records)), "k = 1 is the report's"
    rankings = [parse_indicator(n) for n in RANKINGS]
    print(f"{'k':>3s}  " + "  ".join(r.value for r in rankings))
    taus = {}
    for k in KS:
        records = [{**r, Indicator.MECO: v[k]} for r, v in zip(cal.records, values)]
        taus[k] = correlate(records, cal.truth, rankings)
        print(f"{k:3d}  " + "  ".join(f"{taus[k][r].kendall_tau:.3f}" for r in rankings))
    default = rankings[2]
    best = max(KS, key=lambda k: taus[k][default].kendall_tau)
    print(f"MeCo images study: calibration tau of {default.value}, MeCo of one image "
          f"{taus[1][default].kendall_tau:.3f}; of {best} images {taus[best][default].kendall_tau:.3f}")


if __name__ == "__main__":
    main()
