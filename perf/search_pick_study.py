"""Does another pick among the search's best return better networks than the ranking's own first? Measured on fresh
calibration search seeds alone (docs/nb201.md, "Protocol", version 10).

    python perf/search_pick_study.py REPORT.json [--truth CSV] [--supernet-dir DIR] [--seeds A-B] [--jobs J]
                                     [--out DIR] [--quick]

REPORT.json is what `fbndsl bench nb201` wrote: its settings (data, seed, `--set`, supernet folder) and the ranking
its calibration set chose. For each seed of `protocol.SEARCH_PICK_SEEDS` (twelve seeds no run had used when this
was written), the protocol's search (evolution by that ranking, the full protocol's 200 evaluations, no last step)
runs once on the report's fair supernet, and its pool, every evaluated network's values in the order evaluated, is
kept in `--out`, one file a seed: a rerun reprints from them, and a later rule can be judged on the same pools
without searching again. Each pick of `PICKS` takes one network from a pool: the ranking's first (what the search
returns since version 7); the largest (most parameters) of the ranking's first K; MeCo's first of the ranking's first
K; K = 3, 5, 10 (ties: the ranking's order). Every member is measured already, so no pick costs a measurement.

The rule, written and committed before any figure of this study was seen: the pick of highest mean truth over the
twelve seeds if it beats the ranking's first by at least `MARGIN` points (ties: the earlier in `PICKS`); otherwise
the search keeps the ranking's first.

Version 11 asks a second question of the same twelve pools: does the pool's first by another ranking, one of
`pool_rankings` (each member of the ranking alone, and every product of two or more of them), return better networks
than the ranking's own first? The same rule, over those rankings (ties: the earlier in that list). The last line
printed is version 11's choice. With `--seeds A-B` (seeds the protocol does not calibrate on), version 10's table,
the pick version 11 chose on the twelve calibration pools (read from the kept pools) beside the ranking's first,
and no choice. With `--seeds A-B --draw-seed D` too, the same on the fair supernet of another draw (trained if absent
in `--supernet-dir`): the pools record the draw, so give them an `--out` of their own; the pick is still the one
chosen on the calibration pools of the report's own draw (docs/nb201.md, "After version 11"). With `--seeds` and a
report whose ranking is not version 5's (version 15's adds `min_mixing`), the calibration pools' rules do not apply:
the pick `fbndsl search` returns with that ranking (`driver.pick_for`) is reported beside the ranking's first.

Version 12 asks it once more with a structural indicator, `min_depth` (the fewest weighted layers from input to
output, computed from each network's text; the kept pools predate it): its candidates are version 11's rankings and
each of them with `min_depth` added to the product (`depth_rankings`), judged by the same rule against version 11's
choice. It prints its choice last, and with `--seeds A-B` its pick's table beside version 11's.
"""
from __future__ import annotations

import itertools
import statistics
import tempfile
import time
from pathlib import Path

from calibration_report import STUDY_DEFAULT_V5, chosen_over, forked_map, kept_as, raw_of, record_of, structural_values
from search_last_step_study import PROTOCOL_EVALS
from search_refine_study import search_setup, search_study_parser

from fbndsl.indicators import Aggregate, Ensemble, Indicator, order, parse_indicator
from fbndsl.search.driver import pick_for

KS = (3, 5, 10)
PICKS: dict[str, tuple[Indicator | Ensemble | None, int | None]] = {
    "the ranking's first": (None, 1),
    **{f"the largest of the first {k}": (Indicator.PARAMS, k) for k in KS},
    **{f"MeCo's first of the first {k}": (Indicator.MECO, k) for k in KS}}
MARGIN = 0.10
OUT = Path(__file__).parent / "results" / "nb201-search-pools-v5"
_RUN: dict = {}  # what every seed's search shares: set up once, then forked into the jobs


def pool_of(seed: int) -> list[dict]:
    """The search's pool for `seed`: each evaluated network's text and values (Indicator -> float), as kept in
    `--out`, searched on the supernet of `--draw-seed` (None: the report's own)."""
    return kept_pool(seed, _RUN["out"], _RUN["draw_seed"])


