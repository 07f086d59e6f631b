"""The inverted bottleneck (MBConv) of MobileNetV2 (torchvision's InvertedResidual), with the optional
squeeze-and-excitation of MnasNet / EfficientNet / MobileNetV3 (torchvision's SqueezeExcitation: global
pool -> 1x1 conv with bias -> activation -> 1x1 conv with bias -> sigmoid gate) on the hidden width,
between the depthwise and the projection convolution."""
from __future__ import annotations

import torch.nn as nn

from .mobilenetv2 import make_divisible


class SqueezeExcitation(nn.Module):
    def __init__(self, channels: int, squeeze: int, act=nn.ReLU):
        super().__init__()
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, squeeze, 1)
        self.fc2 = nn.Conv2d(squeeze, channels, 1)
        self.act = act()
        self.gate = nn.Sigmoid()

    def forward(self, x):
        return x * self.gate(self.fc2(self.act(self.fc1(self.avgpool(x)))))


class MBConv(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, e: float, stride: int, *, se: bool = False,
                 se_ratio: float = 0.25, act=nn.ReLU6, se_act=nn.ReLU, residual: bool | None = None):
        super().__init__()
        hidden = int(round(cin * e))
        layers: list[nn.Module] = []
        if e != 1:
            layers += [nn.Conv2d(cin, hidden, 1, bias=False), nn.BatchNorm2d(hidden), act(inplace=True)]
        layers += [nn.Conv2d(hidden, hidden, k, stride, (k - 1) // 2, groups=hidden, bias=False),
                   nn.BatchNorm2d(hidden), act(inplace=True)]
        if se:
            layers.append(SqueezeExcitation(hidden, make_divisible(hidden * se_ratio, 8), se_act))
        layers += [nn.Conv2d(hidden, cout, 1, bias=False), nn.BatchNorm2d(cout)]
        self.conv = nn.Sequential(*layers)
        self.use_res_connect = (stride == 1 and cin == cout) if residual is None else residual
        if self.use_res_connect:
            assert stride == 1 and cin == cout

    def forward(self, x):
        return x + self.conv(x) if self.use_res_connect else self.conv(x)
