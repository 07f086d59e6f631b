"""Extraction: one architecture of a supernet as a static torch.fx.GraphModule.

Only the subnet's modules are kept, with their weight slices copied into plain PyTorch modules
(nn.Conv2d, nn.BatchNorm2d, ...): no elastic code is left, and the parameter count is exactly the
front end's cost model (with the fairness BatchNorms, which belong to the trained function).
"""
from __future__ import annotations

import copy

from torch import fx, nn

from .supernet import Supernet, subnet_graph


def extract(supernet: Supernet, arch=None) -> fx.GraphModule:
    arch = supernet.arch if arch is None else supernet._as_arch(arch)
    previous = supernet.arch
    supernet.set_arch(arch)
    try:
        root = nn.Module()
        names = {}
        for node in supernet.active_nodes(arch):
            module = supernet.module_of(node)
            if module is None:
                continue
            names[node.id] = supernet._names[node.id]
            static = module.static() if hasattr(module, "static") else copy.deepcopy(module)
            root.add_module(names[node.id], static)
        gm = fx.GraphModule(root, subnet_graph(supernet.ir, arch, lambda n: names[n.id]), class_name="StaticSubnet")
        gm.train(supernet.training)
        return gm
    finally:
        if previous is not None:
            supernet.set_arch(previous)
