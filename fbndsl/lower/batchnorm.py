"""BatchNorm bookkeeping, in one place: which modules are BatchNorms, which one ends an operator, and switching,
saving and restoring their running statistics and settings.

Recalibration, the training modes, the indicators and export all reset or switch BatchNorm state and must put it
back exactly. One listing and one save/restore keep them agreeing on what "every BatchNorm" is (any subclass of
torch's `_BatchNorm`: written ones, fairness-inserted ones, those inside composite modules) and what "its state"
is (every buffer, `momentum` and `track_running_stats`).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

from ..ir.ops import SPECS, OpKind

BatchNorm = nn.modules.batchnorm._BatchNorm

# The BatchNorm an operator's module ends in, for the kinds that end in one.
_FINAL = {OpKind.BN: lambda m: m, OpKind.MBCONV: lambda m: m.bn3, OpKind.FACTORIZED_REDUCE: lambda m: m.bn}
assert set(_FINAL) == {k for k, s in SPECS.items() if s.ends_with_bn}, "one rule per kind that ends in a BatchNorm"


def batchnorms(model: nn.Module) -> list[BatchNorm]:
    """Every BatchNorm: written ones, fairness-inserted ones, and those inside mbconv, SE, factorized_reduce."""
    return [m for m in model.modules() if isinstance(m, BatchNorm)]


def final_batchnorm(kind: OpKind, module: nn.Module | None) -> BatchNorm | None:
    """The BatchNorm that `module` (an operator of `kind`) ends in; None for the kinds that end in none. The same
    rule as `OpSpec.ends_with_bn`, which the fairness pass reads, so IR and modules agree."""
    final = _FINAL.get(kind)
    return None if final is None else final(module)


def set_tracking(model: nn.Module, on: bool) -> None:
    """Whether every BatchNorm of `model` keeps running statistics (off: it normalises with each batch's own)."""
    for bn in batchnorms(model):
        bn.track_running_stats = on


@contextmanager
def tracking(model: nn.Module) -> Iterator[None]:
    """Inside the block every BatchNorm keeps running statistics, which eval mode then uses; the settings are
    restored afterwards, so a caller that switched tracking off (single-stage training) finds it off again."""
    bns = batchnorms(model)
    with settings_kept(bns):
        for bn in bns:
            bn.track_running_stats = True
        yield


@contextmanager
def settings_kept(bns: Sequence[BatchNorm]) -> Iterator[None]:
    """`momentum` and `track_running_stats` of `bns` put back when the block ends (recalibration changes both)."""
    saved = [(bn.momentum, bn.track_running_stats) for bn in bns]
    try:
        yield
    finally:
        for bn, (momentum, track) in zip(bns, saved):
            bn.momentum, bn.track_running_stats = momentum, track


@contextmanager
def state_kept(bns: Sequence[BatchNorm]) -> Iterator[None]:
    """Every buffer (running statistics, batch count) and setting of `bns` put back when the block ends: a block
    that recalibrates or overwrites statistics leaves the caller's network as it was."""
    saved = _buffers(bns)
    try:
        with settings_kept(bns):
            yield
    finally:
        _restore_buffers(bns, saved)


def _buffers(bns: Sequence[BatchNorm]) -> list[dict[str, torch.Tensor]]:
    return [{k: b.clone() for k, b in bn.named_buffers(recurse=False)} for bn in bns]


def _restore_buffers(bns: Sequence[BatchNorm], saved: list[dict[str, torch.Tensor]]) -> None:
    with torch.no_grad():
        for bn, buffers in zip(bns, saved):
            for k, b in buffers.items():
                getattr(bn, k).copy_(b)


@contextmanager
def probing(model: nn.Module) -> Iterator[None]:
    """A train-mode pass that leaves no trace (the zero-cost proxies' convention): `model` in train mode inside
    the block, its BatchNorms' state and its own mode as they were afterwards."""
    was_training = model.training
    model.train()
    try:
        with state_kept(batchnorms(model)):
            yield
    finally:
        model.train(was_training)
