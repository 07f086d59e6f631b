"""Learning-rate schedules, as a pure function of the optimiser step (so resuming needs no scheduler state).

- bn-only, full: cosine from the initial LR towards 0 over the run.
- single-stage (BigNAS): exponential decay that reaches 5% of the initial LR after 95% of the steps, then
  stays at that constant 5% for the last 5% (BigNAS "ends at a constant 5%"; the last steps at the floor
  let the children settle).
- lr_decay=False (`--no-lr-decay`): constant, in every mode.
"""
from __future__ import annotations

import math

FLOOR = 0.05           # single-stage: the final, constant fraction of the initial LR
DECAY_FRACTION = 0.95  # single-stage: the fraction of the steps over which it decays to FLOOR


def cosine(lr: float, step: int, total: int) -> float:
    return lr * 0.5 * (1.0 + math.cos(math.pi * min(step, total) / max(total, 1)))


def exponential_to_floor(lr: float, step: int, total: int) -> float:
    end = max(1, round(DECAY_FRACTION * total))
    return lr * FLOOR ** min(1.0, step / end)


def lr_at(config, step: int, total: int) -> float:
    """The LR of optimiser step `step` (0-based) of a run of `total` steps."""
    from .config import Mode

    if not config.lr_decay:
        return config.lr
    if config.mode is Mode.SINGLE_STAGE:
        return exponential_to_floor(config.lr, step, total)
    return cosine(config.lr, step, total)
