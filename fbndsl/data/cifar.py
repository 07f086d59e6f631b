"""CIFAR-10 in its official "python version" layout: data_batch_1..5, test_batch, batches.meta.

Each batch is a pickled dict: `data`, uint8 N x 3072 (planes R, G, B of 32 x 32, row-major), and `labels`,
N ints in 0..9. The pickles are read through `safe_pickle`, never with plain `pickle.load`.
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch

from ..diagnostics import UserError
from .dataset import build_data
from .loaded import Data
from .safe_pickle import load_pickle
from .spec import DataSpec

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
_SIDE = 32
_PIXELS = 3 * _SIDE * _SIDE
# An official batch is about 31 MB; re-saved with pickle protocol 0, which escapes bytes, up to 185 MB.
MAX_BATCH_BYTES = 256_000_000
_TRAIN_BATCH = re.compile(r"data_batch_(\d+)")
_FIX = "give the CIFAR-10 python directory (cifar-10-batches-py)"


def load_cifar10(spec: DataSpec, *, augment: bool, seed: int) -> Data:
    """Read every training batch and the test batch of the directory `spec` names."""
    root = _root(spec)
    train = _read_batches(spec, _train_files(spec, root))
    test = _read_batches(spec, [_test_file(spec, root)])
    return build_data(name="cifar10", classes=_class_names(spec, root), train=train, test=test,
                      augment=augment, seed=seed)


def _root(spec: DataSpec) -> Path:
    """The batches' directory: PATH itself, or PATH/cifar-10-batches-py when PATH is where the archive was
    unpacked (a common slip that costs nothing to forgive)."""
    path = spec.path
    if not path.is_dir():
        what = "is not a directory" if path.exists() else "does not exist"
        raise UserError(f"{spec}: {path} {what}; {_FIX}")
    inner = path / "cifar-10-batches-py"
    if not any(path.glob("data_batch_*")) and inner.is_dir():
        return inner
    return path


def _train_files(spec: DataSpec, root: Path) -> list[Path]:
    """data_batch_<n> files in numeric order (data_batch_10 after data_batch_2)."""
    found = [(int(m.group(1)), p) for p in root.iterdir() if (m := _TRAIN_BATCH.fullmatch(p.name)) and p.is_file()]
    if not found:
        raise UserError(f"{spec}: no data_batch_* files in {root}; {_FIX}")
    return [p for _, p in sorted(found)]


def _test_file(spec: DataSpec, root: Path) -> Path:
    path = root / "test_batch"
    if not path.is_file():
        raise UserError(f"{spec}: no test_batch file in {root}; {_FIX}")
    return path


def _read_batches(spec: DataSpec, files: list[Path]) -> tuple[torch.Tensor, torch.Tensor]:
    """Images (uint8 N x 3 x 32 x 32) and labels (int64 N) of the concatenated batches."""
    parts = [_read_batch(spec, path) for path in files]
    images = np.concatenate([data for data, _ in parts]).reshape(-1, 3, _SIDE, _SIDE)
    labels = np.concatenate([labels for _, labels in parts]).astype(np.int64)
    return torch.from_numpy(images), torch.from_numpy(labels)


def _read_batch(spec: DataSpec, path: Path) -> tuple[np.ndarray, np.ndarray]:
    _check_size(spec, path)
    batch = _as_dict(spec, path, load_pickle(path, str(spec)))
    data = _check_data(spec, path, batch.get("data"))
    labels = _check_labels(spec, path, batch.get("labels"), len(data))
    return data, labels


def _check_size(spec: DataSpec, path: Path) -> None:
    """Before unpickling: what a pickle builds grows with its size (a list of small ints costs 8 bytes of
    memory per 2 bytes of file), and an official batch is about 31 MB."""
    size = path.stat().st_size
    if size > MAX_BATCH_BYTES:
        raise UserError(f"{spec}: {path} is {size:,} bytes; a CIFAR-10 batch has about 31 MB and may have at "
                        f"most {MAX_BATCH_BYTES:,}; {_FIX}")


def _as_dict(spec: DataSpec, path: Path, obj) -> dict:
    """The batch as a str-keyed dict (Python 3 re-pickles may have bytes keys)."""
    if not isinstance(obj, dict) or not {"data", "labels"} <= {_key(k) for k in obj}:
        raise UserError(f"{spec}: {path} is not a CIFAR-10 batch (a dict with 'data' and 'labels'); {_FIX}")
    return {_key(k): v for k, v in obj.items()}


def _key(key) -> object:
    return key.decode("latin1") if isinstance(key, bytes) else key


def _check_data(spec: DataSpec, path: Path, data) -> np.ndarray:
    if not (isinstance(data, np.ndarray) and data.dtype == np.uint8 and data.ndim == 2
            and data.shape[1] == _PIXELS):
        found = f"{data.dtype} array of shape {data.shape}" if isinstance(data, np.ndarray) else type(data).__name__
        raise UserError(f"{spec}: {path}: 'data' is {found}, expected uint8 N x {_PIXELS} (32 x 32 RGB); {_FIX}")
    if not len(data):
        raise UserError(f"{spec}: {path} holds no images; {_FIX}")
    return data


def _check_labels(spec: DataSpec, path: Path, labels, count: int) -> np.ndarray:
    """Labels as an int64 array; a wrong count or a label outside 0..9 means the file is mislabelled.

    Type, count and range are checked on the object as unpickled, before numpy converts it: a pickle can
    share one sublist a thousand times at each of three levels, a few KB that `np.asarray` would expand to
    10^9 elements."""
    if not _is_flat_ints(labels):
        raise UserError(f"{spec}: {path}: mislabelled: 'labels' is not a list of integers; {_FIX}")
    if len(labels) != count:
        raise UserError(f"{spec}: {path}: mislabelled: {count} images but {len(labels)} labels; {_FIX}")
    bad = [i for i, label in enumerate(labels) if not 0 <= label < len(CLASSES)]
    if bad:
        raise UserError(f"{spec}: {path}: mislabelled: label {labels[bad[0]]} at index {bad[0]} is outside "
                        f"0..{len(CLASSES) - 1} ({len(bad)} such labels); {_FIX}")
    return np.asarray(labels, dtype=np.int64)


def _is_flat_ints(labels) -> bool:
    """A 1-d integer array, or a list or tuple of ints (bools not): nothing nested."""
    if isinstance(labels, np.ndarray):
        return labels.ndim == 1 and (labels.size == 0 or labels.dtype.kind in "iu")
    return isinstance(labels, (list, tuple)) and all(
        isinstance(label, int) and not isinstance(label, bool) for label in labels)


def _class_names(spec: DataSpec, root: Path) -> tuple[str, ...]:
    """Names from batches.meta when present (checked to be the 10 CIFAR-10 classes), the standard ones if not."""
    path = root / "batches.meta"
    if not path.is_file():
        return CLASSES
    _check_size(spec, path)
    meta = load_pickle(path, str(spec))
    names = {_key(k): v for k, v in meta.items()}.get("label_names") if isinstance(meta, dict) else None
    if not (isinstance(names, list) and len(names) == len(CLASSES) and all(isinstance(n, str) for n in names)):
        raise UserError(f"{spec}: {path} has no list of {len(CLASSES)} 'label_names'; "
                        f"this is not CIFAR-10's batches.meta ({_FIX})")
    return tuple(names)