def kept_pool(seed: int, folder: Path, draw_seed: int | None) -> list[dict]:
    """`pool_of` as kept in `folder` for the supernet of `draw_seed` (None: the report's own, whose pools record
    none); searched now when absent, which only the draw the study set up can do."""
    r = _RUN
    identity = {"seed": seed, "evals": r["evals"], "ranking": r["ranking"].value, "draw_seed": draw_seed}
    if draw_seed != r["draw_seed"] and not (folder / f"seed-{seed}-{r['evals']}.json").is_file():
        raise SystemExit(f"{folder}: no pool of seed {seed}; it is searched on the report's own draw of the "
                         f"supernet, so run once without --draw-seed first")

    def search_once() -> dict:
        from fbndsl.search.driver import search

        start = time.perf_counter()
        result = search(r["space"], supernet=r["net"], indicator=r["ranking"], strategy="evolution",
                        evals=r["evals"], seed=seed, context=r["ctx"])
        print(f"seed {seed}: {len(result.evaluated)} evaluated, {time.perf_counter() - start:.0f} s", flush=True)
        return {"pool": [{"arch": r["space"].format_arch(e.arch), "values": raw_of(e.values)}
                         for e in result.evaluated]}

    kept_at = kept_as(folder / f"seed-{seed}-{r['evals']}.json", identity,
                      "another seed, budget, ranking or draw than asked", search_once)
    return [{"arch": p["arch"], "values": with_depth(p["arch"], record_of(p["values"]))} for p in kept_at["pool"]]


def with_depth(arch: str, values: dict) -> dict:
    """`values` and the network's `min_depth` and `min_mixing` (versions 12 and 13; the kept pools predate them)."""
    return {**values, **structural_values(_RUN["space"], arch)}


def pool_rankings(ranking: Ensemble) -> list[Indicator | Ensemble]:
    """Version 11's candidates: each member of `ranking` alone, then every product of two or more of them, fewer
    members first, each in the ranking's order (the seven-member product is the ranking itself)."""
    members = [m for m, _ in ranking.members]
    return [c[0] if len(c) == 1 else Ensemble(tuple((m, 1) for m in c), Aggregate.PRODUCT)
            for n in range(1, len(members) + 1) for c in itertools.combinations(members, n)]


def depth_rankings(ranking: Ensemble) -> list[Indicator | Ensemble]:
    """Version 12's candidates: version 11's (`pool_rankings`), then each of them with `min_depth` added, in the same
    order."""
    plain = pool_rankings(ranking)
    return plain + [with_min_depth(r) for r in plain]


def with_min_depth(ranking: Indicator | Ensemble) -> Ensemble:
    """The product of `ranking`'s members (or of the one indicator) and `min_depth`."""
    members = ((ranking, 1),) if isinstance(ranking, Indicator) else ranking.members
    return Ensemble((*members, (Indicator.MIN_DEPTH, 1)), Aggregate.PRODUCT)


def whole_pool_picks(rankings: list[Indicator | Ensemble]) -> dict[str, tuple[Indicator | Ensemble, None]]:
    return {f"the pool's first by {r.value}": (r, None) for r in rankings}


def picked(records: list[dict], ranked: list[int], by: Indicator | Ensemble | None, k: int | None) -> int:
    """The index in `records` of the network `by` puts first among the ranking's first k (all with k None;
    `ranked`: the ranking's `order` of them; ties: that order); with no `by`, the ranking's first. A ranking of
    ranks (a product) ranks within those k."""
    best = ranked[:k]
    if by is None:
        return best[0]
    return best[order([records[i] for i in best], by)[0]]


def truths(pool: list[dict], picks: dict) -> dict[str, float]:
    """Pick -> the truth of the network it takes from `pool`."""
    r = _RUN
    records = [p["values"] for p in pool]
    ranked = order(records, r["ranking"])  # once: every pick reads the same ranking
    return {name: r["truth"].of(r["space"], r["space"].parse_arch(pool[picked(records, ranked, by, k)]["arch"]))
            for name, (by, k) in picks.items()}


def mean_table(pools: list[list[dict]], picks: dict, heading: str, rows: int | None = None) -> dict[str, float]:
    """Prints each pick's mean truth over `pools` and the truth in each (the `rows` best, or all in `picks`' order)
    under `heading`; returns pick -> mean truth."""
    table = [truths(pool, picks) for pool in pools]
    means = {name: statistics.fmean(row[name] for row in table) for name in picks}
    print(f"\n{heading}")
    shown = list(picks) if rows is None else sorted(picks, key=lambda n: -means[n])[:rows]
    width = max(len(n) for n in shown) + 2
    for name in shown:
        print(f"{name:{width}s}{means[name]:8.3f}  ({' '.join(f'{row[name]:.2f}' for row in table)})")
    return means


