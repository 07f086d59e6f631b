"""Supernet training: `fbndsl train` and `fbndsl.train.train`.

    >>> import fbndsl
    >>> from fbndsl.train import TrainConfig, train
    >>> space = fbndsl.compile("nb201", C=8, N=1)
    >>> result = train(space, TrainConfig(mode="single-stage", epochs=1, steps=10), out_dir="runs/demo")
    >>> result.evals[0]["acc"], result.supernet            # doctest: +SKIP

Three modes (`Mode`):

- **bn-only** (FBN-NAS / BN-NAS): every weight stays at its initial value (requires_grad=False, so no weight
  gradient is even computed); only BatchNorm gamma and beta learn, the fairness-inserted BatchNorms and those
  inside mbconv, SE and factorized_reduce included. Default LR 1.0, ten times full training's (only per-channel
  scales and shifts learn, and larger steps move them faster without diverging: `config.DEFAULT_LR`); cosine
  schedule; no weight decay.
  Paths: `uniform` (SPOS) or `fair` (FairNAS: each step trains m paths, m the most values any choice has; each
  choice's values are assigned to the paths by a random permutation, cycled for choices with fewer values).
  A conditional choice (active only for some values of an earlier choice) gets its value only on the paths
  where it is active, so it is fair among those paths; see `sampling.FairSampler`.
- **single-stage** (BigNAS): each step trains the largest child, the smallest and `num_random` random ones
  (sandwich rule), sums their gradients and steps once. The largest alone sees the labels, weight decay (an
  L2 term in its loss) and dropout; the others learn from its detached softmax (in-place distillation). The
  batch is taken at the largest child's resolution and resized (bicubic) for each child. The last BatchNorm
  gamma of every residual block starts at zero. BatchNorms keep no running statistics while training; each
  evaluated child recalibrates them. LR: exponential decay reaching 5% of the initial LR at 95% of the
  steps, then constant (`schedule`). Each technique has a switch (`sandwich`, `distill`, `multires`,
  `zero_init`, `lr_decay`).
- **full** (SPOS): every weight, one uniformly sampled path per step; cosine schedule. The baseline.

Gradients of a step's paths are summed, not averaged (FairNAS and BigNAS). Every mode uses SGD with Nesterov
momentum 0.9, batch size 64, and resizes each batch to the sampled architecture's input resolution.

A run directory holds checkpoint.pt, space.nas, config.json and metrics.jsonl; `resume=True` (`--resume`)
continues a run exactly: a run killed at any moment and resumed ends with the very weights of an
uninterrupted one (see `loop`). The end of a run evaluates a few children (single-stage: the largest and the
smallest) after recalibrating their BatchNorms on `recal_batches` training batches.

Before training, `estimate.estimate` tells a run's memory and time from the compiled space, and `preflight`
refuses a run that exceeds the memory available or an hour (what `fbndsl train` does first).

Importing this package does not import torch; `train` does.
"""
from __future__ import annotations

from .config import DEFAULT_LR, Mode, SamplerKind, TrainConfig
from .estimate import Estimate, preflight  # the module `estimate` keeps its name here
from .result import TrainResult


def train(space, config: TrainConfig, data=None, out_dir="run", *, resume: bool = False, on_step=None, launch=None):
    """Train `space`'s supernet; see `loop.train`. Returns a `TrainResult` (the supernet, metrics, evaluations)."""
    from .loop import train as run

    return run(space, config, data, out_dir, resume=resume, on_step=on_step, launch=launch)


def load_run(run_dir, device="cpu"):
    """(space, supernet, config) of a finished or interrupted `fbndsl train` run; see `trained.load_run`."""
    from .trained import load_run as load

    return load(run_dir, device)


__all__ = ["train", "load_run", "TrainConfig", "TrainResult", "Mode", "SamplerKind", "DEFAULT_LR", "Estimate",
           "preflight"]
