"""Plain-PyTorch reference models, written from the original papers' code (torchvision, xautodl,
quark0/darts, SPOS/BN-NAS, BigNAS), never from fbndsl's IR, and a MAC/parameter counter.

They exist only to check fbndsl's analytic cost model independently (tests/test_reference_costs.py).
"""
from .counting import count

__all__ = ["count"]
