"""Should the search's pick count pooling as a layer? Version 12's pick, `product(cpi+params+synflow+min_depth)`,
against the same product with `min_mixing` (pooling counted) in `min_depth`'s place (docs/nb201.md, "Protocol",
version 13).

    python perf/min_mixing_study.py REPORT.json [--truth CSV] [--supernet-dir DIR] [--seeds A-B [--draw-seed D]]
                                    [--jobs J] [--out DIR]

The calibration pools are version 10's twelve (`protocol.SEARCH_PICK_SEEDS`) and twelve more
(`protocol.SEARCH_MIXING_SEEDS`), the protocol's search on the report's own fair supernet, kept in `--out` (searched
and kept when absent, as `search_pick_study.py` does). Both picks take the pool's first by their ranking; both
structural members are computed from each network's text.

The rule, written and committed before any figure of the twelve new pools was seen: `min_mixing` replaces
`min_depth` if its pick's mean truth over the 24 pools is higher than version 12's; ties keep version 12's. The last
line printed is the choice. With `--seeds A-B` (seeds the protocol does not calibrate on), each pick's table on
those seeds' pools and no choice; with `--draw-seed D` too, on another draw's kept pools (give their `--out`).
"""
from __future__ import annotations

from pathlib import Path

import search_pick_study as pools_study
from calibration_report import forked_map
from search_last_step_study import PROTOCOL_EVALS
from search_refine_study import search_setup, search_study_parser

from fbndsl.indicators import parse_indicator

VERSION_12 = parse_indicator("product(cpi+params+synflow+min_depth)")
CANDIDATE = parse_indicator("product(cpi+params+synflow+min_mixing)")
PICKS = {"the ranking's first": (None, 1),
         f"version 12's pick, the pool's first by {VERSION_12.value}": (VERSION_12, None),
         f"the pool's first by {CANDIDATE.value}": (CANDIDATE, None)}


def main() -> None:
    ap = search_study_parser(__doc__)
    ap.add_argument("--jobs", type=int, default=1, help="searches run at once, one core each (default 1)")
    ap.add_argument("--out", default=str(pools_study.OUT), help=f"where the pools are kept (default "
                                                                f"{pools_study.OUT})")
    args = ap.parse_args()
    from fbndsl.bench.protocol import SEARCH_MIXING_SEEDS, SEARCH_PICK_SEEDS

    pools_study._RUN.update(search_setup(args), draw_seed=args.draw_seed, evals=PROTOCOL_EVALS, out=Path(args.out))
    seeds = [*SEARCH_PICK_SEEDS, *SEARCH_MIXING_SEEDS] if args.seeds is None else pools_study._RUN["seeds"]
    pools = forked_map(pools_study.pool_of, seeds, args.jobs)
    where = "calibration seeds 128-139 and 152-163" if args.seeds is None else f"seeds {seeds[0]}-{seeds[-1]}"
    means = pools_study.mean_table(pools, PICKS, f"{where}, {PROTOCOL_EVALS} evaluations by "
                                                 f"{pools_study._RUN['ranking'].value}; the truth of each pick:")
    if args.seeds is not None:
        print(f"min mixing study: mean truth over {where}: "
              + ", ".join(f"{name} {m:.3f} %" for name, m in means.items()))
        return
    first, old, new = PICKS
    chosen, name = (CANDIDATE, new) if means[new] > means[old] else (VERSION_12, old)
    print(f"min mixing study, version 13: chosen the pool's first by {chosen.value} ({means[name]:.3f} % over "
          f"{len(seeds)} calibration pools; version 12's pick {means[old]:.3f} %, the ranking's first "
          f"{means[first]:.3f} %)")


if __name__ == "__main__":
    main()
