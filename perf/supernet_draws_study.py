"""CPI and the default ranking on other fair supernets: trained longer (`--epochs`), or drawn with other seeds
(`--seeds`) and averaged over the draws, on the calibration set alone.

    python perf/supernet_draws_study.py REPORT.json [--epochs E] [--seeds A-B] [--supernet-dir DIR] [--out DIR]

REPORT.json is what `fbndsl bench nb201` wrote (its calibration networks, their ground truth, every indicator's
value, the settings). For each seed the fair supernet of the report's settings with that seed and E epochs is found,
or trained, under the supernet folder, and the indicators that read it (CPI's components and the accuracy reading of
expressivity) are measured on every calibration network with that seed's measuring batches; the zero-cost members
of the default ranking stay the report's. Each draw's values go to OUT/e{E}-seed{S}.json as soon as they are
measured, and a draw already there is read instead (one core each: a one-thread torch, as a thread count changes a
training's bits).

Printed: for each draw, the calibration Kendall tau of CPI, its components and the default ranking beside the
report's; then for the first k draws, k = 1, 2, ..., CPI with each component's rank averaged over the k draws (an
ensemble of supernets, at k times the training) and the default ranking with that CPI. The evaluation set is never
read. The last line: CPI's and the default's calibration tau over all the draws, and MeCo's, the best single
indicator CPI is judged against.
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from calibration_report import (
    STUDY_DEFAULT_V5,
    fair_supernet_context,
    kept_values,
    product_tau,
    read_calibration,
    study_parser,
    supernet_dir_option,
)
from search_refine_study import seed_range

from fbndsl.bench.nb201 import correlate
from fbndsl.indicators import Indicator, measure, parse_indicator, ranks, scores

TRAINED = (Indicator.REGIONS, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.EXPRESSIVITY)
SHOWN = ("cpi", "regions", "trainability", "uncertainty", "expressivity", STUDY_DEFAULT_V5)


def main() -> None:
    ap = study_parser(__doc__)
    supernet_dir_option(ap)
    ap.add_argument("--epochs", type=int, default=10, help="each supernet's training (default 10, the protocol's)")
    ap.add_argument("--seeds", default="0-3", help="A-B: the draws (default 0-3)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "nb201-supernet-draws-v5"),
                    help="the folder of each draw's values")
    args = ap.parse_args()
    cal = read_calibration(args.report)
    draws = {seed: _draw(cal, args, seed) for seed in seed_range(args.seeds)}
    rankings = [parse_indicator(name) for name in SHOWN]
    heads = ["default" if name == STUDY_DEFAULT_V5 else name for name in SHOWN]
    print(f"{'calibration Kendall tau':24s}" + "".join(f"{head:>14s}" for head in heads))
    for label, records in [("the report", cal.records)] + [(f"e{args.epochs} seed {s}", r) for s, r in draws.items()]:
        taus = correlate(records, cal.truth, rankings)
        print(f"{label:24s}" + "".join(f"{taus[r].kendall_tau:14.3f}" for r in rankings))
    print("\nCPI's components' ranks averaged over the first k draws, and the default ranking with that CPI")
    for k in range(1, len(draws) + 1):
        cpi = _averaged_cpi(list(draws.values())[:k])
        cpi_tau = product_tau([(cpi, False)], cal.truth)  # a product of one column orders as the column
        default_tau = _default_tau(cpi, cal)
        print(f"  k = {k}: cpi {cpi_tau:.3f}, default {default_tau:.3f}")
    meco = correlate(cal.records, cal.truth, [Indicator.MECO])[Indicator.MECO].kendall_tau
    print(f"supernet draws study: e{args.epochs} x {len(draws)} averaged: calibration tau cpi {cpi_tau:.3f}, "
          f"default {default_tau:.3f} (meco {meco:.3f})")


def _draw(cal, args, seed: int) -> list[dict]:
    """The calibration records with the trained-supernet indicators of the draw (epochs, seed): kept, or measured."""
    def measure_all() -> list[dict]:
        import torch

        torch.set_num_threads(1)
        settings = replace(cal.settings, epochs=args.epochs, seed=seed)
        _, space, _, ctx = fair_supernet_context(settings, args.supernet_dir)
        return [measure(ctx, space.parse_arch(a), TRAINED) for a in cal.archs]

    drawn = kept_values(Path(args.out) / f"e{args.epochs}-seed{seed}.json", cal.archs, measure_all)
    return [{**r, **d} for r, d in zip(cal.records, drawn)]


def _averaged_cpi(draws: list[list[dict]]) -> list[float]:
    """CPI (lower is better) from each component's rank averaged over the draws."""
    n = len(draws[0])
    columns = []
    for c in Indicator.CPI.components:
        per_draw = [ranks([r[c] for r in records], c.higher_is_better) for records in draws]
        columns.append(ranks([sum(col[i] for col in per_draw) / len(draws) for i in range(n)], False))
    return [sum(col[i] for col in columns) / len(columns) for i in range(n)]


def _default_tau(cpi: list[float], cal) -> float:
    """The default ranking's calibration tau with this CPI score (lower is better) for its member CPI."""
    members = [m for m, _ in parse_indicator(STUDY_DEFAULT_V5).members]
    return product_tau([(cpi, False) if m is Indicator.CPI else (scores(cal.records, m), m.higher_is_better)
                        for m in members], cal.truth)


if __name__ == "__main__":
    main()
