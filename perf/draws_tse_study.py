"""Two readings looked at, on the calibration set alone, before version 15 was declared, and not made candidates: the
zero-cost members averaged over several draws of the network at initialisation, and the mean training loss of a short
training of each network alone (docs/nb201.md, "Protocol", version 15).

    python perf/draws_tse_study.py REPORT.json [--jobs J]

REPORT.json is what `fbndsl bench nb201` wrote, version 14's or later (its zero-cost proxies read the network as
written). **Draws**: each zero-cost member of the default ranking (and NASWOT and SNIP) measured again on `DRAWS`, the
context seeds of eight more draws (the network's initial weights and NASWOT's batch); with the report's own, nine.
Printed: each one's calibration Kendall tau per draw, and of its mean rank over the first k draws; the default
ranking's on each draw, and with each zero-cost member's mean rank over the first k draws in its place. **TSE** (Ru
et al., NeurIPS 2021): every weight of each network trained alone at the report's depth, `TSE_STEPS` steps of
`fbndsl train --mode full`'s settings (`search.refine.refined_network`) on the network as written; the mean of its
training losses (lower is better) alone, over the second half of the steps, and beside the default's members. The
values are kept in `OUT` (a rerun reprints in seconds). The evaluation set is never read. The last line is the
figure: the default ranking's calibration tau on one draw, averaged over draws, and with TSE.
"""
from __future__ import annotations

import statistics
from pathlib import Path

import torch
from calibration_report import (
    STUDY_DEFAULT_V5,
    forked_map,
    kept,
    kept_values,
    product_tau,
    read_calibration,
    study_parser,
)

from fbndsl.bench.nb201 import load_data
from fbndsl.bench.stats import correlation
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, parse_indicator, ranks, scores

DRAWS = tuple(range(1001, 1009))
KS = (3, 5, 9)
MEMBERS = (Indicator.MECO, Indicator.JACOB_COV, Indicator.SYNFLOW, Indicator.ISOTROPY, Indicator.PROGRESSIVITY,
           Indicator.NASWOT, Indicator.SNIP)
TSE_STEPS = 40
OUT = Path(__file__).parent / "results" / "nb201-draws-tse-v14"
_RUN: dict = {}  # what every job shares: set up once, then forked into the jobs


def drawn(draw: int) -> list[dict]:
    """Each calibration network's `MEMBERS` on the context of seed `draw`, kept."""
    from fbndsl.indicators.context import IndicatorContext
    from fbndsl.indicators.measure import measure

    r = _RUN

    def measure_all() -> list[dict]:
        ctx = IndicatorContext.build(r["space"], None, r["data"], device="cpu", seed=draw,
                                     **r["cal"].settings.measuring.options())
        return [measure(ctx, r["space"].parse_arch(a), MEMBERS) for a in r["cal"].archs]

    return kept_values(OUT / f"draw-{draw}.json", r["cal"].archs, measure_all, draw=draw)


def training_losses(i: int) -> list[float]:
    """The training losses of calibration network `i` trained alone, `TSE_STEPS` steps."""
    from fbndsl.pipeline import as_written
    from fbndsl.search.refine import refined_network
    from fbndsl.train import Mode

    r = _RUN
    space = as_written(r["space"])
    losses: list[torch.Tensor] = []
    refined_network(space, space.parse_arch(r["cal"].archs[i]), r["data"], steps=TSE_STEPS,
                    seed=r["cal"].settings.seed, device="cpu", mode=Mode.FULL, on_step=losses.append)
    return [float(loss) for loss in losses]


def tau(values: list[float], higher_is_better: bool) -> float:
    return correlation(values, higher_is_better, _RUN["cal"].truth).kendall_tau


def mean_rank(draws: list[list[dict]], member: Indicator) -> list[float]:
    """Minus each network's mean rank of `member` over `draws` (higher is better)."""
    per_draw = [ranks([d[member] for d in draw], member.higher_is_better) for draw in draws]
    return [-statistics.fmean(column) for column in zip(*per_draw)]


def default_tau(draws: list[list[dict]], extra: list[tuple[list[float], bool]] = ()) -> float:
    """The default ranking's tau, its zero-cost members read as their mean rank over `draws`, `extra` beside."""
    cal = _RUN["cal"]
    default = parse_indicator(STUDY_DEFAULT_V5)
    zero_cost = [m for m, _ in default.members if m in MEMBERS]
    columns = [(scores(cal.records, Indicator.CPI), Indicator.CPI.higher_is_better),
               ([r[Indicator.PARAMS] for r in cal.records], True)]
    columns += [(mean_rank(draws, m), True) for m in zero_cost]
    return product_tau(columns + list(extra), cal.truth)


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--jobs", type=int, default=1, help="draws (then networks) measured at once, one core each")
    args = ap.parse_args()
    cal = read_calibration(args.report)
    torch.set_num_threads(1)
    data = load_data(cal.settings).held_out
    _RUN.update(cal=cal, space=compile_space(cal.settings, Fairness.INSERT), data=data)
    draws = [cal.records, *forked_map(drawn, list(DRAWS), args.jobs)]
    print(f"calibration Kendall tau of each zero-cost member on each of {len(draws)} draws (the report's first), "
          f"and of its mean rank over the first k draws")
    for m in MEMBERS:
        single = [tau([d[m] for d in draw], m.higher_is_better) for draw in draws]
        averaged = [tau(mean_rank(draws[:k], m), True) for k in KS]
        print(f"  {m.value:14s} {' '.join(f'{t:.3f}' for t in single)}  mean {statistics.fmean(single):.3f}  "
              + "  ".join(f"k={k}: {t:.3f}" for k, t in zip(KS, averaged)))
    one = [default_tau([draw]) for draw in draws]
    averaged = {k: default_tau(draws[:k]) for k in KS}
    print(f"the default ranking on each draw: {' '.join(f'{t:.3f}' for t in one)} (mean {statistics.fmean(one):.3f}); "
          + ", ".join(f"members averaged over {k} draws {t:.3f}" for k, t in averaged.items()))

    losses = kept(OUT / f"tse-{TSE_STEPS}.json", cal.archs,
                  lambda: {"losses": forked_map(training_losses, list(range(len(cal.archs))), args.jobs)},
                  steps=TSE_STEPS)["losses"]
    tse = [statistics.fmean(run) for run in losses]
    late = [statistics.fmean(run[TSE_STEPS // 2:]) for run in losses]
    with_tse, with_late = (default_tau([cal.records], [(values, False)]) for values in (tse, late))
    print(f"TSE of {TSE_STEPS} steps: alone {tau(tse, False):.3f} (the second half's {tau(late, False):.3f}); "
          f"the default with it {with_tse:.3f} (with the second half's {with_late:.3f})")
    print(f"draws and TSE study: the default ranking's calibration tau {one[0]:.3f} on the report's draw (mean of one "
          f"draw {statistics.fmean(one):.3f}), {averaged[max(KS)]:.3f} with its zero-cost members averaged over "
          f"{max(KS)} draws, {with_tse:.3f} with TSE of {TSE_STEPS} steps")


if __name__ == "__main__":
    main()
