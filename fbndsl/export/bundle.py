"""`export`: one architecture to a folder of model.py, weights.pt (with a trained supernet), model.onnx and arch.json.

Every file is made in memory and checked first (the generated module loads the weights strictly and
computes what the extracted subnet computes); only then are they written, each atomically, so a mistake or
a crash leaves no half-written export.
"""
from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from ..diagnostics import UserError
from ..files import atomic_write_bytes
from ..ir.choices import Arch
from ..syntax.shipped import shown_name
from . import recal
from .layers import FairnessBN
from .onnx_file import onnx_bytes
from .plan import Plan, make_plan
from .record import Provenance, arch_record, record_bytes
from .source import render_plan
from .weights import renamed_state, sliced_subnet, state_bytes

FILES = ("model.py", "weights.pt", "model.onnx", "arch.json")
FRESH_SEED = 0  # fresh-init weights (in model.onnx) are the same on every export
PARITY = 1e-4   # relative: the generated module against the extracted subnet, checked before writing


@dataclass(frozen=True)
class ExportResult:
    out_dir: Path
    files: tuple[Path, ...]
    arch: Arch
    record: dict                # arch.json
    module: nn.Module           # model.py's class, built and loaded as exported (eval mode)


def export(space, arch, out_dir, supernet=None, data=None, onnx: bool = True, *, recal_batches: int = 20,
           batch_size: int = 64, seed: int = 0, data_epoch: int = 0, sets: Mapping[str, str] | None = None,
           supernet_dir: str | None = None, aux_head: str | None = None) -> ExportResult:
    """Export `arch` of `space` into `out_dir`.

    With a `supernet` (its space must be `space`), weights are its slices, BatchNorm recalibrated first on
    `recal_batches` batches of `data` (a `--data` spec, a loaded `Data`, or an iterable of input batches;
    None keeps the supernet's statistics; a data set is batched by `batch_size`, shuffled and augmented as
    epoch `data_epoch` of a run with `seed`), and fairness BatchNorms are kept. Without one, the architecture is
    exported as written, freshly initialised, without weights.pt. `aux_head` names the top-level statement
    that DARTS's auxiliary head reads (`aux_head.py`): `Model(auxiliary=True)` then adds it, for training.
    """
    out = _out_dir(out_dir)
    if supernet is not None:
        space = _same_space(space, supernet)
    arch = space.parse_arch(arch) if isinstance(arch, str) else space.arch(arch)
    provenance = Provenance(dict(sets or {}), supernet_dir)
    if supernet is None:
        plan = make_plan(space, arch, FairnessBN.DROPPED, aux_head)
        files, module = _fresh(render_plan(space, arch, plan, weights=False), plan, onnx)
    else:
        plan = make_plan(space, arch, FairnessBN.KEPT, aux_head)
        batches = None if data is None or recal_batches <= 0 else \
            recal.batches_for(data, supernet, arch, batch_size=batch_size, seed=seed, epoch=data_epoch)
        files, module, used = _trained(render_plan(space, arch, plan, weights=True), plan, supernet, arch, batches,
                                       recal_batches, onnx)
        calibration = None if batches is None else recal.Recalibration(recal.describe(data), used)
        provenance = Provenance(provenance.sets, supernet_dir, calibration, trained=True)
    record = arch_record(space, arch, plan, provenance, files, sum(p.numel() for p in module.parameters()))
    files["arch.json"] = record_bytes(record)
    return ExportResult(out, _write(out, files), arch, record, module)


def _same_space(space, supernet):
    """The supernet's own space (its IR is what its modules were built from), if it is `space`."""
    theirs = supernet.space
    if theirs.source_sha256 != space.source_sha256:
        raise UserError(f"{shown_name(space.file)}: not the space the supernet was trained on (sha256 "
                        f"{space.source_sha256[:12]}... vs {theirs.source_sha256[:12]}...); export with that space")
    if dict(theirs.ir.params) != dict(space.ir.params):
        diff = sorted(k for k in set(theirs.ir.params) | set(space.ir.params)
                      if theirs.ir.params.get(k) != space.ir.params.get(k))
        raise UserError(f"{shown_name(space.file)}: the supernet was trained with "
                        f"{', '.join(f'{k}={theirs.ir.params.get(k)}' for k in diff)}, not "
                        f"{', '.join(f'{k}={space.ir.params.get(k)}' for k in diff)}; drop those --set values, "
                        f"or export without the supernet to train the architecture from scratch")
    return theirs


def _fresh(source: str, plan: Plan, onnx: bool) -> tuple[dict[str, bytes], nn.Module]:
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(FRESH_SEED)
        module = load_model(source)().eval()
    files = {"model.py": source.encode("utf-8")}
    if onnx:
        files["model.onnx"] = onnx_bytes(module, plan.input_shape)
    return files, module


def _trained(source: str, plan: Plan, supernet, arch, batches, max_batches: int, onnx: bool):
    static, used = sliced_subnet(supernet, arch, batches, max_batches)
    static = static.to("cpu")
    state = renamed_state(plan, supernet, static)
    with torch.device("meta"):  # no initialisation to throw away: every tensor comes from `state`
        module = load_model(source)().eval()
    module.load_state_dict(state, strict=True, assign=True)
    _check_parity(module, static, plan.input_shape)
    files = {"model.py": source.encode("utf-8"), "weights.pt": state_bytes(state)}
    if onnx:
        files["model.onnx"] = onnx_bytes(static, plan.input_shape)
    return files, module, used


def load_model(source: str) -> type[nn.Module]:
    """The class of a generated model.py, run as a fresh module (the text is ours: made of safe names)."""
    module = types.ModuleType("fbndsl_exported_model")
    exec(compile(source, "model.py", "exec"), module.__dict__)  # our own output: identifiers and numbers only
    return module.Model


def _check_parity(module: nn.Module, static: nn.Module, input_shape) -> None:
    x = torch.randn(1, *input_shape, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        want, got = static(x), module(x)
    scale = max(1.0, want.abs().max().item())
    assert (got - want).abs().max().item() <= PARITY * scale, "model.py differs from the extracted subnet"


def _out_dir(out_dir) -> Path:
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file, not a directory; choose another --out")
    return out


def _write(out: Path, files: dict[str, bytes]) -> tuple[Path, ...]:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot create the directory ({exc.strerror})") from None
    written = []
    for name in FILES:
        path = out / name
        if name in files:
            atomic_write_bytes(path, files[name])
            written.append(path)
        elif path.is_file():  # left by an earlier export of another kind: it would not match this one
            path.unlink()
    return tuple(written)
