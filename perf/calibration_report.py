"""What the calibration studies of perf/ read from a report of `fbndsl bench nb201`: its settings and its
calibration networks with their ground truth and measured values, and how they judge a ranking on them. The
evaluation set is never read."""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, replace
from pathlib import Path

from fbndsl.bench.nb201 import context, correlate, load_data
from fbndsl.bench.settings import Settings
from fbndsl.bench.supernets import Fairness, compile_space, trained_supernet
from fbndsl.indicators import Indicator, parse_indicator

# The default ranking of the protocol's versions 3 and 4, which the studies judge beside their own rankings: every
# committed report measured its members. (Version 5's default adds isotropy and progressivity, which only version
# 5's reports hold.)
STUDY_DEFAULT = "product(cpi+meco+jacob_cov+params+synflow)"
# Version 5's default (`fbndsl search`'s since), which the studies that need a version 5 report judge.
STUDY_DEFAULT_V5 = "product(cpi+meco+jacob_cov+params+synflow+isotropy+progressivity)"


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


def supernet_dir_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--supernet-dir", help="where the report's supernets are, when not where it says (a copy)")


def fair_supernet_context(settings: Settings, supernet_dir: str | None = None):
    """(settings, space, data, measuring context) on the report's fair supernet, found (or trained) where the
    report's settings say, or in `supernet_dir` (`supernet_dir_option`), as `fbndsl bench nb201` does."""
    if supernet_dir:
        settings = replace(settings, supernet_dir=Path(supernet_dir))
    space = compile_space(settings, Fairness.INSERT)
    data = load_data(settings)
    net = trained_supernet(space, settings, Fairness.INSERT, data.train, quiet=True).supernet
    return settings, space, data, context(space, net, data.held_out, settings)


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
