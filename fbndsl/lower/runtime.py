"""What running a supernet needs around it: the device, a batch on it at an architecture's resolution, and a
check that the data fits the network. Training, the indicators, search and export all use these.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..diagnostics import UserError
from ..ir import sym


def pick_device(name: str) -> torch.device:
    """auto: CUDA when torch sees a GPU, else the CPU."""
    if name == "cuda" and not torch.cuda.is_available():
        raise UserError(f"--device cuda: torch {torch.__version__} sees no CUDA device; use --device cpu or auto")
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda":  # bit-reproducible runs: cuDNN picks fixed, deterministic kernels
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = False, True
    return torch.device(name)


def _values(dim) -> set:
    return dim.values() if sym.is_sym(dim) else {dim}


def check_data_fits(space, data) -> None:
    """The network must read the data's channels and end in one score per class of the data."""
    ir = space.ir
    cin = _values(ir.shapes[ir.nodes[0].id].c)
    if cin != {data.channels}:
        raise UserError(f"{space.file}: the network reads {'/'.join(map(str, sorted(cin)))} input channels but "
                        f"{data.name} images have {data.channels}; use input({data.channels}, ...)")
    out = ir.shapes[ir.output]
    if _values(out.h) != {1} or _values(out.w) != {1}:
        raise UserError(f"{space.file}: the network does not end in class scores (a C x 1 x 1 output); end it "
                        f"with global_pool -> linear({data.num_classes})")
    classes = _values(out.c)
    if classes != {data.num_classes}:
        fix = (f"pass --set classes={data.num_classes}" if "classes" in ir.params
               else f"make its last linear output {data.num_classes}")
        raise UserError(f"{space.file}: the network outputs {'/'.join(map(str, sorted(classes)))} classes but "
                        f"{data.name} has {data.num_classes}; {fix}")


def images_on(x: torch.Tensor, device, non_blocking: bool = False) -> torch.Tensor:
    """A batch on `device`; images (N x C x H x W) channels-last. PyTorch's convolutions, BatchNorm and pooling
    follow the input's layout, and channels-last makes a NAS-Bench-201 training step 1.35x and a MobileNet one
    1.5-1.75x faster on the CPU (one thread; `perf/train_speed.py`), with the same numbers up to rounding."""
    x = x.to(device, non_blocking=non_blocking)
    return x.contiguous(memory_format=torch.channels_last) if x.dim() == 4 else x


def at_resolution(x: torch.Tensor, supernet, arch) -> torch.Tensor:
    """The batch at the architecture's input resolution: bicubic resizing (no antialiasing) when it differs."""
    _, h, w = supernet.input_shape(arch)
    if tuple(x.shape[-2:]) == (h, w):
        return x
    return F.interpolate(x, size=(h, w), mode="bicubic", align_corners=False, antialias=False)
