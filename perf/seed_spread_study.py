"""How far do a report's ranking figures move with another seed? The report's evaluation networks and their truth
stay; what the seed draws changes: the fair supernet's frozen random weights and its training (batch order, sampled
paths), the measuring batches, the zero-cost proxies' initial network.

    python perf/seed_spread_study.py REPORT.json [--seeds A-B] [--supernet-dir DIR] [--out DIR] [--quick]

For each seed the fair supernet is found, or trained, under the supernet folder with the report's settings and that
seed, and the members of `RANKINGS` are measured on the report's evaluation networks. Each seed's values go to
OUT/seed{S}.json as soon as they are measured, and a seed already there is read instead of measured again, so two
processes with disjoint `--seeds` and one OUT share the work (one core each: a one-thread torch, as a thread count
changes a training's bits). For the report's own seed only the trained-supernet indicators are measured again (the
zero-cost ones depend on the measuring seed alone: the report's values are theirs), which measures a retraining of
the report's supernet in this environment.

The table: each ranking's Kendall tau on the evaluation networks, the report's beside each seed's, then the best
single indicator and the best zero-cost pair (of those measured) per seed. The report's default ranking's tau
also gets its standard error over the sample of networks (a bootstrap), to set the seeds' spread against.
Version 15's default, which adds `min_mixing` (read from each network's text, so no seed moves it) to that
ranking, is a row of the table and has its spread printed above the last line. No choice follows from this study.
The last line: the report's default ranking's tau over the seeds (the report's included).
"""
from __future__ import annotations

import itertools
import json
import statistics
from dataclasses import replace
from pathlib import Path

from calibration_report import (
    STUDY_DEFAULT_V5,
    STUDY_DEFAULT_V15,
    fair_supernet_context,
    kept_values,
    record_of,
    structural_values,
    study_parser,
    supernet_dir_option,
)
from search_refine_study import seed_range

from fbndsl.bench import protocol
from fbndsl.indicators import Indicator

# The default ranking, CPI, and every single indicator they are judged against (the goals: the default above every
# single indicator and zero-cost pair, CPI above every single one): CPI's members and the protocol's zero-cost
# baselines; snip, gamma and the accuracy reading of expressivity (far below, and the costliest to measure) are
# left out.
ZERO_COST = tuple(i.value for i in protocol.ZERO_COST if i is not Indicator.SNIP)
SINGLES = ("regions", "trainability", "uncertainty", *ZERO_COST)
RANKINGS = (STUDY_DEFAULT_V5, "cpi", *SINGLES, STUDY_DEFAULT_V15)
BOOTSTRAP = 1000


def main() -> None:
    ap = study_parser(__doc__)
    supernet_dir_option(ap)
    ap.add_argument("--seeds", default="1-3", help="A-B: the seeds measured (default 1-3)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "nb201-seed-spread-v5"),
                    help="the folder of each seed's values")
    ap.add_argument("--quick", action="store_true",
                    help="a check that it runs: 20 networks, a 10-step supernet, out in a temporary folder")
    args = ap.parse_args()
    import tempfile

    import torch

    torch.set_num_threads(1)
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    archs = report["archs"][:20] if args.quick else report["archs"]
    out = Path(tempfile.mkdtemp()) if args.quick else Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = report["settings"]["seed"]
    draws = {f"report (seed {base})": [record_of(a["values"]) for a in archs]}
    for seed in seed_range(args.seeds)[:1] if args.quick else seed_range(args.seeds):
        label = f"seed {seed}" + (", retrained" if seed == base else "")
        draws[label] = _seed_values(report, archs, seed, out, args)
    truth = [a["cifar10_test_acc"] for a in archs]
    structure = _structure(report, archs)
    _table({label: [{**r, **s} for r, s in zip(records, structure)] for label, records in draws.items()}, truth)


def _structure(report: dict, archs: list[dict]) -> list[dict]:
    """Each network's structural indicators (version 15's default reads `min_mixing`; the kept values predate it)."""
    from fbndsl.bench.settings import Settings
    from fbndsl.bench.supernets import Fairness, compile_space

    space = compile_space(Settings.from_json(report["settings"]), Fairness.INSERT)
    return [structural_values(space, a["arch"]) for a in archs]


