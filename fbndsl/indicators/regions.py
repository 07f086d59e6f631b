"""Regions (FBN-NAS' second reading of expressivity): NASWOT's linear-region score of the subnet on the trained
supernet, its BatchNorms as BN-only training left them, in train mode.

FBN-NAS calls the validation accuracy the expressivity in its section 4 ("we refer to the validation accuracy as
the expressivity"; `expressivity.py`), but in section 5.3 and Figure 6 measures it as the number of linear
regions [45] (Mellor et al.'s NASWOT) of the FBN supernet: "it is safe to measure the expressivity [45] of FBN
supernet in the very beginning", as "the number of linear regions does not change as the BatchNorm are
trained". This is that measurement: `naswot.naswot_score` (log|det K| of the ReLU-code kernel; higher is better)
on `ctx.supernet` with the arch selected, on the context's NASWOT batch at the arch's resolution.

A train-mode forward updates every BatchNorm's running statistics (and, in a network with dropout, draws random
masks): both are kept out of the way, the statistics put back exactly (`lower.batchnorm.probing`) and the
random draws made from the context's seed, so the other indicators' values do not depend on whether this one
was measured.
"""
from __future__ import annotations

from ..lower.batchnorm import probing
from ..lower.runtime import at_resolution
from .naswot import naswot_score
from .seeded import seeded


def regions(ctx, arch, prepared) -> float:
    net = ctx.supernet
    net.set_arch(arch)
    with probing(net), seeded(ctx):
        return naswot_score(net, at_resolution(ctx.naswot_images, net, arch))
