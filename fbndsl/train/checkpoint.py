"""Checkpoints that resume exactly: everything that decides the rest of the run, in plain containers.

A checkpoint holds the model and optimizer state, the global step, and the state of every random stream
(Python's, torch's CPU and CUDA generators, the path sampler's). It is written atomically (torch.save into
memory, then `atomic_write_bytes`), so a run killed at any moment leaves the previous checkpoint intact, and it
holds only tensors, numbers, strings, lists and dicts so that it loads with `torch.load(weights_only=True)`:
loading a checkpoint never runs code from it.
"""
from __future__ import annotations

import io
import random
from pathlib import Path

import torch

from .. import schemas
from ..diagnostics import UserError
from ..files import atomic_write_bytes

FORMAT = schemas.CHECKPOINT_FORMAT
NAME = "checkpoint.pt"
TENSOR_FIELDS = ("model", "optimizer", "torch_rng", "cuda_rng")  # the rest is plain: `schemas.CHECKPOINT_META`


def rng_state_to_plain(state: tuple) -> list:
    """`random.Random.getstate()` as [version, [625 ints], gauss_next]: lists, not tuples, for weights_only."""
    version, internal, gauss = state
    return [version, list(internal), gauss]


def rng_state_from_plain(plain: list) -> tuple:
    version, internal, gauss = plain
    return (version, tuple(internal), gauss)


def save(path: Path, *, supernet, optimizer, step: int, steps_per_epoch: int, sampler_rng: random.Random,
         elapsed: float, run_id: dict) -> None:
    state = {
        "format": FORMAT,
        "run": run_id,  # the config and the space's sha256, checked again when resuming
        "step": step, "epoch": step // steps_per_epoch, "step_in_epoch": step % steps_per_epoch,
        "elapsed": elapsed,
        "model": supernet.state_dict(),
        "optimizer": optimizer.state_dict(),
        "python_rng": rng_state_to_plain(random.getstate()),
        "sampler_rng": rng_state_to_plain(sampler_rng.getstate()),
        "torch_rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else [],
    }
    buffer = io.BytesIO()
    torch.save(state, buffer)
    atomic_write_bytes(path, buffer.getvalue())


def read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UserError(f"{path}: cannot read the checkpoint ({exc.strerror}); start a new run with another "
                        "--out") from None


def load(path: Path, device: torch.device, data: bytes | None = None) -> dict:
    """The checkpoint at `path`, or its bytes `data` already read there (by rank 0, for every process)."""
    try:
        state = torch.load(io.BytesIO(read(path) if data is None else data), map_location=device, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to read it is a damaged file
        raise UserError(f"{path}: cannot read the checkpoint ({type(exc).__name__}); "
                        "start a new run with another --out") from None
    if not isinstance(state, dict) or state.get("format") != FORMAT:
        raise UserError(f"{path}: not a checkpoint of this fbndsl version; start a new run with another --out")
    check(path, state)
    return state


def check(path: Path, state: dict) -> None:
    """Every field's type and shape, before any is used (`weights_only` admits any tensor or container)."""
    schemas.check_plain({k: v for k, v in state.items() if k not in TENSOR_FIELDS}, path)
    schemas.check(state, schemas.CHECKPOINT_META, path)
    _check_tensors(path, "model", state.get("model"), dict)
    _check_tensors(path, "cuda_rng", state.get("cuda_rng"), list)
    if not isinstance(state.get("optimizer"), dict) or not isinstance(state["optimizer"].get("param_groups"), list):
        raise UserError(_expected(path, "optimizer", "an optimizer's state_dict", state.get("optimizer")))
    if not _is_rng_state(state.get("torch_rng"), torch.get_rng_state()):
        raise UserError(_expected(path, "torch_rng", f"a uint8 tensor of {torch.get_rng_state().numel()} bytes",
                                  state.get("torch_rng")))


def _check_tensors(path: Path, field: str, value, container: type) -> None:
    tensors = list(value.values()) if isinstance(value, dict) else value
    if not isinstance(value, container) or not all(isinstance(t, torch.Tensor) for t in tensors):
        what = "a dict of named tensors" if container is dict else "a list of tensors"
        raise UserError(_expected(path, field, what, value))
    if field == "cuda_rng" and not all(t.dtype == torch.uint8 and t.dim() == 1 for t in value):
        raise UserError(_expected(path, field, "a list of uint8 tensors", value))


def _is_rng_state(value, like: torch.Tensor) -> bool:
    return isinstance(value, torch.Tensor) and value.dtype == like.dtype and value.shape == like.shape


def _expected(path: Path, field: str, what: str, value) -> str:
    return f"{path}: {field}: expected {what} (got {schemas.shown(value)})"


def restore(state: dict, *, supernet, optimizer, sampler_rng: random.Random) -> None:
    """Put the model, optimizer and every random stream back where the checkpoint left them (`load` checked the
    fields; whether the weights fit this supernet shows only here)."""
    try:
        supernet.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        random.setstate(rng_state_from_plain(state["python_rng"]))
        sampler_rng.setstate(rng_state_from_plain(state["sampler_rng"]))
        torch.set_rng_state(state["torch_rng"].cpu())
        if state["cuda_rng"] and torch.cuda.is_available():
            torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda_rng"]])
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise UserError(f"--resume: the checkpoint does not fit this space and device ({type(exc).__name__}: "
                        f"{schemas.clip(' '.join(str(exc).split()), 120)}); start a new run with another --out") \
            from None
