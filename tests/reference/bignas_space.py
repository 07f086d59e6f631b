"""A static child of the BigNAS search space (Yu et al., ECCV 2020, Table 1): MobileNetV2-style MBConv
blocks with squeeze-and-excitation (squeeze = make_divisible(hidden * 0.25, 8), 1x1 convs with bias)
in every block, swish activations, per-stage width / depth / kernel; a residual on every block of a
stage but the first.

The child is given as a dict: resolution, stem.out, mbX.c, mbX.depth, mbX.k (stages 3-7), last.out.
"""
from __future__ import annotations

import torch.nn as nn

from .mbconv import MBConv

# name, expansion, stride of the first block, fixed kernel (None: searched)
STAGES = [("mb1", 1, 1, 3), ("mb2", 6, 2, 3), ("mb3", 6, 2, None), ("mb4", 6, 2, None),
          ("mb5", 6, 1, None), ("mb6", 6, 2, None), ("mb7", 6, 1, None)]


class BigNASChild(nn.Module):
    def __init__(self, cfg: dict, num_classes: int = 1000):
        super().__init__()
        self.resolution = cfg["resolution"]
        stem = cfg["stem.out"]
        self.stem = nn.Sequential(nn.Conv2d(3, stem, 3, 2, 1, bias=False), nn.BatchNorm2d(stem), nn.SiLU(inplace=True))
        blocks: list[nn.Module] = []
        cin = stem
        for name, e, s, k in STAGES:
            c, depth = cfg[f"{name}.c"], cfg[f"{name}.depth"]
            k = cfg[f"{name}.k"] if k is None else k
            for i in range(depth):
                blocks.append(MBConv(cin, c, k, e, s if i == 0 else 1, se=True, act=nn.SiLU, se_act=nn.SiLU,
                                     residual=i > 0))
                cin = c
        self.blocks = nn.Sequential(*blocks)
        last = cfg["last.out"]
        self.last = nn.Sequential(nn.Conv2d(cin, last, 1, bias=False), nn.BatchNorm2d(last), nn.SiLU(inplace=True))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(last, num_classes)

    def forward(self, x):
        x = self.pool(self.last(self.blocks(self.stem(x))))
        return self.classifier(x.flatten(1))
