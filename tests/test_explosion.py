"""Gradient explosion at initialisation (`fbndsl.indicators.explosion`): exact on small networks whose gradients
are known, NaN for a network that ignores its input, no trace left, and the residual cell of NAS-Bench-201
exploding less than its convolution-only twin at depth."""
from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.indicators.explosion import explosion  # noqa: E402


class Scale(nn.Module):
    def __init__(self, factor: float):
        super().__init__()
        self.factor = factor

    def forward(self, x):
        return self.factor * x


def head(channels: int, classes: int = 3) -> nn.Sequential:
    return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, classes))


def batch(n: int = 8, channels: int = 2):
    g = torch.Generator().manual_seed(0)
    return torch.randn(n, channels, 6, 6, generator=g), torch.arange(n) % 3


def test_a_map_scaled_by_c_on_the_way_to_the_head_explodes_by_c():
    images, labels = batch()
    torch.manual_seed(0)
    for factor in (1.0, 0.5, 3.0):
        model = nn.Sequential(nn.BatchNorm2d(2), Scale(factor), head(2))
        assert explosion(model, images, labels) == pytest.approx(factor, rel=1e-6)


def test_the_first_map_is_the_first_batchnorms_output():
    images, labels = batch()
    torch.manual_seed(0)  # a scale before the BatchNorm is not counted: the BatchNorm normalises it away
    model = nn.Sequential(Scale(5.0), nn.BatchNorm2d(2), Scale(2.0), head(2))
    assert explosion(model, images, labels) == pytest.approx(2.0, rel=1e-6)


def test_a_network_that_ignores_its_input_has_no_explosion():
    images, labels = batch()
    model = nn.Sequential(nn.BatchNorm2d(2), Scale(0.0), head(2))
    assert math.isnan(explosion(model, images, labels))


def test_leaves_no_trace():
    images, labels = batch()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.Conv2d(4, 4, 3), nn.BatchNorm2d(4),
                          head(4)).eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    explosion(model, images, labels)
    assert not model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters())


def deep_cell(edge_to_output: str) -> str:
    return f"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|{edge_to_output}~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def test_nb201s_residual_cell_explodes_less_than_its_convolution_twin_at_depth():
    from fbndsl.data import load
    from fbndsl.indicators.context import IndicatorContext
    from fbndsl.indicators.explosion import explosion_of

    space = fbndsl.compile("nb201", C=8, N=5, resolution=8)
    ctx = IndicatorContext.build(space, None, load("digits", seed=0), naswot_batch=16)
    skip, conv, empty = (explosion_of(ctx, space.parse_arch(deep_cell(op)))
                         for op in ("skip_connect", "nor_conv_3x3", "none"))
    assert skip < conv < empty
