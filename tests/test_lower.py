"""Lowering: the supernet selects subnets, and `extract` gives a static subnet that computes the same
function, has exactly the front end's parameter count, and FlopCounterMode's MAC count."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from conftest import SPACES, compile_text, shipped  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.ir.graph import cond_holds  # noqa: E402
from fbndsl.ir.ops import OpKind  # noqa: E402
from fbndsl.ir.subnet import subnet  # noqa: E402
from fbndsl.lower import extract, lower, recalibrate_bn  # noqa: E402
from fbndsl.lower.batchnorm import batchnorms, state_kept, tracking  # noqa: E402
from fbndsl.lower.modules import ElasticBatchNorm2d  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference.counting import count  # noqa: E402

ARCHS_PER_SPACE = 20
_NETS = {}


def supernet(name):
    if name not in _NETS:
        torch.manual_seed(0)
        net = lower(fbndsl.compile(SPACES / f"{name}.nas"))
        _randomise_bn(net)
        _NETS[name] = net.eval()
    return _NETS[name]


def _randomise_bn(net):
    """Non-trivial statistics and affine parameters, so parity is not checked on identity BNs."""
    g = torch.Generator().manual_seed(1)
    for m in net.modules():
        if isinstance(m, ElasticBatchNorm2d):
            with torch.no_grad():
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
                if m.affine:
                    m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)


def _input(net, batch=2):
    c, h, w = net.input_shape()
    return torch.randn(batch, c, h, w, generator=torch.Generator().manual_seed(2))


@pytest.mark.parametrize("name", [p.stem for p in shipped()])
def test_extracted_subnet_equals_supernet_for_20_archs(name):
    net = supernet(name)
    space = net.space
    seeds = range(ARCHS_PER_SPACE if space.size > 1 else 1)
    with torch.no_grad():
        for seed in seeds:
            arch = space.sample(seed)
            net.set_arch(arch)
            x = _input(net)
            y = net(x)
            static = extract(net, arch).eval()
            assert (static(x) - y).abs().max().item() <= 1e-6, (name, arch.text())
            n_params = sum(p.numel() for p in static.parameters())
            assert n_params == space.cost(arch).params_with_fairness_bn
            assert not any(type(m).__name__.startswith("Elastic") for m in static.modules())


@pytest.mark.parametrize("name", [p.stem for p in shipped()])
def test_flop_counter_agrees_with_cost_model(name):
    net = supernet(name)
    space = net.space
    for seed in range(3 if space.size > 1 else 1):
        arch = space.sample(seed)
        net.set_arch(arch)
        static = extract(net, arch)
        macs, params = count(static, (1, *net.input_shape()))
        cost = space.cost(arch)
        assert macs == cost.macs
        assert params == cost.params_with_fairness_bn


def test_unchosen_branches_are_not_in_the_graph():
    net = supernet("nb201")
    arch = net.space.parse_arch("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    gm = net.graph_module(arch)
    called = {n.target for n in gm.graph.nodes if n.op == "call_module"}
    assert not any("nor_conv" in t or "avg_pool" in t for t in called)
    biggest = net.graph_module(net.space.max_arch())
    assert len(gm.graph.nodes) < len(biggest.graph.nodes) / 2


def test_weight_sharing_kernel_centre_and_lower_channels():
    s = compile_text("network { input(4, 8)  l: conv(out in {4, 8}, k in {3, 5}) }")
    net = lower(s)
    conv = net.module_of(next(n for n in s.ir.nodes if n.kind.value == "conv"))
    assert tuple(conv.weight.shape) == (8, 4, 5, 5)
    net.set_arch({"l.out": 4, "l.k": 3})
    static = extract(net).eval()
    w = next(m for m in static.modules() if isinstance(m, torch.nn.Conv2d)).weight
    assert torch.equal(w, conv.weight[:4, :, 1:4, 1:4])


def test_recalibration_is_a_cumulative_average():
    s = compile_text("network { input(3, 4)  l: conv(2, 1) -> bn }")
    net = lower(s)
    bn = next(m for m in net.modules() if isinstance(m, ElasticBatchNorm2d))
    batches = [torch.randn(4, 3, 4, 4, generator=torch.Generator().manual_seed(i)) for i in range(3)]
    n = recalibrate_bn(net, batches)
    conv = extract(net).eval()
    with torch.no_grad():
        feats = [next(m for m in conv.modules() if isinstance(m, torch.nn.Conv2d))(b) for b in batches]
    means = torch.stack([f.mean(dim=(0, 2, 3)) for f in feats]).mean(0)
    assert n == 3 and torch.allclose(bn.running_mean, means, atol=1e-6)
    assert bn.momentum == 0.1  # restored


def test_subnet_resolves_aliases_and_leaves_zeros_out_of_sums():
    space = supernet("nb201").space
    arch = space.parse_arch("|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|none~2|")
    found = subnet(space.ir, arch)
    kept = {n.id: n for n in found.nodes}
    active = {n.id for n in space.ir.nodes if cond_holds(n.cond, arch.as_dict())}
    assert active == set(kept) | set(found.alias) and not set(kept) & set(found.alias)
    assert not any(n.kind in (OpKind.SELECT, OpKind.IDENTITY) for n in found.nodes)
    assert all(i in kept for reads in found.inputs.values() for i in reads) and found.output in kept
    assert found.zeros == {i for i, n in kept.items() if n.kind is OpKind.ZERO} != set()
    sums = [n for n in found.nodes if n.kind is OpKind.ADD]
    assert sums and all(len(found.inputs[n.id]) > 1 and not set(found.inputs[n.id]) & found.zeros for n in sums)
    assert found.live() <= set(kept) and not found.zeros <= found.live()  # a dead 'none' is kept but not live


def test_batchnorm_state_kept_and_tracking_put_everything_back():
    net = lower(compile_text("network { input(3, 4)  l: conv(2, 1) -> bn }"))
    bn, = batchnorms(net)
    bn.track_running_stats = False
    before = {k: b.clone() for k, b in bn.named_buffers()}
    with tracking(net):
        assert bn.track_running_stats
        with state_kept([bn]):
            recalibrate_bn(net, [torch.randn(4, 3, 4, 4)])
            bn.momentum = 0.5
            assert not torch.equal(bn.running_mean, before["running_mean"])
        assert all(torch.equal(b, before[k]) for k, b in bn.named_buffers()) and bn.momentum == 0.1
    assert not bn.track_running_stats
