"""mobilenet (BN-NAS/SPOS) and bignas (BigNAS Table 1): counts, extremes, elastic semantics."""
from __future__ import annotations

import math

from conftest import SPACES

import fbndsl


def test_mobilenet_has_21_layers_of_6_or_7_candidates():
    space = fbndsl.compile(SPACES / "mobilenet.nas")
    assert len(space.choices) == 21
    firsts = [c for c in space.choices if c.label.endswith(".0")]
    assert len(firsts) == 6 and all("skip" not in c.values for c in firsts)
    assert space.size == 6 ** 6 * 7 ** 15


def test_mobilenet_se_variant_adds_params():
    plain = fbndsl.compile(SPACES / "mobilenet.nas")
    se = fbndsl.compile(SPACES / "mobilenet.nas", se=True)
    arch = plain.sample(1)
    assert se.cost(arch).params > plain.cost(arch).params
    assert se.size == plain.size


def test_bignas_table1_size():
    space = fbndsl.compile(SPACES / "bignas.nas")
    # resolution x stem x (per stage: widths x depths x kernels) x last conv
    stages = [(2, 2, 1), (2, 2, 1), (2, 2, 2), (2, 3, 2), (3, 5, 2), (4, 5, 2), (2, 2, 2)]
    assert space.size == 5 * 2 * math.prod(w * d * k for w, d, k in stages) * 2


def test_bignas_smallest_and_largest_child():
    space = fbndsl.compile(SPACES / "bignas.nas")
    lo, hi = space.min_arch(), space.max_arch()
    assert lo["resolution"] == 192 and hi["resolution"] == 320
    for c in space.choices:
        assert lo[c.label] == min(c.values) and hi[c.label] == max(c.values)


def test_depth_keeps_first_layers_and_changes_cost():
    space = fbndsl.compile(SPACES / "bignas.nas")
    arch = dict(space.max_arch())
    deeper = space.cost(arch)
    arch["mb5.depth"] = 2
    assert space.cost(arch).macs < deeper.macs


def test_extremes_bound_every_sample():
    for name in ("bignas", "mobilenet", "darts"):
        space = fbndsl.compile(SPACES / f"{name}.nas")
        rng = space.cost_range()
        for seed in range(300):
            c = space.cost(space.sample(seed))
            assert rng["macs"][0] <= c.macs <= rng["macs"][1]
            assert rng["params"][0] <= c.params <= rng["params"][1]
