"""weights.pt: the subnet's weights sliced from the supernet, renamed to the generated model's attributes.

Slicing is `fbndsl.lower.extract` (the same slices the supernet computes with); this module only renames
the extracted state dict to `model.py`'s readable names (`plan.Module.part.static_path` says where each part
lives in the extracted module). Recalibrating BatchNorm for the exported subnet rewrites the supernet's
running statistics, so they are put back afterwards: exporting leaves the caller's supernet as it was.
"""
from __future__ import annotations

import io
from collections.abc import Iterable

import torch
from torch import nn

from ..diagnostics import UserError
from ..lower import extract, recalibrate_bn
from ..lower.batchnorm import batchnorms, state_kept
from ..lower.supernet import Supernet, module_name
from .plan import Plan


def renamed_state(plan: Plan, supernet: Supernet, static: nn.Module) -> dict[str, torch.Tensor]:
    """The extracted subnet's tensors under the generated model's names, on the CPU, in its order."""
    state: dict[str, torch.Tensor] = {}
    for m in plan.modules:
        sub = static.get_submodule(module_name(supernet.ir.node(m.node_id)))
        if m.part.static_path:
            sub = sub.get_submodule(m.part.static_path)
        for key, tensor in sub.state_dict().items():
            state[f"{m.attr}.{key}"] = tensor.detach().to("cpu", copy=True).contiguous()
    return state


def state_bytes(state: dict[str, torch.Tensor]) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


def sliced_subnet(supernet: Supernet, arch, batches: Iterable | None, max_batches: int) -> tuple[nn.Module, int]:
    """The static subnet after recalibrating its BatchNorms on up to `max_batches` of `batches` (none: the
    supernet's statistics as they are), and the number of batches used. The supernet is left unchanged."""
    was_training = supernet.training
    with state_kept(batchnorms(supernet)):
        used = recalibrate_bn(supernet, batches, arch, max_batches=max_batches) if batches is not None else 0
        if batches is not None and used == 0:
            raise UserError("BatchNorm recalibration got no batch: the data has fewer images than one batch; "
                            "use other data or a smaller batch size")
        static = extract(supernet, arch)
    supernet.train(was_training)
    return static.eval(), used
