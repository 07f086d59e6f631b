"""What the calibration studies of perf/ read from a report of `fbndsl bench nb201`: its settings and its
calibration networks with their ground truth and measured values, how they judge a ranking on them, and how a
study keeps what it measured. Nothing here reads the evaluation set."""
from __future__ import annotations

import argparse
import functools
import json
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from scipy.stats import kendalltau

from fbndsl.bench.nb201 import context, correlate, load_data
from fbndsl.bench.settings import Settings
from fbndsl.bench.supernets import Fairness, compile_space, trained_supernet
from fbndsl.files import atomic_write_text
from fbndsl.indicators import Aggregate, Indicator, parse_indicator, penalties, ranks

# The default ranking of the protocol's versions 3 and 4, which the studies judge beside their own rankings: every
# committed report measured its members. (Version 5's default adds isotropy and progressivity, which only version
# 5's reports hold.)
STUDY_DEFAULT = "product(cpi+meco+jacob_cov+params+synflow)"
# Version 5's default (`fbndsl search`'s until version 15), which the studies that need a version 5 report judge.
STUDY_DEFAULT_V5 = "product(cpi+meco+jacob_cov+params+synflow+isotropy+progressivity)"
# Version 15's default (`fbndsl search`'s since): version 5's with the structural `min_mixing`.
STUDY_DEFAULT_V15 = "product(cpi+meco+jacob_cov+params+synflow+isotropy+progressivity+min_mixing)"


@dataclass(frozen=True)
class Calibration:
    settings: Settings    # the report's settings (data, seed, `--set`s, supernet folder, ...)
    archs: list[str]      # each calibration network's text
    truth: list[float]    # its CIFAR-10 test accuracy (%)
    records: list[dict]   # its measured values, Indicator -> float


def record_of(raw: dict) -> dict[Indicator, float]:
    """A network's values as a report or a kept file holds them (indicator names; JSON writes infinities as
    strings) as a record, Indicator -> float."""
    return {Indicator(k): float(v) for k, v in raw.items()}


def structural_values(space, arch: str) -> dict[Indicator, float]:
    """The network's structural indicators, `min_depth` and `min_mixing`, which read its text alone: for reports and
    kept values that predate them."""
    parsed = space.parse_arch(arch)
    return {Indicator.MIN_DEPTH: space.least_depth(parsed), Indicator.MIN_MIXING: space.least_mixing_depth(parsed)}


def raw_of(record: dict) -> dict[str, float]:
    """`record_of`'s inverse: a record's values by indicator name, as a kept file holds them."""
    return {i.value: v for i, v in record.items()}


def chosen_over(table: dict, baseline, margin: float):
    """The protocol's rule for a study's choice: the key of `table` of highest mean truth if it beats `baseline`'s
    by at least `margin` points (ties: the earlier in `table`), else `baseline`."""
    best = max(table, key=table.__getitem__)  # max keeps the earliest of equal means
    return best if table[best] >= table[baseline] + margin else baseline


def study_parser(doc: str) -> argparse.ArgumentParser:
    """A study's command line: the report, and what the study adds; its help, the first paragraph of `doc`."""
    ap = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    ap.add_argument("report")
    return ap


def supernet_dir_option(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--supernet-dir", help="where the report's supernets are, when not where it says (a copy)")


def supernet_study(doc: str) -> tuple[argparse.Namespace, Calibration]:
    """A study with nothing to add to the command line of one that reads the report's supernets (the report,
    `--supernet-dir`): its parsed arguments and the report's calibration networks, the settings' supernet folder
    moved to `--supernet-dir` when given; on one thread, as the benchmark measures."""
    ap = study_parser(doc)
    supernet_dir_option(ap)
    args = ap.parse_args()
    cal = read_calibration(args.report)
    torch.set_num_threads(1)
    return args, replace(cal, settings=with_supernet_dir(cal.settings, args.supernet_dir))


def with_supernet_dir(settings: Settings, supernet_dir: str | None) -> Settings:
    """`settings` with its supernets' folder moved to `supernet_dir` (`supernet_dir_option`), when given."""
    return replace(settings, supernet_dir=Path(supernet_dir)) if supernet_dir else settings


def fair_supernet_context(settings: Settings, supernet_dir: str | None = None):
    """(settings, space, data, measuring context) on the report's fair supernet, found (or trained) where the
    report's settings say, or in `supernet_dir` (`supernet_dir_option`), as `fbndsl bench nb201` does."""
    settings = with_supernet_dir(settings, supernet_dir)
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
                       [record_of(a["values"]) for a in cal])


def calibration_tau(records: list[dict], truth: list[float], ranking: str) -> float:
    """`ranking`'s Kendall tau against `truth` on these records (a pool-relative ranking: within them)."""
    r = parse_indicator(ranking)
    return correlate(records, truth, [r])[r].kendall_tau


def product_tau(columns: list[tuple[list[float], bool]], truth: list[float]) -> float:
    """Kendall tau against `truth` of the product of ranks of these columns of values (each with whether higher is
    better), as `product(...)` aggregates: for members an `Ensemble` cannot name (one indicator at two depths, a CPI
    averaged over supernets)."""
    penalty = [penalties(ranks(values, higher), Aggregate.PRODUCT) for values, higher in columns]
    score = [sum(column[i] for column in penalty) for i in range(len(truth))]  # lower is better
    return float(kendalltau([-s for s in score], truth, variant="b")[0])


def kept_values(path: Path, archs: list[str], measure_all: Callable[[], list[dict]], **about) -> list[dict]:
    """Each network's measured values (Indicator -> float), `kept` at `path`: `measure_all()` only when no study kept
    them there."""
    kept_at = kept(path, archs, lambda: {"values": [raw_of(m) for m in measure_all()]},
                   **about)
    return [record_of(values) for values in kept_at["values"]]


def kept(path: Path, archs: list[str], compute: Callable[[], dict], **about) -> dict:
    """What a study computed for these networks (a JSON object, with `archs` and `about` beside it): read from
    `path` when a study kept it there, else `compute()` and kept there (written whole or not at all), so that a rerun
    reprints from it and two processes with disjoint draws share one folder. A file of other networks is refused in
    one line."""
    return kept_as(path, {"archs": archs}, "other networks than the report's", compute, **about)


def kept_as(path: Path, identity: dict, other: str, compute: Callable[[], dict], **about) -> dict:
    """`kept` for what `identity` names (the fields a kept file must match: the networks, or a search's seed and
    budget, when its networks are known only once computed); `other` says in the refusal what the file was kept
    for."""
    if path.is_file():
        kept_at = json.loads(path.read_text(encoding="utf-8"))
        if any(kept_at.get(field) != value for field, value in identity.items()):
            raise SystemExit(f"{path}: kept for {other}; remove it or give another --out")
        return kept_at
    computed = {**about, **identity, **compute()}
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, json.dumps(computed))
    return computed


def forked_map(function: Callable, items: list, jobs: int) -> list:
    """`function` of each of `items`, in order, in `jobs` processes forked from this one (so each sees what the
    study set up before the call). A study's one-line refusal (SystemExit) in one of them is raised here: raised
    in a pool worker, it would end the worker before it answers, and the map would wait for ever."""
    with multiprocessing.get_context("fork").Pool(jobs) as workers:
        results = workers.map(functools.partial(_refusal_as_value, function), items, chunksize=1)
    refused = next((r for r in results if isinstance(r, SystemExit)), None)
    if refused is not None:
        raise refused
    return results


def _refusal_as_value(function: Callable, item):
    try:
        return function(item)
    except SystemExit as refusal:
        return refusal
