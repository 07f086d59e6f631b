"""Does the search's last step return better networks than the ranking's own first? Measured on fresh calibration
search seeds alone (docs/nb201.md, "Protocol", version 7).

    python perf/search_last_step_study.py REPORT.json [--truth CSV] [--supernet-dir DIR] [--seeds A-B] [--jobs J]
                                          [--quick]

REPORT.json is what `fbndsl bench nb201` wrote: its settings (data, seed, `--set`, supernet folder) and the ranking
its calibration set chose. For each seed of `protocol.SEARCH_RECALIBRATION_SEEDS` (sixteen seeds no run had used
when this was written, disjoint from every reported seed and from the twelve calibration seeds that chose the last
step in version 4 and the budget in version 6), the protocol's search runs once on the report's fair supernet for
the protocol's budget (`--evals`: 200 from version 6; version 5's report records its 100), and the study gives the
truth of the network the last step (`protocol.REFINE_BY`: the least product of the ranking's and the explosion's
ranks among the ranking's `protocol.REFINE_TOP` best) returns and of the ranking's own first, from the same run.

The rule, written and committed before any figure of this study was seen: the last step stays if the mean truth of
its returned networks over the sixteen seeds is at least that of the ranking's own first (ties keep what the
protocol has); otherwise the protocol's search returns the ranking's first (`refine_top` 0). The last line printed
is the choice. With `--seeds A-B` (seeds the protocol does not calibrate on), the same table and no choice.
"""
from __future__ import annotations

import statistics

import search_budget_study as budget_study
from calibration_report import forked_map
from search_refine_study import search_setup, search_study_parser

from fbndsl.bench.settings import Settings

PROTOCOL_EVALS = Settings.__dataclass_fields__["evals"].default  # the full protocol's budget


def main() -> None:
    ap = search_study_parser(__doc__)
    ap.add_argument("--jobs", type=int, default=1, help="searches run at once, one core each (default 1)")
    ap.add_argument("--evals", type=int, default=PROTOCOL_EVALS,
                    help="the search's budget (default: the full protocol's, version 6's 200; a report of version 5 "
                         "records 100)")
    ap.add_argument("--quick", action="store_true", help="2 seeds of 20 evaluations (the first two of "
                    "protocol.SEARCH_CALIBRATION_SEEDS): a check that it runs")
    args = ap.parse_args()
    from fbndsl.bench.protocol import REFINE_TOP, SEARCH_RECALIBRATION_SEEDS

    run = budget_study._RUN  # what every seed's search shares: set up once, then forked into the jobs
    run.update(search_setup(args))
    # --quick checks it runs on two of the older calibration seeds, so that no check reads the fresh ones
    seeds = run["seeds"][:2] if args.quick else (
        list(SEARCH_RECALIBRATION_SEEDS) if args.seeds is None else run["seeds"])
    budget = 20 if args.quick else args.evals
    run.update(budgets=(budget,), k=REFINE_TOP)
    runs = forked_map(budget_study.one_seed, seeds, args.jobs)
    last = statistics.fmean(r[budget][0] for r in runs)
    first = statistics.fmean(r[budget][1] for r in runs)
    print(f"\nsearch seeds {seeds[0]}-{seeds[-1]}, {budget} evaluations by {run['ranking'].value}: the last step "
          f"(product, K={run['k']}) {last:.3f}, the ranking's first {first:.3f}")
    verdict = "" if args.seeds is not None else (
        "; chosen: the last step" if last >= first else "; chosen: the ranking's first (refine_top 0)")
    print(f"search last step study: mean truth, last step {last:.3f} %, the ranking's first {first:.3f} % over "
          f"{len(seeds)} seeds{verdict}")


if __name__ == "__main__":
    main()
