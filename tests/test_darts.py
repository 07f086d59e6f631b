"""DARTS: size, Genotype round trip, and the published DARTS_V2 model size."""
from __future__ import annotations

import math
import random

from conftest import SPACES

import fbndsl

DARTS_V2 = ("Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
            "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], "
            "normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), "
            "('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), "
            "('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])")


def _same_genotype(a: str, b: str) -> bool:
    """Equal up to the order of the two edges within a node (DARTS lists them by weight)."""
    import re

    def norm(g):
        out = {}
        for cell in ("normal", "reduce"):
            pairs = re.findall(r"\('(\w+)', (\d+)\)", re.search(cell + r"=\[([^\]]*)\]", g).group(1))
            out[cell] = [sorted(pairs[i:i + 2]) for i in range(0, len(pairs), 2)]
        return out
    return norm(a) == norm(b)


def test_size_is_8_ops_squared_times_input_pairs(darts):
    per_cell = math.prod(8 ** 2 * math.comb(j, 2) for j in (2, 3, 4, 5))
    assert darts.size == per_cell ** 2


def test_darts_v2_round_trip(darts):
    arch = darts.parse_arch(DARTS_V2)
    assert arch["normal.n5"] == ("p0", "n2") and arch["normal.n5.n2"] == "dil_conv_3x3"
    text = darts.format_arch(arch, "darts")
    assert _same_genotype(text, DARTS_V2)
    assert darts.parse_arch(text) == arch


def test_random_genotypes_round_trip(darts):
    for seed in range(50):
        arch = darts.sample(seed)
        assert darts.parse_arch(darts.format_arch(arch, "darts")) == arch
        assert darts.parse_arch(arch.text()) == arch
        assert darts.parse_arch(arch.json_text()) == arch


def test_darts_v2_evaluation_network_matches_published_size():
    """C=36, 20 cells: 3.349M parameters (DARTS README, auxiliary head excluded), 528M MACs."""
    space = fbndsl.compile(SPACES / "darts.nas", C=36, layers=20)
    cost = space.cost(space.parse_arch(DARTS_V2))
    assert cost.params == 3_349_342
    assert round(cost.macs / 1e6) == 528


def test_search_network_reductions_and_channels(darts):
    shapes = darts.ir.shapes
    out = darts.ir.node(darts.ir.output)
    assert tuple(shapes[out.id]) == (10, 1, 1)
    # 8 cells: 2 normal at 32x32 (4*16 channels), reduction, 2 normal at 16x16, reduction, 2 at 8x8.
    pool = [n for n in darts.ir.nodes if n.kind.value == "global_pool"][0]
    assert tuple(shapes[pool.inputs[0]]) == (4 * 64, 8, 8)


def test_sampling_is_deterministic_and_covers_ops(darts):
    assert darts.sample(7) == darts.sample(7)
    ops = {darts.sample(s)["normal.n2.p0"] for s in range(200)}
    assert ops == set(darts.choice("normal.n2.p0").values)
    assert darts.sample(random.Random(3)) == darts.sample(3)
