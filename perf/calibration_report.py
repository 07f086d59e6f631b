"""What the calibration studies of perf/ read from a report of `fbndsl bench nb201`: its settings and its
calibration networks with their ground truth and measured values, and how they judge a ranking on them. The
evaluation set is never read."""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from fbndsl.bench.nb201 import correlate
from fbndsl.bench.settings import Settings
from fbndsl.indicators import Indicator, parse_indicator

# The default ranking of the protocol's versions 3 and 4, which the studies judge beside their own rankings: every
# committed report measured its members. (Version 5's default adds isotropy and progressivity, which only version
# 5's reports hold.)
STUDY_DEFAULT = "product(cpi+meco+jacob_cov+params+synflow)"


@dataclass(frozen=True)
class Calibration:
    settings: Settings    # the report's settings (data, seed, `--set`s, supernet folder, ...)
    archs: list[str]      # each calibration network's text
    truth: list[float]    # its CIFAR-10 test accuracy (%)
    records: list[dict]   # its measured values, Indicator -> float


def study_parser(doc: str) -> argparse.ArgumentParser:
    """A study's command line: the report, and what the study adds; its help, the first paragraph of `doc`."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("report")
    return ap


def read_calibration(path: str, first: int | None = None) -> Calibration:
    """The report's calibration networks (the first `first` of them, or all)."""
    report = json.loads(Path(path).read_text(encoding="utf-8"))
    cal = report["calibration_archs"][:first]
    return Calibration(Settings.from_json(report["settings"]), [a["arch"] for a in cal],
                       [a["cifar10_test_acc"] for a in cal],
                       [{Indicator(k): float(v) for k, v in a["values"].items()} for a in cal])


def calibration_tau(records: list[dict], truth: list[float], ranking: str) -> float:
    """`ranking`'s Kendall tau against `truth` on these records (a pool-relative ranking: within them)."""
    r = parse_indicator(ranking)
    return correlate(records, truth, [r])[r].kendall_tau
