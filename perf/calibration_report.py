"""What the calibration studies of perf/ read from a report of `fbndsl bench nb201`: its settings and its
calibration networks with their ground truth and measured values. The evaluation set is never read."""
from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from fbndsl.indicators import Indicator


@dataclass(frozen=True)
class Calibration:
    settings: dict        # the report's settings (data, seed, `--set`s, ...)
    archs: list[str]      # each calibration network's text
    truth: list[float]    # its CIFAR-10 test accuracy (%)
    records: list[dict]   # its measured values, Indicator -> float


def read_calibration(description: str) -> Calibration:
    """The report named by the command line's one argument (its help: `description`)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("report")
    report = json.loads(Path(ap.parse_args().report).read_text(encoding="utf-8"))
    cal = report["calibration_archs"]
    return Calibration(report["settings"], [a["arch"] for a in cal], [a["cifar10_test_acc"] for a in cal],
                       [{Indicator(k): float(v) for k, v in a["values"].items()} for a in cal])
