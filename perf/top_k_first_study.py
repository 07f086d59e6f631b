"""How often the first of a search's top five ranked again among themselves (what `fbndsl search` returned until
December 2026) is the ranking's first over the whole pool (what the protocol's version 7 measured, and what the
search returns now), on the networks a report measured.

    python perf/top_k_first_study.py REPORT.json [--pools 300] [--size 200]

REPORT.json is what `fbndsl bench nb201` wrote. Random pools of SIZE of its calibration and evaluation networks
(their values as measured, their truth), each ranked by the report's default ranking: the pool's first, and the
first of its five best ranked again among themselves. A diagnostic of the two notions; no choice follows. The last
line: how often they agree, and the mean truth of each.
"""
from __future__ import annotations

import json
import random
import statistics
from pathlib import Path

from calibration_report import STUDY_DEFAULT_V5, record_of, study_parser

from fbndsl.indicators import order, parse_indicator

TOP = 5  # `fbndsl search --top`'s default


def main() -> None:
    ap = study_parser(__doc__)
    ap.add_argument("--pools", type=int, default=300)
    ap.add_argument("--size", type=int, default=200)
    args = ap.parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    networks = report["calibration_archs"] + report["archs"]
    records = [record_of(n["values"]) for n in networks]
    truth = [n["cifar10_test_acc"] for n in networks]
    ranking = parse_indicator(STUDY_DEFAULT_V5)
    rng = random.Random(0)
    agree, pool_first, reranked_first = 0, [], []
    for _ in range(args.pools):
        pool = rng.sample(range(len(networks)), args.size)
        best = [pool[i] for i in order([records[i] for i in pool], ranking)[:TOP]]
        reranked = best[order([records[i] for i in best], ranking)[0]]
        agree += reranked == best[0]
        pool_first.append(truth[best[0]])
        reranked_first.append(truth[reranked])
    share, first, again = agree / args.pools, statistics.fmean(pool_first), statistics.fmean(reranked_first)
    print(f"top-k first study: over {args.pools} pools of {args.size}, the top {TOP} ranked again agree with the "
          f"pool's first in {share:.0%}; mean truth {first:.3f} % (the pool's first), {again:.3f} % (ranked again)")


if __name__ == "__main__":
    main()
