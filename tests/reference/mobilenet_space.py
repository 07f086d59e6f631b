"""A child network of the SPOS-style MobileNet search space used by BN-NAS (Chen et al., ICCV 2021):
ImageNet 224x224, stem conv3x3/2 3->40 BN ReLU6, a fixed MBConv (k3, e1) 40->24, then 21 searchable
layers in 6 stages, each an MBConv k{3,5,7} x e{3,6} (optionally with SE) or, except for the first
layer of a stage, the identity; conv1x1 432->1728 BN ReLU6, global pool, Linear(1728, 1000)."""
from __future__ import annotations

import re

import torch.nn as nn

from .mbconv import MBConv

STAGES = [(32, 4, 2), (56, 4, 2), (112, 4, 2), (128, 4, 1), (256, 4, 2), (432, 1, 1)]  # (c, n, s)
OPS = ["k3e3", "k3e6", "k5e3", "k5e6", "k7e3", "k7e6", "skip"]
NUM_LAYERS = sum(n for _, n, _ in STAGES)  # 21


class Identity(nn.Module):
    def forward(self, x):
        return x


class MobileNetSpaceNet(nn.Module):
    def __init__(self, ops: list[str], se: bool = False, num_classes: int = 1000):
        super().__init__()
        assert len(ops) == NUM_LAYERS, f"need {NUM_LAYERS} ops, got {len(ops)}"
        self.stem = nn.Sequential(nn.Conv2d(3, 40, 3, 2, 1, bias=False), nn.BatchNorm2d(40), nn.ReLU6(inplace=True))
        layers: list[nn.Module] = [MBConv(40, 24, 3, 1, 1)]  # fixed first block, never with SE
        cin, i = 24, 0
        for c, n, s in STAGES:
            for j in range(n):
                op = ops[i]
                i += 1
                if op == "skip":
                    assert j > 0, "the first layer of a stage changes the shape and cannot be skipped"
                    layers.append(Identity())
                    continue
                m = re.fullmatch(r"k(\d)e(\d)", op)
                assert m and op in OPS, f"unknown op {op!r}"
                layers.append(MBConv(cin, c, int(m[1]), int(m[2]), s if j == 0 else 1, se=se))
                cin = c
        self.features = nn.Sequential(*layers)
        self.last = nn.Sequential(nn.Conv2d(cin, 1728, 1, bias=False), nn.BatchNorm2d(1728), nn.ReLU6(inplace=True))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(1728, num_classes)

    def forward(self, x):
        x = self.pool(self.last(self.features(self.stem(x))))
        return self.classifier(x.flatten(1))
