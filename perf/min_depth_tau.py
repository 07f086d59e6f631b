"""How `min_depth` ranks the benchmark's networks: its Kendall tau on a report's calibration and evaluation sets
(docs/nb201.md, "Protocol", version 12, which asks the report to give it), beside the default ranking, the default
with `min_depth` added, and version 12's pick as rankings of the whole set.

    python perf/min_depth_tau.py REPORT.json

`min_depth` reads each network's text alone (`Space.least_depth`), so the report's sets need nothing measured
again; the others are computed from the values the report holds. Nothing is chosen here.
"""
from __future__ import annotations

import json
from pathlib import Path

from calibration_report import STUDY_DEFAULT_V5, record_of, structural_values, study_parser
from search_pick_study import with_min_depth

from fbndsl.bench.nb201 import correlate
from fbndsl.bench.settings import Settings
from fbndsl.bench.supernets import Fairness, compile_space
from fbndsl.indicators import Indicator, parse_indicator
from fbndsl.search.driver import DEFAULT_PICK

# Version 12's default (versions 5 to 14's), which version 12 asked `min_depth` to be judged beside; not `fbndsl
# search`'s of the day, which from version 15 reads `min_mixing`, absent from the reports before it.
RANKINGS = (Indicator.MIN_DEPTH, parse_indicator(STUDY_DEFAULT_V5),
            with_min_depth(parse_indicator(STUDY_DEFAULT_V5)), parse_indicator(DEFAULT_PICK))


def main() -> None:
    args = study_parser(__doc__).parse_args()
    report = json.loads(Path(args.report).read_text(encoding="utf-8"))
    space = compile_space(Settings.from_json(report["settings"]), Fairness.INSERT)
    taus = {}
    for name, key in (("calibration", "calibration_archs"), ("evaluation", "archs")):
        nets = report[key]
        records = [{**record_of(n["values"]), **structural_values(space, n["arch"])} for n in nets]
        found = correlate(records, [n["cifar10_test_acc"] for n in nets], RANKINGS)
        taus[name] = [found[r].kendall_tau for r in RANKINGS]
        shown = ", ".join(f"{r.value} {t:.3f}" for r, t in zip(RANKINGS, taus[name]))
        print(f"{name} ({len(nets)} networks): {shown}")
    print("min_depth tau: " + ", ".join(f"{name} {t[0]:.3f}" for name, t in taus.items())
          + f"; the default with it, evaluation {taus['evaluation'][2]:.3f} (without {taus['evaluation'][1]:.3f})")


if __name__ == "__main__":
    main()
