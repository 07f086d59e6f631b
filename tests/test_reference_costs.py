"""Independent check of fbndsl's analytic cost model against real PyTorch models.

The models in tests/reference/ are written from the original code (torchvision, xautodl's NAS-Bench-201
TinyNetwork, quark0/darts, the SPOS/BN-NAS MobileNet space, BigNAS), not from fbndsl's IR. Each is run
forward once (batch 1, no grad) under torch's FlopCounterMode; its MACs (FLOPs / 2, plus one addition
per output element of every conv/linear with a bias) and its parameter count must equal fbndsl's
`space.cost(arch)` exactly.

Whole module: about 15-25 s on 2 CPU cores.
"""
from __future__ import annotations

import csv
import functools
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

import fbndsl  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import NB201_CSV, SPACES  # noqa: E402
from reference import (  # noqa: E402
    bignas_space,
    count,  # noqa: E402
    darts,
    mobilenet_space,
    mobilenetv2,
    nb201,
    resnet18,
)


@functools.cache
def space(name: str, **params):
    return fbndsl.compile(SPACES / f"{name}.nas", **params)


def logits(classes: int):
    def check(out):
        assert tuple(out.shape) == (1, classes)
        assert torch.isfinite(out).all()
    return check


def assert_same(fb, ref, what: str):
    macs, params = ref
    assert (fb.macs, fb.params) == (macs, params), (
        f"{what}: fbndsl {fb.macs:,} MACs / {fb.params:,} params, "
        f"PyTorch reference {macs:,} MACs / {params:,} params "
        f"(diff {fb.macs - macs:+,} MACs, {fb.params - params:+,} params)")


# -- the counter itself ---------------------------------------------------------------------------

def test_flop_counter_convention():
    """FlopCounterMode: 2 FLOPs per MAC for conv (groups, dilation, stride) and linear; bias, BN,
    pooling not counted. Our counter halves that and adds the bias additions itself."""
    from torch.utils.flop_counter import FlopCounterMode

    nn = torch.nn
    cases = [  # module, input shape, MACs without bias, bias additions, params
        (nn.Conv2d(3, 8, 3, padding=1), (1, 3, 8, 8), 8 * 8 * 8 * 27, 8 * 8 * 8, 8 * 27 + 8),
        (nn.Conv2d(8, 8, 5, stride=2, padding=4, dilation=2, groups=8, bias=False), (1, 8, 9, 9),
         8 * 5 * 5 * 25, 0, 8 * 25),
        (nn.Conv2d(6, 4, 1, stride=2, bias=False), (1, 6, 7, 7), 4 * 6 * 16, 0, 24),
        (nn.Linear(10, 4), (1, 10), 40, 4, 44),
        (nn.Sequential(nn.BatchNorm2d(3), nn.ReLU(), nn.AvgPool2d(3, 1, 1), nn.MaxPool2d(3, 2, 1),
                       nn.AdaptiveAvgPool2d(1)), (1, 3, 8, 8), 0, 0, 6),
    ]
    for module, shape, macs, bias_adds, params in cases:
        module.eval()
        with torch.no_grad(), FlopCounterMode(display=False) as fc:
            module(torch.randn(*shape))
        assert fc.get_total_flops() == 2 * macs, module
        assert count(module, shape) == (macs + bias_adds, params), module


# -- fixed networks -------------------------------------------------------------------------------

def test_resnet18():
    ref = count(resnet18.resnet18(), (1, 3, 224, 224), check_output=logits(1000))
    assert ref == (1_814_074_344, 11_689_512)
    assert_same(space("resnet18").cost({}), ref, "resnet18")


def test_mobilenetv2():
    ref = count(mobilenetv2.mobilenet_v2(), (1, 3, 224, 224), check_output=logits(1000))
    assert ref == (300_775_272, 3_504_872)
    assert_same(space("mobilenetv2").cost({}), ref, "mobilenetv2")


# -- NAS-Bench-201 ----------------------------------------------------------------------------------

NB201_SEEDS = list(range(12))
NB201_FIXED = [  # extremes and the paper's example, on top of the random samples
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|",
]


@functools.cache
def nb201_csv() -> dict[str, tuple[int, int]]:
    """arch_str -> (MACs, params) by the benchmark's own counter (rounded to 1e-5 M / 1e-6 M)."""
    with open(NB201_CSV, newline="") as f:
        return {r["arch_str"]: (round(float(r["cifar10_flops_M"]) * 1e5), round(float(r["cifar10_params_M"]) * 1e6))
                for r in csv.DictReader(f)}


