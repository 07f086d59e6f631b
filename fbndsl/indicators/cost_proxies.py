"""Parameter count and MACs as indicators: from the analytic cost model, no forward pass.

Both are the architecture as written (the fairness BatchNorms, which exist only for supernet training, are not
counted) at the arch's own input resolution. Larger counts as better: bigger networks of a space tend to be more
accurate, which is what makes these baselines hard to beat.
"""
from __future__ import annotations


def params(ctx, arch, prepared) -> float:
    return float(ctx.space.cost(arch).params)


def macs(ctx, arch, prepared) -> float:
    return float(ctx.space.cost(arch).macs)
