"""`seeded`: torch's random state seeded from the context for a block, and the caller's put back afterwards."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded(ctx) -> Iterator[None]:
    """Inside the block torch draws from ctx.seed (CPU and the context's CUDA device); outside, nothing changed."""
    with torch.random.fork_rng(devices=_cuda_devices(ctx.device)):
        torch.manual_seed(ctx.seed)
        yield


def _cuda_devices(device) -> list[int]:
    device = torch.device(device)
    return [device.index or 0] if device.type == "cuda" else []
