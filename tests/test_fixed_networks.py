"""Fixed networks (no choices) against their published sizes."""
from __future__ import annotations

from conftest import SPACES

import fbndsl


def test_mobilenetv2_matches_torchvision():
    space = fbndsl.compile(SPACES / "mobilenetv2.nas")
    assert space.size == 1 and space.choices == ()
    cost = space.cost({})
    assert cost.params == 3_504_872
    assert cost.macs // 10_000 / 100 == 300.77  # torchvision's figure, to its two decimals
    assert cost.macs == 300_774_272 + 1000  # torchvision's MACs + one bias addition per logit


def test_resnet18_matches_torchvision():
    space = fbndsl.compile(SPACES / "resnet18.nas")
    cost = space.cost({})
    assert cost.params == 11_689_512
    assert round(cost.macs / 1e9, 3) == 1.814


def test_resolution_override_scales_macs_not_params():
    small = fbndsl.compile(SPACES / "resnet18.nas", resolution=112).cost({})
    big = fbndsl.compile(SPACES / "resnet18.nas").cost({})
    assert small.params == big.params and small.macs < big.macs / 3
