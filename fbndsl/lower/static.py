"""Static modules of an extracted subnet: plain PyTorch with no elastic code (and readable state dicts)."""
from __future__ import annotations

import torch
from torch import nn


class FlatLinear(nn.Module):
    """Linear on the flattened 1x1 feature map."""

    def __init__(self, linear: nn.Linear):
        super().__init__()
        self.linear = linear

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(torch.flatten(x, 1))


class SqueezeExcite(nn.Module):
    def __init__(self, reduce: nn.Conv2d, act: nn.Module, expand: nn.Conv2d):
        super().__init__()
        self.reduce, self.act, self.expand = reduce, act, expand

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = nn.functional.adaptive_avg_pool2d(x, 1)
        return x * torch.sigmoid(self.expand(self.act(self.reduce(s))))


class InvertedResidual(nn.Module):
    def __init__(self, expand: nn.Module | None, dw: nn.Module, se: nn.Module | None, project: nn.Module,
                 residual: bool):
        super().__init__()
        self.expand, self.dw, self.se, self.project, self.residual = expand, dw, se, project, residual

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.dw(y)
        if self.se is not None:
            y = self.se(y)
        y = self.project(y)
        return x + y if self.residual else y


class FactorizedReduce(nn.Module):
    def __init__(self, conv1: nn.Conv2d, conv2: nn.Conv2d, bn: nn.BatchNorm2d):
        super().__init__()
        self.conv1, self.conv2, self.bn = conv1, conv2, bn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.relu(x)
        return self.bn(torch.cat([self.conv1(x), self.conv2(x[:, :, 1:, 1:])], dim=1))


class Zero(nn.Module):
    """DARTS/NAS-Bench-201 'none': zeros, subsampled by the stride."""

    def __init__(self, stride: int = 1):
        super().__init__()
        self.stride = stride

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, ::self.stride, ::self.stride].mul(0.0)


class GlobalPool(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return nn.functional.adaptive_avg_pool2d(x, 1)
