"""arch.json: what was exported and from what, enough to reproduce or audit it."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import schemas
from ..ir.choices import format_value
from ..version import __version__
from .onnx_file import DYNAMIC_AXES, INPUT, OPSET, OUTPUT
from .plan import Plan
from .recal import Recalibration

FORMAT = schemas.EXPORT_FORMAT


@dataclass(frozen=True)
class Provenance:
    """Where the weights came from; None fields: exported without a supernet (fresh init)."""

    sets: Mapping[str, str]             # the --set overrides as given
    supernet: str | None = None         # the run directory, when known
    recalibration: Recalibration | None = None
    trained: bool = False               # weights sliced from a supernet


def arch_record(space, arch, plan: Plan, provenance: Provenance, files: Mapping[str, bytes],
                params_exported: int) -> dict:
    cost = space.cost(arch)
    recal = provenance.recalibration
    return {
        "format": FORMAT,
        "arch": arch.text(),
        "arch_json": arch.to_json(),
        "space": {"name": space.name, "file": str(space.file), "sha256": space.source_sha256,
                  "sets": dict(sorted(provenance.sets.items())),
                  "params": {k: _plain(v) for k, v in sorted(space.ir.params.items())}},
        "compiler": {"name": "fbndsl", "version": __version__},
        "input_shape": list(plan.input_shape),
        "macs": cost.macs,
        "params": cost.params,                  # the architecture as written (what benchmarks count)
        "params_exported": params_exported,     # model.py's, with any fairness BatchNorms kept
        "class_name": plan.class_name,
        "weights": {"file": "weights.pt" if provenance.trained else None,
                    "source": "supernet" if provenance.trained else "fresh init",
                    "supernet": provenance.supernet,
                    "recalibration": None if recal is None else {"data": recal.data, "batches": recal.batches}},
        "fairness_bn": {"mode": space.fairness.mode.value,
                        "layers": [{"node": f.scope, "module": f.attr, "handling": f.handling.value}
                                   for f in plan.fairness]},
        "aux_head": None if plan.aux is None else plan.aux.to_json(),  # not in params: off by default
        "onnx": _onnx(files),
        "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())},
    }


def _plain(value):
    return value if isinstance(value, (bool, int, float)) else format_value(value)


def _onnx(files: Mapping[str, bytes]) -> dict | None:
    if "model.onnx" not in files:
        return None
    return {"file": "model.onnx", "opset": OPSET, "input": INPUT, "output": OUTPUT, "dynamic_axes": DYNAMIC_AXES,
            "from": "the extracted static subnet" if "weights.pt" in files else "model.py (fresh init, seed 0)"}


def record_bytes(record: dict) -> bytes:
    return (json.dumps(record, indent=1) + "\n").encode("utf-8")


def read_arch_record(path: str | Path) -> dict:
    """An exported arch.json, checked against `schemas.ARCH_RECORD` (nothing in fbndsl reads one back yet: this is
    for audits, scripts and tests, so that a reader of one gets the same one-line errors as every other file)."""
    return schemas.load(Path(path), schemas.ARCH_RECORD, fix="export the architecture again")
