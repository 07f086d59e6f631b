"""Which last step should the benchmark's search take? Measured on the calibration search seeds alone
(docs/nb201.md, "Protocol", version 4).

    python perf/search_refine_study.py REPORT.json [--truth CSV] [--supernet-dir DIR] [--seeds A-B] [--quick]

REPORT.json is what `fbndsl bench nb201` wrote: its settings (data, seed, `--set`, supernet folder) and the ranking
its calibration set chose. For each seed of `protocol.SEARCH_CALIBRATION_SEEDS` (disjoint from the seeds the
benchmark reports), the benchmark's search runs on the report's fair supernet without refinement; then the K best
of its pool by the ranking have their gradient explosion at initialisation read at the benchmark's depth
(`protocol.REFINE_SETS`), and each candidate last step picks one of them:

- none: the ranking's first (the search before version 4);
- explosion: the least exploding of the K;
- product / mean: the least product / mean of a network's two ranks among the K, the ranking's and the explosion's
  (ties in the ranking's order);

each with K = 5, 10 and 20. The table gives the ground truth of each pick per seed and its mean; the rule picks the
highest mean (ties: the earlier row). The last line printed is the choice. With `--seeds A-B` (seeds the protocol
does not calibrate on, e.g. more evaluation seeds), the same table, and a last line that compares the protocol's
choice (`product, K=10`) with none instead of choosing.
"""
from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from calibration_report import fair_supernet_context, study_parser, supernet_dir_option

SHARED_TRUTH = Path(__file__).resolve().parents[2] / "shared" / "data" / "nb201" / "nb201.csv"
KS = (5, 10, 20)


def rules() -> dict[str, tuple[int, Callable[[int, float], tuple]]]:
    """name -> (K, key of a network from its place in the ranking (1 = first) and its explosion rank among the K)."""
    out = {"none": (1, lambda place, boom: (place,))}
    for name, key in (("explosion", lambda place, boom: (boom, place)),
                      ("product", lambda place, boom: (place * boom, place)),
                      ("mean", lambda place, boom: (place + boom, place))):
        for k in KS:
            out[f"{name}, K={k}"] = (k, key)
    return out


def pick(explosions: list[float], k: int, key) -> int:
    """The index among the ranking's first k of the network `key` puts first."""
    from fbndsl.indicators.ranking import ranks

    boom = ranks(explosions[:k], higher_is_better=False)
    return min(range(k), key=lambda i: key(i + 1, boom[i]))


def seed_range(text: str) -> list[int]:
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def search_study_parser(doc: str):
    """The command line the search studies share: the report, the truth, the supernets' folder, the seeds."""
    ap = study_parser(doc)
    ap.add_argument("--truth", default=str(SHARED_TRUTH), help="the NAS-Bench-201 CSV")
    supernet_dir_option(ap)
    ap.add_argument("--seeds", help="A-B: these search seeds instead of the calibration ones (no choice is made)")
    ap.add_argument("--draw-seed", type=int, help="with --seeds: the fair supernet and the measuring batches of this "
                    "seed (trained if absent), not the report's (docs/nb201.md: how far the figures move with it)")
    return ap


def search_setup(args) -> dict:
    """What a search study reads from the report (`args` from `search_study_parser`): its settings, space, fair
    supernet and measuring context, the ranking its calibration set chose, the truth, the explosion refiner of the
    protocol's last step, and the seeds."""
    import json

    import torch

    from fbndsl.bench.protocol import REFINE_SETS, SEARCH_CALIBRATION_SEEDS
    from fbndsl.bench.settings import Settings
    from fbndsl.bench.truth import Truth
    from fbndsl.indicators import parse_indicator
    from fbndsl.search.driver import explosion_refiner, recompiled

    torch.set_num_threads(1)
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    settings = Settings.from_json(report["settings"])
    if args.draw_seed is not None:
        if args.seeds is None:
            raise SystemExit("--draw-seed: only with --seeds (the calibration seeds' rules are the report's draw's)")
        settings = replace(settings, seed=args.draw_seed)
    settings, space, data, ctx = fair_supernet_context(settings, args.supernet_dir)
    return dict(settings=settings, space=space, net=ctx.supernet, ctx=ctx,
                ranking=parse_indicator(report["choices"][-1]["chosen"]), truth=Truth.from_csv(args.truth),
                explosion=explosion_refiner(recompiled(space, REFINE_SETS), data.held_out, seed=settings.seed,
                                            device="cpu", options=settings.measuring.options()),
                seeds=list(SEARCH_CALIBRATION_SEEDS) if args.seeds is None else seed_range(args.seeds))


def main() -> None:
    ap = search_study_parser(__doc__)
    ap.add_argument("--quick", action="store_true", help="2 seeds of 20 evaluations: a check that it runs")
    args = ap.parse_args()

    from fbndsl.bench.protocol import REFINE_SETS, REFINE_TOP
    from fbndsl.search.driver import search
    from fbndsl.search.objective import best_k

    run = search_setup(args)
    settings, space, net, ctx, ranking, truth, explosion = (run[k] for k in (
        "settings", "space", "net", "ctx", "ranking", "truth", "explosion"))
    seeds = run["seeds"][:2] if args.quick else run["seeds"]
    evals = 20 if args.quick else settings.evals
    table = {name: [] for name in rules()}
    for seed in seeds:
        start = time.perf_counter()
        result = search(space, supernet=net, indicator=ranking, strategy="evolution", evals=evals, seed=seed,
                        context=ctx)
        best = [e.arch for e in best_k(result.evaluated, ranking, max(KS))]
        booms = [explosion(a) for a in best]
        for name, (k, key) in rules().items():
            table[name].append(truth.of(space, best[pick(booms, min(k, len(best)), key)]))
        print(f"seed {seed}: {len(result.evaluated)} evaluated, {time.perf_counter() - start:.0f} s; the ranking's "
              f"first {table['none'][-1]:.2f} %", flush=True)
    which = "calibration search seeds" if args.seeds is None else "search seeds"
    print(f"\n{which} {seeds[0]}-{seeds[-1]}, {evals} evaluations each, by {ranking.value}; "
          f"explosion at {', '.join(f'{k}={v}' for k, v in REFINE_SETS.items())}")
    for name, accs in table.items():
        print(f"{name:16s} mean {statistics.fmean(accs):.3f}   {' '.join(f'{a:.2f}' for a in accs)}")
    none = statistics.fmean(table["none"])
    if args.seeds is not None:
        protocol = f"product, K={REFINE_TOP}"
        print(f"search refinement study: the protocol's '{protocol}', mean truth "
              f"{statistics.fmean(table[protocol]):.3f} % over seeds {args.seeds} (none: {none:.3f} %)")
        return
    chosen = max(table, key=lambda n: statistics.fmean(table[n]))  # max keeps the first of equal means
    print(f"search refinement study: chosen '{chosen}', mean truth {statistics.fmean(table[chosen]):.3f} % over "
          f"{len(seeds)} calibration seeds (none: {none:.3f} %)")


if __name__ == "__main__":
    main()
