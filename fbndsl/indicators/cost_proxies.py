"""The structural indicators, read from the architecture alone (no network, no forward pass): parameter count and
MACs from the analytic cost model, and the least depth and least mixing depth (`ir.depth`).

The counts are the architecture as written (the fairness BatchNorms, which exist only for supernet training, are not
counted) at the arch's own input resolution. Larger counts as better: bigger networks of a space tend to be more
accurate, which is what makes these baselines hard to beat.
"""
from __future__ import annotations


def params(ctx, arch, prepared) -> float:
    return float(ctx.space.cost(arch).params)


def macs(ctx, arch, prepared) -> float:
    return float(ctx.space.cost(arch).macs)


def min_depth(ctx, arch, prepared) -> float:
    return float(ctx.space.least_depth(arch))


def min_mixing(ctx, arch, prepared) -> float:
    return float(ctx.space.least_mixing_depth(arch))
