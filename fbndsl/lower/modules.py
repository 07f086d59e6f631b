"""Elastic modules: weights allocated at the largest size any architecture needs, sliced per subnet.

Weight sharing (docs/language.md, "Weight sharing"): a smaller kernel is the centre of the largest;
fewer channels (width, expansion) keep the lower-index channels; BatchNorm statistics are sliced the
same way. Each module is `configure`d with the concrete sizes of the selected architecture and can
return a `static()` copy of exactly that slice (for extraction).
"""
from __future__ import annotations

import functools

import torch
import torch.nn.functional as F
from torch import nn

from ..ir.ops import Act
from . import static as S

ACTIVATIONS = {Act.RELU: nn.ReLU, Act.RELU6: nn.ReLU6, Act.SWISH: nn.SiLU, Act.HSWISH: nn.Hardswish,
               Act.SIGMOID: nn.Sigmoid, Act.HSIGMOID: nn.Hardsigmoid}


def activation(act: Act) -> nn.Module:
    return ACTIVATIONS[act]()


def _distributed() -> bool:
    return torch.distributed.is_available() and torch.distributed.is_initialized() \
        and torch.distributed.get_world_size() > 1


class _AllReduceSum(torch.autograd.Function):
    """Sum over processes; the gradient of a sum is the summed gradient (as SyncBatchNorm)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        y = x.clone()
        torch.distributed.all_reduce(y)
        return y

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> torch.Tensor:
        grad = grad.clone()
        torch.distributed.all_reduce(grad)
        return grad


def _centre(k_max: int, k: int) -> slice:
    start = (k_max - k) // 2
    return slice(start, start + k)


class ElasticConv2d(nn.Module):
    """Conv2d with elastic in/out channels and kernel ('same' padding, as the IR's conv)."""

    def __init__(self, max_in: int, max_out: int, max_k: int, bias: bool, depthwise: bool = False,
                 max_in_per_group: int | None = None):
        super().__init__()
        self.depthwise, self.max_k = depthwise, max_k
        per_group = 1 if depthwise else (max_in_per_group or max_in)
        self.weight = nn.Parameter(torch.empty(max_out, per_group, max_k, max_k))
        self.bias = nn.Parameter(torch.zeros(max_out)) if bias else None
        nn.init.kaiming_normal_(self.weight, mode="fan_out", nonlinearity="relu")
        self.cfg = dict(cin=max_in, out=max_out, k=max_k, stride=1, dilation=1, groups=1)

    def configure(self, cin: int, out: int, k: int, stride: int = 1, dilation: int = 1, groups: int = 1) -> None:
        if self.depthwise:
            out, groups = cin, cin
        self.cfg = dict(cin=cin, out=out, k=k, stride=stride, dilation=dilation, groups=groups)

    def sliced(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        c = self.cfg
        ks = _centre(self.max_k, c["k"])
        w = self.weight[:c["out"], :c["cin"] // c["groups"], ks, ks]
        return w, (self.bias[:c["out"]] if self.bias is not None else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        w, b = self.sliced()
        return F.conv2d(x, w, b, c["stride"], c["dilation"] * (c["k"] - 1) // 2, c["dilation"], c["groups"])

    def static(self) -> nn.Conv2d:
        c = self.cfg
        w, b = self.sliced()
        conv = nn.Conv2d(c["cin"], c["out"], c["k"], c["stride"], c["dilation"] * (c["k"] - 1) // 2,
                         c["dilation"], c["groups"], bias=b is not None)
        with torch.no_grad():
            conv.weight.copy_(w)
            if b is not None:
                conv.bias.copy_(b)
        return conv


class ElasticBatchNorm2d(nn.BatchNorm2d):
    """BatchNorm over the first `c` channels of its statistics and affine parameters."""

    def __init__(self, max_c: int, affine: bool = True):
        super().__init__(max_c, affine=affine)
        self.c = max_c
        self.sync = False  # under DistributedDataParallel: batch statistics over all processes

    def configure(self, c: int) -> None:
        self.c = c

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.sync and self.training and _distributed():
            return self._sync_forward(x)
        c, track = self.c, self.track_running_stats
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and track:
            self.num_batches_tracked.add_(1)
            factor = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
        use_batch = self.training or not track
        return F.batch_norm(x, self.running_mean[:c] if track else None, self.running_var[:c] if track else None,
                            self.weight[:c] if self.affine else None, self.bias[:c] if self.affine else None,
                            use_batch, factor, self.eps)

    def _sync_forward(self, x: torch.Tensor) -> torch.Tensor:
        """Batch statistics of the global batch (as one process would see it), differentiably reduced."""
        c = self.c
        n = torch.tensor([x.numel() // c], dtype=x.dtype, device=x.device)
        totals = _AllReduceSum.apply(torch.cat([x.sum((0, 2, 3)), (x * x).sum((0, 2, 3)), n]))
        count = totals[-1]
        mean = totals[:c] / count
        var = totals[c:2 * c] / count - mean * mean
        if self.track_running_stats:
            with torch.no_grad():
                self.num_batches_tracked.add_(1)
                m = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                self.running_mean[:c].mul_(1 - m).add_(mean.detach(), alpha=m)
                self.running_var[:c].mul_(1 - m).add_(var.detach() * count / (count - 1), alpha=m)
        y = (x - mean[None, :, None, None]) * torch.rsqrt(var + self.eps)[None, :, None, None]
        if self.affine:
            y = y * self.weight[:c, None, None] + self.bias[:c, None, None]
        return y

    def static(self) -> nn.BatchNorm2d:
        bn = nn.BatchNorm2d(self.c, eps=self.eps, momentum=self.momentum, affine=self.affine)
        with torch.no_grad():
            bn.running_mean.copy_(self.running_mean[:self.c])
            bn.running_var.copy_(self.running_var[:self.c])
            bn.num_batches_tracked.copy_(self.num_batches_tracked)
            if self.affine:
                bn.weight.copy_(self.weight[:self.c])
                bn.bias.copy_(self.bias[:self.c])
        return bn


class ElasticLinear(nn.Module):
    """Linear layer on the flattened features (the IR's linear reads a 1x1 map)."""

    def __init__(self, max_in: int, max_out: int, bias: bool):
        super().__init__()
        layer = nn.Linear(max_in, max_out, bias=bias)
        self.weight, self.bias = layer.weight, layer.bias
        self.cin, self.out = max_in, max_out

    def configure(self, cin: int, out: int) -> None:
        self.cin, self.out = cin, out

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b = self.bias[:self.out] if self.bias is not None else None
        return F.linear(torch.flatten(x, 1), self.weight[:self.out, :self.cin], b)

    def static(self) -> nn.Module:
        lin = nn.Linear(self.cin, self.out, bias=self.bias is not None)
        with torch.no_grad():
            lin.weight.copy_(self.weight[:self.out, :self.cin])
            if self.bias is not None:
                lin.bias.copy_(self.bias[:self.out])
        return S.FlatLinear(lin)


class ElasticSE(nn.Module):
    """Squeeze-and-excitation: pool, 1x1 conv to `sq`, activation, 1x1 conv back, sigmoid gate."""

    def __init__(self, max_c: int, max_sq: int, act: Act = Act.RELU):
        super().__init__()
        self.reduce = ElasticConv2d(max_c, max_sq, 1, bias=True)
        self.expand = ElasticConv2d(max_sq, max_c, 1, bias=True)
        self.act = act
        self.act_fn = activation(act)

    def configure(self, c: int, sq: int) -> None:
        self.reduce.configure(c, sq, 1)
        self.expand.configure(sq, c, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        s = F.adaptive_avg_pool2d(x, 1)
        s = self.expand(self.act_fn(self.reduce(s)))
        return x * torch.sigmoid(s)

    def static(self) -> nn.Module:
        return S.SqueezeExcite(self.reduce.static(), activation(self.act), self.expand.static())


class ElasticMBConv(nn.Module):
    """MobileNetV2 inverted bottleneck: [1x1 expand, BN, act], kxk depthwise, BN, act, [SE], 1x1, BN, [+x]."""

    def __init__(self, max_in: int, max_hidden: int, max_out: int, max_k: int, max_sq: int, act: Act,
                 has_expand: bool, has_se: bool):
        super().__init__()
        self.act, self.act_fn = act, activation(act)
        self.expand = ElasticConv2d(max_in, max_hidden, 1, bias=False) if has_expand else None
        self.bn1 = ElasticBatchNorm2d(max_hidden) if has_expand else None
        self.dw = ElasticConv2d(max_hidden, max_hidden, max_k, bias=False, depthwise=True)
        self.bn2 = ElasticBatchNorm2d(max_hidden)
        self.se = ElasticSE(max_hidden, max_sq, act) if has_se else None
        self.project = ElasticConv2d(max_hidden, max_out, 1, bias=False)
        self.bn3 = ElasticBatchNorm2d(max_out)
        self.cfg = {}

    def configure(self, cin: int, hidden: int, out: int, k: int, stride: int, se: bool, sq: int,
                  residual: bool, expand: bool, act: Act) -> None:
        self.cfg = dict(expand=expand, se=se, residual=residual)
        if act is not self.act:
            self.act, self.act_fn = act, activation(act)
            if self.se is not None:
                self.se.act, self.se.act_fn = act, activation(act)
        if expand:
            self.expand.configure(cin, hidden, 1)
            self.bn1.configure(hidden)
        self.dw.configure(hidden, hidden, k, stride)
        self.bn2.configure(hidden)
        if se:
            self.se.configure(hidden, sq)
        self.project.configure(hidden, out, 1)
        self.bn3.configure(out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        act = self.act_fn
        y = act(self.bn1(self.expand(x))) if self.cfg["expand"] else x
        y = act(self.bn2(self.dw(y)))
        if self.cfg["se"]:
            y = self.se(y)
        y = self.bn3(self.project(y))
        return x + y if self.cfg["residual"] else y

    def static(self) -> nn.Module:
        c = self.cfg
        expand = nn.Sequential(self.expand.static(), self.bn1.static(), activation(self.act)) if c["expand"] else None
        dw = nn.Sequential(self.dw.static(), self.bn2.static(), activation(self.act))
        se = self.se.static() if c["se"] else None
        project = nn.Sequential(self.project.static(), self.bn3.static())
        return S.InvertedResidual(expand, dw, se, project, c["residual"])


class ElasticFactorizedReduce(nn.Module):
    """DARTS FactorizedReduce: ReLU, two offset 1x1 stride-2 convs to out/2 channels each, concat, BN."""

    def __init__(self, max_in: int, max_out: int):
        super().__init__()
        self.conv1 = ElasticConv2d(max_in, max_out // 2, 1, bias=False)
        self.conv2 = ElasticConv2d(max_in, max_out // 2, 1, bias=False)
        self.bn = ElasticBatchNorm2d(max_out)

    def configure(self, cin: int, out: int) -> None:
        self.conv1.configure(cin, out // 2, 1, stride=2)
        self.conv2.configure(cin, out // 2, 1, stride=2)
        self.bn.configure(out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(x)
        return self.bn(torch.cat([self.conv1(x), self.conv2(x[:, :, 1:, 1:])], dim=1))

    def static(self) -> nn.Module:
        return S.FactorizedReduce(self.conv1.static(), self.conv2.static(), self.bn.static())


def window_mean(x: torch.Tensor, k: int, stride: int, pad: int) -> torch.Tensor:
    """`F.avg_pool2d(x, k, stride, pad, count_include_pad=False)`, computed as a depthwise convolution with a
    kernel of ones divided by each window's count of real (unpadded) pixels.

    Same values (up to summation order, ~1e-7 relative), several times faster on the CPU: PyTorch's CPU
    avg_pool2d with count_include_pad=False and its backward are scalar loops (5 ms forward and 5 ms backward for
    a 64x16x32x32 batch, against 1.5 ms and 2.5 ms here), and NAS-Bench-201 or DARTS supernets pool on every
    edge, so the pooling alone took a third of a BatchNorm-only training step. Used for training only: in
    evaluation the supernet computes bit for bit what its extracted subnets (nn.AvgPool2d) compute.
    """
    channels, (h, w) = x.shape[1], x.shape[-2:]
    ones = x.new_ones(channels, 1, k, k)
    sums = F.conv2d(x, ones, stride=stride, padding=pad, groups=channels)
    return sums * _inverse_counts(h, w, k, stride, pad, x.dtype, x.device)


@functools.lru_cache(maxsize=256)
def _inverse_counts(h: int, w: int, k: int, stride: int, pad: int, dtype, device) -> torch.Tensor:
    """1 / (number of unpadded pixels in each output window), shaped 1 x 1 x H' x W'."""
    ones = torch.ones(1, 1, h, w, dtype=dtype, device=device)
    counts = F.conv2d(ones, torch.ones(1, 1, k, k, dtype=dtype, device=device), stride=stride, padding=pad)
    return counts.reciprocal_()


class Pool(nn.Module):
    """Average (padding not counted, as NAS-Bench-201 and DARTS) or max pooling with an elastic kernel."""

    def __init__(self, kind: str):
        super().__init__()
        self.kind, self.cfg = kind, dict(k=3, stride=1, pad=1)

    def configure(self, k: int, stride: int, pad: int) -> None:
        self.cfg = dict(k=k, stride=stride, pad=pad)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        if self.kind == "avg" and self.training and torch.is_grad_enabled():
            return window_mean(x, c["k"], c["stride"], c["pad"])  # training: the same mean, a faster backward
        if self.kind == "avg":  # evaluation: exactly what the extracted, static subnet computes
            return F.avg_pool2d(x, c["k"], c["stride"], c["pad"], count_include_pad=False)
        return F.max_pool2d(x, c["k"], c["stride"], c["pad"])

    def static(self) -> nn.Module:
        c = self.cfg
        if self.kind == "avg":
            return nn.AvgPool2d(c["k"], c["stride"], c["pad"], count_include_pad=False)
        return nn.MaxPool2d(c["k"], c["stride"], c["pad"])


class Configurable(nn.Module):
    """A stateless module whose static copy is itself with the configured arguments."""

    def __init__(self, make):
        super().__init__()
        self.make, self.inner = make, make()

    def configure(self, **kw) -> None:
        self.inner = self.make(**kw)
        self.inner.train(self.training)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.inner(x)

    def static(self) -> nn.Module:
        return self.inner
