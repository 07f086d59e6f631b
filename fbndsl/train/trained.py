"""A trained supernet back from its run directory: `load_run`, for search and export.

The run directory holds everything needed to rebuild the supernet exactly: the space's source as it was
trained (space.nas), its `--set` values and fairness mode (config.json), and the weights (checkpoint.pt,
loaded with `weights_only=True`). The space is compiled again from that copy, so a later edit of the user's
own `.nas` file cannot silently change what the weights mean.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from .. import schemas
from ..diagnostics import UserError
from .config import TrainConfig
from .rundir import RunDir


class TrainedRun(NamedTuple):
    space: object       # fbndsl.space.Space, compiled from the run's space.nas
    supernet: object    # fbndsl.lower.Supernet with the checkpoint's weights, in eval mode
    config: TrainConfig


def load_run(run_dir, device="cpu") -> TrainedRun:
    """The space, supernet and settings of a `fbndsl train` run (one-line errors for a missing or foreign one)."""
    import torch

    from ..lower import lower
    from ..pipeline import compile as compile_space
    from . import checkpoint

    run = RunDir(Path(run_dir))
    record, config = read_config(run)
    space_record = record["space"]
    source = run.path / "space.nas"
    if not source.is_file():
        raise UserError(f"{source}: missing; {run.path} is not a complete fbndsl train run directory")
    # every `param` as trained, not just the run's --set values: a run started from Python passes its
    # overrides to `fbndsl.compile`, not through the config
    params = space_record.get("params") or dict(config.sets)
    space = compile_space(source, fairness=space_record.get("fairness", "insert"), **params)
    if space.source_sha256 != space_record.get("sha256"):
        raise UserError(f"{source}: its sha256 differs from the one in {run.config}; the run directory was "
                        f"edited, train again")
    state = checkpoint.load(run.checkpoint, torch.device(device))
    supernet = lower(space)
    try:
        supernet.load_state_dict(state["model"])
    except RuntimeError:
        raise UserError(f"{run.checkpoint}: its weights do not fit {source}; the run directory was edited or "
                        f"written by another fbndsl version, train again") from None
    supernet.to(device).eval()
    return TrainedRun(space, supernet, config)


def read_config(run: RunDir) -> tuple[dict, TrainConfig]:
    """The run's config.json, checked against `schemas.TRAIN_CONFIG` before any field is used, and its settings."""
    record = _read_config(run)
    return record, _config(run, record["config"])


def _read_config(run: RunDir) -> dict:
    if not run.path.is_dir():
        raise UserError(f"{run.path}: no such run directory; give the --out of a `fbndsl train` run")
    try:
        text = run.config.read_text(encoding="utf-8")
    except OSError:
        raise UserError(f"{run.config}: missing; {run.path} is not a `fbndsl train` run directory") from None
    except UnicodeDecodeError:
        raise UserError(f"{run.config}: not valid JSON; the run directory is damaged, train again") from None
    record = schemas.loads(text, run.config, fix="the run directory is damaged, train again")
    schemas.check(record, schemas.TRAIN_CONFIG, run.config)
    return record


def _config(run: RunDir, raw: dict) -> TrainConfig:
    """The settings; keys this version does not know (a newer fbndsl's) are left out, TrainConfig checks the rest."""
    kwargs = {k: v for k, v in raw.items() if k in TrainConfig.__dataclass_fields__}
    kwargs["sets"] = tuple(tuple(kv) for kv in kwargs.get("sets", ()))
    try:
        return TrainConfig(**kwargs)
    except UserError as exc:  # its message names the flag that would have set the value
        raise UserError(f"{run.config}: {exc}; train again") from None