def _seed_values(report: dict, archs: list[dict], seed: int, out: Path, args) -> list[dict]:
    """The seed's measured values, one record per network: read from OUT, or measured and written there."""
    measured = kept_values(out / f"seed{seed}.json", [a["arch"] for a in archs],
                           lambda: _measure(report, archs, seed, out, args), seed=seed)
    # what was not measured again (the report's seed's zero-cost values) is the report's
    return [{**record_of(a["values"]), **m} for a, m in zip(archs, measured)]


def _measure(report: dict, archs: list[dict], seed: int, out: Path, args) -> list[dict]:
    from fbndsl.bench.settings import Settings
    from fbndsl.indicators import measure, parse_indicator
    from fbndsl.indicators.kinds import base_indicators

    settings = replace(Settings.from_json(report["settings"]), seed=seed)
    if args.quick:
        settings = replace(settings, steps=10, supernet_dir=out / "supernets")
    settings, space, _, ctx = fair_supernet_context(settings, None if args.quick else args.supernet_dir)
    wanted = base_indicators([parse_indicator(r) for r in RANKINGS])
    if seed == report["settings"]["seed"]:  # its zero-cost values are the report's
        wanted = [i for i in wanted if i.needs_trained_supernet]
    measured = []
    for n, a in enumerate(archs, 1):
        measured.append(measure(ctx, space.parse_arch(a["arch"]), wanted))
        if n % 100 == 0:
            print(f"seed {seed}: {n} networks measured", flush=True)
    return measured


def _table(draws: dict[str, list[dict]], truth: list[float]) -> None:
    from fbndsl.bench.nb201 import correlate
    from fbndsl.indicators import parse_indicator

    rankings = [parse_indicator(r) for r in RANKINGS]
    pairs = [parse_indicator(f"product({a}+{b})") for a, b in itertools.combinations(ZERO_COST, 2)]
    taus = {label: {r: c.kendall_tau for r, c in correlate(records, truth, rankings + pairs).items()}
            for label, records in draws.items()}
    labels = list(draws)
    print(f"\nKendall tau on the report's {len(truth)} evaluation networks\n{'ranking':<72}" +
          "".join(f"{label:>22}" for label in labels))
    for r in rankings:
        print(f"{r.value:<72}" + "".join(f"{taus[label][r]:>22.3f}" for label in labels))
    singles = [parse_indicator(s) for s in SINGLES]
    for what, group in (("best single", singles), ("best zero-cost pair (product)", pairs)):
        best = {label: max(group, key=lambda r: taus[label][r]) for label in labels}
        names = {lb: best[lb].value.removeprefix("product(").removesuffix(")")[:15] for lb in labels}
        print(f"{what:<72}" + "".join(f"{taus[lb][best[lb]]:>6.3f} {names[lb]:>15}" for lb in labels))
    default, later = rankings[0], rankings[-1]
    spread, later_spread = ([taus[label][r] for label in labels] for r in (default, later))
    print(f"{later.value} Kendall tau over {len(later_spread)} draws: mean {statistics.fmean(later_spread):.3f}, "
          f"std {statistics.stdev(later_spread):.3f}, range {min(later_spread):.3f}-{max(later_spread):.3f}")
    print(f"\nthe report's default tau over its sample of networks: standard error "
          f"{_bootstrap_se(draws[labels[0]], truth, default):.3f} ({BOOTSTRAP} resamples)")
    print(f"seed spread study: {default.value} Kendall tau over {len(spread)} draws: mean "
          f"{statistics.fmean(spread):.3f}, std {statistics.stdev(spread):.3f}, range "
          f"{min(spread):.3f}-{max(spread):.3f} (report {spread[0]:.3f})")


def _bootstrap_se(records: list[dict], truth: list[float], ranking) -> float:
    """The standard deviation of `ranking`'s tau over resamples of the networks, its scores fixed on the whole set."""
    import random

    from fbndsl.bench.stats import correlation
    from fbndsl.indicators.ranking import scores

    score = scores(records, ranking)
    rng = random.Random(0)
    taus = []
    for _ in range(BOOTSTRAP):
        pick = [rng.randrange(len(truth)) for _ in truth]
        taus.append(correlation([score[i] for i in pick], ranking.higher_is_better,
                                [truth[i] for i in pick]).kendall_tau)
    return statistics.stdev(taus)


if __name__ == "__main__":
    main()
