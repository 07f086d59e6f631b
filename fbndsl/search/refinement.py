"""What the search's last step reads of its K best (`--refine-top K --refine-by KIND`), and how it re-ranks them.

- `accuracy`: each trained BN-only alone for a short budget (`refine.refined_accuracy`), listed first by that
  held-out accuracy, as BigNAS refines its coarse picks.
- `explosion`: each network's gradient explosion at initialisation (`indicators.explosion`), read on the network
  at the depth it will be trained at (`--refine-set`, e.g. N=5 for a space searched at a proxy depth). The zero-cost
  proxies that rank the pool cannot see a residual connection (docs/nb201.md), and explosion alone ranks a space
  against the truth (it grows with every convolution in series), so it does not replace the ranking: the K are
  listed by the product of their two ranks among the K, the ranking's and the explosion's (least first; ties in
  the ranking's order). Chosen over the explosion alone and over the mean of the two ranks, and K, on
  `fbndsl bench nb201`'s calibration search seeds (docs/nb201.md, "Protocol", version 4).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum

from ..diagnostics import UserError
from ..indicators.ranking import ranks
from ..ir.choices import Arch
from .objective import Ranked, refined_first


class Refinement(Enum):
    ACCURACY = "accuracy"
    EXPLOSION = "explosion"

    @property
    def column(self) -> str:
        """The final table's column of the refined values."""
        return "refined" if self is Refinement.ACCURACY else "explosion"

    def first(self, top: Sequence[Ranked], refined: Mapping[Arch, float]) -> list[Ranked]:
        """`top` with the refined architectures first, in this refinement's order, then the others in their order;
        renumbered from 1. `refined` lists the refined ones in the ranking's order."""
        if self is Refinement.ACCURACY:
            return refined_first(top, refined)
        order = list(refined)
        explosion = dict(zip(order, ranks(list(refined.values()), higher_is_better=False)))
        product = {a: (place * explosion[a], place) for place, a in enumerate(order, 1)}
        return refined_first(top, refined, key=product.__getitem__)


def refinement(name: str | Refinement) -> Refinement:
    """`--refine-by NAME` as a `Refinement`."""
    if isinstance(name, Refinement):
        return name
    try:
        return Refinement(name)
    except ValueError:
        raise UserError(f"--refine-by {name}: expected one of "
                        f"{', '.join(r.value for r in Refinement)}") from None
