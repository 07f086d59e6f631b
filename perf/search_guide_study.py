"""Does evolution guided by the pick itself return better networks than the protocol's search? A study on calibration
search seeds no run had used, which chooses nothing (docs/nb201.md, "After version 11").

    python perf/search_guide_study.py REPORT.json [--guide RANKING] [--truth CSV] [--supernet-dir DIR]
                                      [--seeds A-B] [--jobs J] [--quick]

REPORT.json is what `fbndsl bench nb201` wrote (its settings and measuring batches; a guide that reads no trained
supernet never touches its supernet, though the report's is loaded as every search study does). For each seed of
`protocol.SEARCH_GUIDE_SEEDS`, evolution guided by `--guide` (default: version 11's pick, `driver.DEFAULT_PICK`)
evaluates the full protocol's 200 networks and returns its first by the guide. The table gives each search's return
and the best network its pool holds; the last line the mean truth of the returns. Version 11's own figures are
beside it in docs/nb201.md: the guide is what changes.
"""
from __future__ import annotations

import statistics
import time

from calibration_report import forked_map
from search_last_step_study import PROTOCOL_EVALS
from search_refine_study import search_setup, search_study_parser

_RUN: dict = {}  # what every seed's search shares: set up once, then forked into the jobs


def searched(seed: int) -> dict:
    """One guided search's return, the best truth in its pool, and its seconds."""
    from fbndsl.search.driver import search

    r = _RUN
    start = time.perf_counter()
    result = search(r["space"], supernet=r["net"], indicator=r["guide"], strategy="evolution", evals=r["evals"],
                    seed=seed, context=r["ctx"])
    truth = [r["truth"].of(r["space"], e.arch) for e in result.evaluated]
    out = {"seed": seed, "arch": r["space"].format_arch(result.best.entry.arch, "nb201"),
           "returned": r["truth"].of(r["space"], result.best.entry.arch), "best": max(truth),
           "seconds": time.perf_counter() - start}
    print(f"seed {seed}: {out['returned']:.2f} % (best in its pool {out['best']:.2f} %), {out['seconds']:.0f} s  "
          f"{out['arch']}", flush=True)
    return out


def main() -> None:
    ap = search_study_parser(__doc__)
    from fbndsl.search.driver import DEFAULT_PICK

    ap.add_argument("--guide", default=DEFAULT_PICK, help=f"the ranking evolution follows (default {DEFAULT_PICK})")
    ap.add_argument("--jobs", type=int, default=1, help="searches run at once, one core each (default 1)")
    ap.add_argument("--quick", action="store_true", help="2 seeds of 20 evaluations: a check that it runs")
    args = ap.parse_args()
    from fbndsl.bench.protocol import SEARCH_GUIDE_SEEDS
    from fbndsl.indicators import parse_indicator

    _RUN.update(search_setup(args))
    seeds = list(SEARCH_GUIDE_SEEDS) if args.seeds is None else _RUN["seeds"]
    seeds = seeds[:2] if args.quick else seeds
    _RUN.update(guide=parse_indicator(args.guide), evals=20 if args.quick else PROTOCOL_EVALS)
    runs = forked_map(searched, seeds, args.jobs)
    mean = statistics.fmean(r["returned"] for r in runs)
    print(f"\nsearch guide study: evolution by {_RUN['guide'].value}, {_RUN['evals']} evaluations, seeds "
          f"{seeds[0]}-{seeds[-1]}: mean truth of the returned networks {mean:.3f} % (best in the pools "
          f"{statistics.fmean(r['best'] for r in runs):.3f} %, {statistics.fmean(r['seconds'] for r in runs):.0f} s "
          f"a search)")


if __name__ == "__main__":
    main()
