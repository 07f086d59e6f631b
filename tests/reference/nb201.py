"""NAS-Bench-201's TinyNetwork (Dong & Yang, ICLR 2020), as xautodl's
`models/cell_infers/tiny_network.py`, `cells.py` (InferCell) and `cell_operations.py`.

Only what the benchmark's 5-operator space uses: none, skip_connect, nor_conv_1x1, nor_conv_3x3,
avg_pool_3x3, all with stride 1 and C_in == C_out inside cells; ResNetBasicblock with stride 2 between
stages.
"""
from __future__ import annotations

import torch.nn as nn


class ReLUConvBN(nn.Module):
    def __init__(self, C_in, C_out, kernel_size, stride, padding, dilation=1, affine=True):
        super().__init__()
        self.op = nn.Sequential(
            nn.ReLU(inplace=False),
            nn.Conv2d(C_in, C_out, kernel_size, stride=stride, padding=padding, dilation=dilation,
                      bias=not affine),
            nn.BatchNorm2d(C_out, affine=affine))

    def forward(self, x):
        return self.op(x)


class Identity(nn.Module):
    def forward(self, x):
        return x


class Zero(nn.Module):
    def __init__(self, C_in, C_out, stride):
        super().__init__()
        assert C_in == C_out, "the NB201 cell only uses Zero with C_in == C_out"
        self.stride = stride

    def forward(self, x):
        if self.stride == 1:
            return x.mul(0.0)
        return x[:, :, :: self.stride, :: self.stride].mul(0.0)


class POOLING(nn.Module):
    def __init__(self, C_in, C_out, stride, mode, affine=True):
        super().__init__()
        self.preprocess = None if C_in == C_out else ReLUConvBN(C_in, C_out, 1, 1, 0, 1, affine)
        if mode == "avg":
            self.op = nn.AvgPool2d(3, stride=stride, padding=1, count_include_pad=False)
        else:
            self.op = nn.MaxPool2d(3, stride=stride, padding=1)

    def forward(self, x):
        return self.op(self.preprocess(x) if self.preprocess is not None else x)


OPS = {
    "none": lambda C_in, C_out, stride: Zero(C_in, C_out, stride),
    "avg_pool_3x3": lambda C_in, C_out, stride: POOLING(C_in, C_out, stride, "avg"),
    "nor_conv_3x3": lambda C_in, C_out, stride: ReLUConvBN(C_in, C_out, 3, stride, 1, 1),
    "nor_conv_1x1": lambda C_in, C_out, stride: ReLUConvBN(C_in, C_out, 1, stride, 0, 1),
    "skip_connect": lambda C_in, C_out, stride: Identity(),  # stride 1, C_in == C_out in this space
}


def parse_arch(text: str) -> list[tuple[tuple[str, int], ...]]:
    """`|op~0|+|op~0|op~1|+|...|` -> [((op, 0),), ((op, 0), (op, 1)), ...] (xautodl's Structure.str2structure)."""
    nodes = []
    for node_str in text.split("+"):
        inputs = [x for x in node_str.split("|") if x != ""]
        node = []
        for xi in inputs:
            op, idx = xi.split("~")
            assert op in OPS, f"unknown op {op!r}"
            node.append((op, int(idx)))
        nodes.append(tuple(node))
    return nodes


class InferCell(nn.Module):
    def __init__(self, genotype, C_in, C_out, stride):
        super().__init__()
        self.layers = nn.ModuleList()
        self.node_IN, self.node_IX = [], []
        for node_info in genotype:
            cur_index, cur_innod = [], []
            for op_name, op_in in node_info:
                if op_in == 0:
                    layer = OPS[op_name](C_in, C_out, stride)
                else:
                    layer = OPS[op_name](C_out, C_out, 1)
                cur_index.append(len(self.layers))
                cur_innod.append(op_in)
                self.layers.append(layer)
            self.node_IX.append(cur_index)
            self.node_IN.append(cur_innod)
        self.out_dim = C_out

    def forward(self, inputs):
        nodes = [inputs]
        for node_layers, node_innods in zip(self.node_IX, self.node_IN):
            nodes.append(sum(self.layers[il](nodes[ii]) for il, ii in zip(node_layers, node_innods)))
        return nodes[-1]


class ResNetBasicblock(nn.Module):
    def __init__(self, inplanes, planes, stride, affine=True):
        super().__init__()
        assert stride in (1, 2)
        self.conv_a = ReLUConvBN(inplanes, planes, 3, stride, 1, 1, affine)
        self.conv_b = ReLUConvBN(planes, planes, 3, 1, 1, 1, affine)
        if stride == 2:
            self.downsample = nn.Sequential(
                nn.AvgPool2d(kernel_size=2, stride=2, padding=0),
                nn.Conv2d(inplanes, planes, kernel_size=1, stride=1, padding=0, bias=False))
        elif inplanes != planes:
            self.downsample = ReLUConvBN(inplanes, planes, 1, 1, 0, 1, affine)
        else:
            self.downsample = None
        self.out_dim = planes

    def forward(self, inputs):
        basicblock = self.conv_b(self.conv_a(inputs))
        residual = self.downsample(inputs) if self.downsample is not None else inputs
        return residual + basicblock  # no final ReLU


class TinyNetwork(nn.Module):
    def __init__(self, C: int, N: int, genotype, num_classes: int):
        super().__init__()
        if isinstance(genotype, str):
            genotype = parse_arch(genotype)
        self.stem = nn.Sequential(nn.Conv2d(3, C, kernel_size=3, padding=1, bias=False), nn.BatchNorm2d(C))
        layer_channels = [C] * N + [C * 2] + [C * 2] * N + [C * 4] + [C * 4] * N
        layer_reductions = [False] * N + [True] + [False] * N + [True] + [False] * N
        C_prev = C
        self.cells = nn.ModuleList()
        for C_curr, reduction in zip(layer_channels, layer_reductions):
            if reduction:
                cell = ResNetBasicblock(C_prev, C_curr, 2, True)
            else:
                cell = InferCell(genotype, C_prev, C_curr, 1)
            self.cells.append(cell)
            C_prev = cell.out_dim
        self.lastact = nn.Sequential(nn.BatchNorm2d(C_prev), nn.ReLU(inplace=True))
        self.global_pooling = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(C_prev, num_classes)

    def forward(self, inputs):
        feature = self.stem(inputs)
        for cell in self.cells:
            feature = cell(feature)
        out = self.global_pooling(self.lastact(feature))
        return self.classifier(out.view(out.size(0), -1))


def nb201_network(arch_str: str, C: int = 16, N: int = 5, num_classes: int = 10) -> TinyNetwork:
    return TinyNetwork(C, N, parse_arch(arch_str), num_classes)
