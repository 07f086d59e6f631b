"""NAS-Bench-201 ground truth: architecture -> CIFAR-10 test accuracy (%), after the benchmark's 200-epoch
training (`hp=200`), the mean over its seeds.

Two sources give the same numbers:

- the benchmark as a CSV (`nb201/nb201.csv` in a checkout's `../shared/data`: one row per architecture,
  columns `arch_str` and `cifar10_test_acc`, ...);
- the official benchmark file (`NAS-Bench-201-v1_*.pth`) through the `nas-bench-201` package's `NASBench201API`
  (an optional dependency: `pip install nas-bench-201`). The file is a pickle, and unpickling runs whatever
  code the file names: it is read here with `torch.load(weights_only=True)`, which admits only tensors and
  plain containers, and the resulting dict is handed to the API, never the path (the API would call
  `torch.load` on it without that guard).

Both are keyed by the benchmark's own architecture string, which `space.format_arch(arch, "nb201")` writes.
"""
from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import schemas
from ..diagnostics import UserError

ARCH_COLUMN = "arch_str"
ACCURACY_COLUMN = "cifar10_test_acc"
API_KEYS = ("meta_archs", "arch2infos", "evaluated_indexes")  # what NASBench201API requires of its dict
API_DATASET, API_HP = "cifar10", "200"  # CIFAR-10 trained on train+valid, tested on the test set; 200 epochs


@dataclass(frozen=True)
class Truth:
    """Accuracy (%) by NAS-Bench-201 architecture string; `source` names where it came from, for messages."""

    accuracy: Mapping[str, float]
    source: str

    def __post_init__(self) -> None:
        assert self.accuracy, "loaders refuse an empty ground truth"

    def of(self, space, arch) -> float:
        key = space.format_arch(arch, "nb201")
        if key not in self.accuracy:
            raise UserError(f"{self.source}: no ground truth for {key}")
        return self.accuracy[key]

    @staticmethod
    def from_csv(path: str | Path, column: str = ACCURACY_COLUMN) -> Truth:
        return Truth(read_csv(Path(path), column), str(path))

    @staticmethod
    def from_api(path: str | Path) -> Truth:
        return Truth(read_api(Path(path)), str(path))


def read_csv(path: Path, column: str) -> dict[str, float]:
    try:
        with path.open(newline="", encoding="utf-8") as f:
            rows = csv.DictReader(f)
            _check_columns(path, rows.fieldnames, column)
            return _accuracies(path, rows, column)
    except FileNotFoundError:
        raise UserError(f"{path}: no such file; --truth takes the NAS-Bench-201 CSV "
                        f"(columns {ARCH_COLUMN}, {column})") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise UserError(f"{path}: cannot read it as a CSV file: {exc}") from None


def _check_columns(path: Path, header, column: str) -> None:
    if not header:
        raise UserError(f"{path}: empty; expected a header with columns {ARCH_COLUMN}, {column}")
    missing = [c for c in (ARCH_COLUMN, column) if c not in header]
    if missing:
        raise UserError(f"{path}: no column {', '.join(missing)} (it has {', '.join(header)})")


def _accuracies(path: Path, rows: csv.DictReader, column: str) -> dict[str, float]:
    """Each row checked against `schemas.truth_row` (a short row lacks cells) before its cells are read."""
    out: dict[str, float] = {}
    row_schema = schemas.truth_row(ARCH_COLUMN, column)
    for row in rows:
        schemas.check(row, row_schema, f"{path}:{rows.line_num}")
        out[row[ARCH_COLUMN]] = _number(row[column], f"{path}:{rows.line_num}: {column}")
    if not out:
        raise UserError(f"{path}: has a header but no rows")
    return out


def _number(text, where: str) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise UserError(f"{where} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise UserError(f"{where} is {value}, not a finite accuracy")
    return value


def read_api(path: Path) -> dict[str, float]:
    api = _api(_load_benchmark(path), path)
    out = {}
    for index in sorted(api.arch2infos_dict):
        info = api.get_more_info(index, API_DATASET, hp=API_HP, is_random=False)  # mean over the trial seeds
        if info.get("test-accuracy") is None:
            raise UserError(f"{path}: architecture {index} has no {API_DATASET} test accuracy at hp={API_HP}")
        out[api.meta_archs[index]] = _number(info["test-accuracy"], f"{path}: architecture {index}: accuracy")
    if not out:
        raise UserError(f"{path}: holds no evaluated architecture")
    return out


def _load_benchmark(path: Path) -> dict:
    import pickle

    import torch

    if not path.is_file():
        raise UserError(f"{path}: no such file; --api takes the official NAS-Bench-201 file (NAS-Bench-201-v1_*.pth)")
    try:
        data = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:  # the file names a class or function: refused, never executed
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"{path}: refused: it holds more than tensors and plain containers ({first})") from None
    except (OSError, RuntimeError, EOFError) as exc:
        raise UserError(f"{path}: not a readable benchmark file: {exc}") from None
    if not isinstance(data, dict) or any(k not in data for k in API_KEYS):
        raise UserError(f"{path}: not a NAS-Bench-201 benchmark file (expected a dict with keys "
                        f"{', '.join(API_KEYS)})")
    return data


def _api(data: dict, path: Path):
    try:
        from nas_201_api import NASBench201API
    except ImportError:
        raise UserError("--api needs the nas-bench-201 package: pip install nas-bench-201 "
                        "(or pip install 'fbndsl[nb201]')") from None
    try:
        return NASBench201API(data, verbose=False)
    except (AssertionError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise UserError(f"{path}: not in the NAS-Bench-201 API's format: {type(exc).__name__}: {exc}") from None
