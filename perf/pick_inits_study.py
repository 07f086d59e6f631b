"""Does the pick averaged over several draws of the network at initialisation return better networks than the pick of
one draw? A study on the kept search pools, which chooses nothing (docs/nb201.md, "After version 11: the pick
averaged over initialisations").

    python perf/pick_inits_study.py REPORT.json [--truth CSV] [--jobs J]

REPORT.json is what `fbndsl bench nb201` wrote (its settings: the space, the data, the measuring options). Version 11's
pick, `PICK` (`fbndsl search`'s default pick until version 12), reads zero-cost proxies of one draw of the network at
initialisation, and among the cells a search's pool holds it is near-tied on the edge from a cell's input to its
output, where which operator comes first moves with the draw. For every kept pool of `POOLS`, the pick's first `K`
networks (in the search's order) have jacob_cov and synflow measured again on each context seed of `DRAWS` (the
network's initial weights and NASWOT's batch); with the pool's own values, five draws. Each network's pick score (the
product of its two normalised ranks among the K) is averaged over the five, and the least average is returned (ties:
the search's order). The values are kept in `OUT`, one file a pool, so a rerun reprints in seconds. The last line is
the mean truth of the returned networks against the pick's own first, per group of pools.
"""
from __future__ import annotations

import statistics
from pathlib import Path

from calibration_report import forked_map, kept_as, record_of, study_parser
from search_pick_study import OUT as POOLS_V5
from search_refine_study import SHARED_TRUTH

K = 20
PICK = "product(jacob_cov+synflow)"  # version 11's pick, whose draws this study averages (not today's DEFAULT_PICK)
DRAWS = (1001, 1002, 1003, 1004)
POOLS = {"calibration": (POOLS_V5, range(128, 140)),
         "evaluation, draw 0": (POOLS_V5, range(27, 45)),
         "evaluation, draw 1": (Path(__file__).parent / "results" / "nb201-search-pools-v5-draw1", range(45, 54))}
OUT = Path(__file__).parent / "results" / "nb201-pick-inits-v5"
_RUN: dict = {}  # what every pool shares: set up once, then forked into the jobs


def pool_file(folder: Path, seed: int) -> Path:
    return folder / f"seed-{seed}-200.json"


def drawn_values(job: tuple[str, int]) -> dict:
    """For one pool (group, seed): its pick's first K, their texts and truths, and each one's (jacob_cov, synflow) in
    each draw, the pool's own first."""
    import json

    from fbndsl.indicators import Indicator, order

    group, seed = job
    r = _RUN
    folder, _ = POOLS[group]
    pool = json.loads(pool_file(folder, seed).read_text(encoding="utf-8"))["pool"]
    records = [record_of(p["values"]) for p in pool]
    best = order(records, r["pick"])[:K]
    archs = [pool[i]["arch"] for i in best]
    members = (Indicator.JACOB_COV, Indicator.SYNFLOW)

    def measure_draws() -> dict:
        return {"values": [[[records[i][m] for m in members] for i in best],
                           *([list(_measured(draw, a, members)) for a in archs] for draw in DRAWS)]}

    kept_at = kept_as(OUT / f"{group.split(',')[0]}-seed-{seed}.json",
                      {"seed": seed, "pick": r["pick"].value, "archs": archs, "draws": list(DRAWS)},
                      "another pool, pick or draws", measure_draws)
    truths = [r["truth"].of(r["space"], r["space"].parse_arch(a)) for a in archs]
    return {"group": group, "seed": seed, "truths": truths, "values": kept_at["values"]}


def _measured(draw: int, arch: str, members) -> tuple[float, ...]:
    from fbndsl.indicators.context import IndicatorContext
    from fbndsl.indicators.measure import measure

    r = _RUN
    if draw not in r["contexts"]:
        r["contexts"][draw] = IndicatorContext.build(r["space"], None, r["held_out"], device="cpu", seed=draw,
                                                     **r["settings"].measuring.options())
    values = measure(r["contexts"][draw], r["space"].parse_arch(arch), members)
    return tuple(values[m] for m in members)


def averaged_first(values: list[list[list[float]]]) -> int:
    """The index (in the search's order) of the least pick score averaged over the draws."""
    from fbndsl.indicators import Indicator, scores

    per_draw = [scores([{Indicator.JACOB_COV: jc, Indicator.SYNFLOW: sf} for jc, sf in draw], _RUN["pick"])
                for draw in values]
    mean = [statistics.fmean(column) for column in zip(*per_draw)]
    return min(range(len(mean)), key=mean.__getitem__)  # min keeps the earliest of equal means


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--truth", default=str(SHARED_TRUTH), help="the NAS-Bench-201 CSV")
    ap.add_argument("--jobs", type=int, default=1, help="pools measured at once, one core each (default 1)")
    args = ap.parse_args()

    import json

    import torch

    from fbndsl.bench.nb201 import load_data
    from fbndsl.bench.settings import Settings
    from fbndsl.bench.supernets import Fairness, compile_space
    from fbndsl.bench.truth import Truth
    from fbndsl.indicators import parse_indicator

    torch.set_num_threads(1)
    settings = Settings.from_json(json.loads(Path(args.report).read_text(encoding="utf-8"))["settings"])
    _RUN.update(settings=settings, space=compile_space(settings, Fairness.INSERT), pick=parse_indicator(PICK),
                held_out=load_data(settings).held_out, truth=Truth.from_csv(args.truth), contexts={})
    jobs = [(group, seed) for group, (_, seeds) in POOLS.items() for seed in seeds]
    pools = forked_map(drawn_values, jobs, args.jobs)
    means = {}
    for group in POOLS:
        rows = [(p["seed"], p["truths"][0], p["truths"][averaged_first(p["values"])]) for p in pools
                if p["group"] == group]
        means[group] = tuple(statistics.fmean(row[i] for row in rows) for i in (1, 2))
        print(f"\n{group}, seeds {rows[0][0]}-{rows[-1][0]}: the truth of the pick's first, then of the first by the "
              f"pick averaged over {1 + len(DRAWS)} draws (among the pick's first {K})")
        print(f"  pick's first   {means[group][0]:.3f}  ({' '.join(f'{row[1]:.2f}' for row in rows)})")
        print(f"  averaged       {means[group][1]:.3f}  ({' '.join(f'{row[2]:.2f}' for row in rows)})")
    print("\npick inits study: mean truth, the pick averaged over draws against the pick's first: "
          + "; ".join(f"{g} {a:.3f} % ({f:.3f} %)" for g, (f, a) in means.items()))


if __name__ == "__main__":
    main()
