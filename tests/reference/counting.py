"""Count MACs and parameters of a real PyTorch model.

MACs: `torch.utils.flop_counter.FlopCounterMode` counts 2 FLOPs per multiply-accumulate of
convolutions and matrix products (conv, mm, addmm, bmm), and ignores bias additions, BatchNorm,
pooling, activations and elementwise ops. We halve its total and add, independently, one addition
per output element of every nn.Conv2d / nn.Linear that has a bias (seen through forward hooks), which
is NAS-Bench-201's / torchvision's convention. Parameters: sum of `p.numel()` (BatchNorm gamma/beta
included, running statistics are buffers and excluded).
"""
from __future__ import annotations

import torch
import torch.nn as nn
from torch.utils.flop_counter import FlopCounterMode


def count(model: nn.Module, input_shape, *, check_output=None) -> tuple[int, int]:
    """(MACs, params) of one forward pass of `model` on zeros... of shape `input_shape` (batch 1).

    The forward also checks that the model runs; `check_output(out)` may assert on its result.
    """
    input_shape = tuple(input_shape)
    assert input_shape[0] == 1, "count at batch size 1"
    model.eval()
    bias_adds = 0

    def hook(module, inputs, output):
        nonlocal bias_adds
        bias_adds += output.numel()

    handles = [m.register_forward_hook(hook) for m in model.modules()
               if isinstance(m, (nn.Conv2d, nn.Linear)) and m.bias is not None]
    try:
        x = torch.randn(*input_shape, generator=torch.Generator().manual_seed(0))
        with torch.no_grad(), FlopCounterMode(display=False) as counter:
            out = model(x)
    finally:
        for h in handles:
            h.remove()
    flops = counter.get_total_flops()
    assert flops % 2 == 0, flops
    if check_output is not None:
        check_output(out)
    params = sum(p.numel() for p in model.parameters())
    return flops // 2 + bias_adds, params