def main() -> None:
    ap = search_study_parser(__doc__)
    ap.add_argument("--jobs", type=int, default=1, help="searches run at once, one core each (default 1)")
    ap.add_argument("--out", default=str(OUT), help=f"where the pools are kept (default {OUT})")
    ap.add_argument("--quick", action="store_true", help="2 seeds of 20 evaluations (the first two of "
                    "protocol.SEARCH_CALIBRATION_SEEDS), pools in a temporary folder: a check that it runs")
    args = ap.parse_args()
    from fbndsl.bench.protocol import SEARCH_PICK_SEEDS

    _RUN.update(search_setup(args), draw_seed=args.draw_seed)
    # --quick checks it runs on two of the older calibration seeds, so that no check reads the fresh ones
    seeds = _RUN["seeds"][:2] if args.quick else (list(SEARCH_PICK_SEEDS) if args.seeds is None else _RUN["seeds"])
    _RUN.update(evals=20 if args.quick else PROTOCOL_EVALS,
                out=Path(tempfile.mkdtemp()) if args.quick else Path(args.out))  # a check keeps nothing here
    pools = forked_map(pool_of, seeds, args.jobs)
    heading = f"search seeds {seeds[0]}-{seeds[-1]}, {_RUN['evals']} evaluations by {_RUN['ranking'].value}"
    means = mean_table(pools, PICKS, f"{heading}; the truth of each pick:")
    first = means["the ranking's first"]
    if args.seeds is not None or args.quick:
        if args.seeds is not None and _RUN["ranking"] != parse_indicator(STUDY_DEFAULT_V5):
            # a later version's ranking (15): the calibration pools were searched by version 5's, so its picks are
            # not derived again; the pick `fbndsl search` returns with this ranking is reported beside its own first
            means |= mean_table(pools, whole_pool_picks([pick_for(_RUN["ranking"])]),
                                f"{heading}; fbndsl search's pick:")
        else:
            # read once: both versions' rules judge the same calibration pools
            calibration = (list(SEARCH_PICK_SEEDS), [kept_pool(s, OUT, None) for s in SEARCH_PICK_SEEDS]) \
                if args.seeds is not None else (seeds, pools)
            chosen, _ = chosen_pool_ranking(*calibration)
            means |= mean_table(pools, whole_pool_picks([chosen]), f"{heading}; version 11's pick (calibration's "
                                f"choice, {chosen.value}):")
            chosen, _ = chosen_pool_ranking(*calibration, version11=chosen)
            means |= mean_table(pools, whole_pool_picks([chosen]), f"{heading}; version 12's pick (calibration's "
                                f"choice, {chosen.value}):")
        print(f"search pick study: mean truth over seeds {seeds[0]}-{seeds[-1]}: "
              + ", ".join(f"{name} {m:.3f} %" for name, m in means.items()))
        return
    best = max(PICKS, key=means.__getitem__)  # max keeps the earliest of equal means
    chosen = chosen_over(means, "the ranking's first", MARGIN)
    print(f"search pick study, version 10: chosen {chosen} ({means[chosen]:.3f} % over {len(seeds)} calibration "
          f"seeds; the ranking's first {first:.3f} %, the best pick {best} {means[best]:.3f} %)")
    by, pool_means = chosen_pool_ranking(seeds, pools)
    print(f"search pick study, version 11: chosen the pool's first by {by.value} ({pool_means[by]:.3f} % over "
          f"{len(seeds)} calibration seeds; the ranking's own first {pool_means[_RUN['ranking']]:.3f} %)")
    by12, depth_means = chosen_pool_ranking(seeds, pools, version11=by)
    print(f"search pick study, version 12: chosen the pool's first by {by12.value} ({depth_means[by12]:.3f} % over "
          f"{len(seeds)} calibration seeds; version 11's pick {depth_means[by]:.3f} %)")


def chosen_pool_ranking(seeds, pools: list[list[dict]], version11: Indicator | Ensemble | None = None
                        ) -> tuple[Indicator | Ensemble, dict]:
    """Version 11's rule on the calibration `pools` of `seeds` (with `--seeds`, those kept in `OUT`, searched on the
    report's own draw of the supernet, whatever `--out` and `--draw-seed` say): of `pool_rankings`, the one whose
    pool's first has the highest mean truth if it beats the ranking's own by at least `MARGIN` points (ties: the
    earlier), else the ranking; and each ranking's mean truth. Prints the ten best and the ranking's. Given
    `version11`, version 11's choice: version 12's rule, the same over `depth_rankings` against it."""
    if version11 is None:
        version, rankings, baseline = 11, pool_rankings(_RUN["ranking"]), _RUN["ranking"]
    else:
        version, rankings, baseline = 12, depth_rankings(_RUN["ranking"]), version11
    picks = whole_pool_picks(rankings)
    means = mean_table(pools, picks, f"version {version} on calibration seeds {seeds[0]}-{seeds[-1]}: the pool's "
                       f"first by each of {len(rankings)} rankings, the ten best", rows=10)
    against = f"the pool's first by {baseline.value}"
    print(f"{against}: {means[against]:.3f}")
    return (rankings[list(picks).index(chosen_over(means, against, MARGIN))],
            {r: means[name] for r, name in zip(rankings, picks)})


if __name__ == "__main__":
    main()