@pytest.mark.parametrize("which", [f"seed{s}" for s in NB201_SEEDS] + [f"fixed{i}" for i in range(len(NB201_FIXED))])
def test_nb201(which):
    sp = space("nb201")
    if which.startswith("seed"):
        arch_str = sp.format_arch(sp.sample(int(which[4:])), "nb201")
    else:
        arch_str = NB201_FIXED[int(which[5:])]
    arch = sp.parse_arch(arch_str)
    ref = count(nb201.nb201_network(arch_str, C=16, N=5, num_classes=10), (1, 3, 32, 32), check_output=logits(10))
    assert_same(sp.cost(arch), ref, arch_str)
    if NB201_CSV.is_file():  # the reference model against the benchmark's published numbers
        macs, params = nb201_csv()[arch_str]
        assert (round(ref[0] / 10), ref[1]) == (macs, params), arch_str


# -- DARTS ----------------------------------------------------------------------------------------

def test_darts_v2_evaluation_network():
    """The published DARTS (second order) cell in the 20-cell, C=36 CIFAR-10 network: 3.3M params."""
    sp = space("darts", C=36, layers=20)
    g = darts.DARTS_V2
    text = (f"Genotype(normal={g.normal!r}, normal_concat={g.normal_concat!r}, "
            f"reduce={g.reduce!r}, reduce_concat={g.reduce_concat!r})")
    ref = count(darts.darts_network(g, C=36, layers=20, num_classes=10), (1, 3, 32, 32), check_output=logits(10))
    assert ref == (528_359_050, 3_349_342)
    assert_same(sp.cost(sp.parse_arch(text)), ref, "DARTS_V2")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_darts_random(seed):
    sp = space("darts")  # search network: C=16, 8 cells
    arch = sp.sample(seed)
    genotype = darts.parse_genotype(sp.format_arch(arch, "darts"))
    ref = count(darts.darts_network(genotype, C=16, layers=8, num_classes=10), (1, 3, 32, 32), check_output=logits(10))
    assert_same(sp.cost(arch), ref, str(genotype))


def test_darts_none_edges():
    """'none' (Zero, strided in a reduction cell) on edges from the cell inputs and between nodes."""
    sp = space("darts")
    g = darts.Genotype(
        normal=[("none", 0), ("sep_conv_5x5", 1), ("none", 1), ("none", 2), ("dil_conv_5x5", 0),
                ("avg_pool_3x3", 3), ("none", 3), ("max_pool_3x3", 4)], normal_concat=[2, 3, 4, 5],
        reduce=[("none", 0), ("none", 1), ("none", 1), ("skip_connect", 2), ("sep_conv_3x3", 0),
                ("none", 3), ("skip_connect", 0), ("dil_conv_3x3", 2)], reduce_concat=[2, 3, 4, 5])
    text = f"Genotype(normal={g.normal!r}, normal_concat=[2, 3, 4, 5], reduce={g.reduce!r}, reduce_concat=[2, 3, 4, 5])"
    ref = count(darts.darts_network(g, C=16, layers=8, num_classes=10), (1, 3, 32, 32), check_output=logits(10))
    assert_same(sp.cost(sp.parse_arch(text)), ref, "none edges")


# -- MobileNet (SPOS / BN-NAS) space --------------------------------------------------------------

@pytest.mark.parametrize("se", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mobilenet_space(seed, se):
    sp = space("mobilenet", se=True) if se else space("mobilenet")
    arch = sp.sample(seed)
    ops = [str(arch[f"s{i + 1}.{j}"]) for i, (_, n, _) in enumerate(mobilenet_space.STAGES) for j in range(n)]
    ref = count(mobilenet_space.MobileNetSpaceNet(ops, se=se), (1, 3, 224, 224), check_output=logits(1000))
    assert_same(sp.cost(arch), ref, f"mobilenet se={se} {ops}")


# -- BigNAS space ---------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bignas(seed):
    sp = space("bignas")
    arch = sp.sample(seed)
    cfg = {k: arch[k] for k in arch.keys()}
    model = bignas_space.BigNASChild(cfg)
    r = cfg["resolution"]
    ref = count(model, (1, 3, r, r), check_output=logits(1000))
    assert_same(sp.cost(arch), ref, f"bignas {cfg}")
