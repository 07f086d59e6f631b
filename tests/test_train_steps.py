"""The training techniques one step at a time: bn-only freezing, zero-init, distillation, regularising only
the largest child, resolution handling, and no BatchNorm running statistics in single-stage training."""
from __future__ import annotations

import dataclasses
import random

import pytest

torch = pytest.importorskip("torch")

from conftest import compile_text  # noqa: E402

from fbndsl.data import ImageDataset, load  # noqa: E402
from fbndsl.ir.graph import Origin  # noqa: E402
from fbndsl.ir.ops import OpKind  # noqa: E402
from fbndsl.lower import lower  # noqa: E402
from fbndsl.lower.modules import ElasticBatchNorm2d, ElasticMBConv  # noqa: E402
from fbndsl.train import TrainConfig, losses, step, train  # noqa: E402
from fbndsl.train.bn import zero_init_residuals  # noqa: E402
from fbndsl.train.regularise import decayed_weights, dropout_modules  # noqa: E402
from fbndsl.train.sampling import FairSampler, SandwichSampler  # noqa: E402
from fbndsl.train.setup import build_supernet, make_optimizer  # noqa: E402

# Elastic resolution, width, depth and kernel; mbconvs with and without a skip connection; a residual(...)
# block; an operator choice whose pooling candidate gets a fairness BatchNorm; dropout before the classifier.
TINY = """
network tiny {
  input(3, resolution in {16, 24})
  stem: conv(out in {4, 8}, k = 3, stride = 2) -> bn -> relu
  stage s(c in {4, 8}) { repeat depth in {1..2} as i: mbconv(c, k in {3, 5}, e = 2, res = i > 0) }
  mix: conv(8, 1) -> bn
  blk: residual(conv(8, 3) -> bn -> relu -> conv(8, 3) -> bn)
  l: choose(conv: conv(8, 3) -> bn, pool: avg_pool(3), none: zero)
  head: global_pool -> dropout(0.5) -> linear(10)
}
"""


def tiny_space(name: str = "tiny.nas"):
    return compile_text(TINY, name=name)


_DIGITS = {}


def small_data(n_train: int = 96, n_test: int = 64):
    """The built-in digits, cut to a few batches (so that tests cross epoch boundaries quickly)."""
    if "full" not in _DIGITS:
        _DIGITS["full"] = load("digits", seed=0)
    d = _DIGITS["full"]

    def cut(ds, n):
        return ImageDataset(ds.images[:n], ds.labels[:n], ds.mean, ds.std, ds.augment)

    return dataclasses.replace(d, train=cut(d.train, n_train), test=cut(d.test, n_test))


def batch(n: int = 8, res: int = 32, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, res, res, generator=g), torch.randint(0, 10, (n,), generator=g)


# -- bn-only ---------------------------------------------------------------------------------------------
def test_bn_only_step_moves_only_batchnorm_affine_parameters():
    space = tiny_space()
    cfg = TrainConfig(mode="bn-only", sampler="fair", device="cpu")
    net, params = build_supernet(space, cfg, torch.device("cpu"))
    before = {n: p.detach().clone() for n, p in net.named_parameters()}
    bn_params = {id(p) for m in net.modules() if isinstance(m, torch.nn.BatchNorm2d) for p in (m.weight, m.bias)}
    assert {id(p) for p in params} == bn_params
    # the fairness BatchNorm and those inside every mbconv are trained too
    fair = [n for n in space.ir.nodes if n.origin is Origin.FAIRNESS]
    assert fair and all(net.module_of(n).weight.requires_grad for n in fair)
    mb = [m for m in net.modules() if isinstance(m, ElasticMBConv)]
    assert mb and all(b.weight.requires_grad for m in mb for b in (m.bn1, m.bn2, m.bn3))
    opt = make_optimizer(params, cfg)
    x, y = batch()
    step.single_path_step(net, FairSampler(space, random.Random(0)).draw(), x, y)
    opt.step()
    for name, p in net.named_parameters():
        if id(p) in bn_params:
            assert p.requires_grad
        else:
            assert not p.requires_grad and p.grad is None, name
            assert torch.equal(p, before[name]), name
    conv = next(m for m in net.modules() if hasattr(m, "weight") and m.weight.dim() == 4)
    assert conv.weight.grad is None
    moved = [n for n, p in net.named_parameters() if id(p) in bn_params and not torch.equal(p, before[n])]
    assert len(moved) > 10


# -- zero-init -------------------------------------------------------------------------------------------
def test_zero_init_hits_every_residual_block_and_nothing_else():
    space = tiny_space()
    net = lower(space)
    zeroed = set(zero_init_residuals(net))
    mbconvs = {n.scope: m for n, m in net.named_ops() if n.kind is OpKind.MBCONV}
    assert torch.count_nonzero(mbconvs["s.1"].bn3.weight) == 0      # res = true: a residual block
    assert torch.count_nonzero(mbconvs["s.0"].bn3.weight) == 8      # res = false: untouched
    add = next(n for n in space.ir.nodes if n.kind is OpKind.ADD and n.attr.get("residual"))
    body = space.ir.node(add.inputs[1])
    assert body.kind is OpKind.BN and torch.count_nonzero(net.module_of(body).weight) == 0
    first_bn = next(n for n in space.ir.nodes if n.kind is OpKind.BN and n.scope == "blk.b0")
    assert torch.all(net.module_of(first_bn).weight == 1)           # the body's first BN is not its last
    mix_bn = space.ir.node(add.inputs[0])                           # the block's input: the layer before
    assert torch.all(net.module_of(mix_bn).weight == 1)
    assert len(zeroed) == 2


def test_zero_init_of_automatic_mbconv_residuals():
    space = compile_text("""
network auto {
  input(3, 16)
  stem: conv(8, 3) -> bn
  a: mbconv(8, e = 2)
  b: mbconv(out in {8, 16}, e = 2)
  c: mbconv(16, e = 2, stride = 2)
  head: global_pool -> linear(10)
}""", name="auto_res.nas")
    net = lower(space)
    zero_init_residuals(net)
    gammas = {n.scope: m.bn3.weight for n, m in net.named_ops() if n.kind is OpKind.MBCONV}
    assert torch.count_nonzero(gammas["a"]) == 0          # always the same shape: residual
    assert torch.count_nonzero(gammas["b"]) == 0          # residual when out = 8
    assert torch.count_nonzero(gammas["c"]) == 16         # stride 2: never


# -- single-stage: distillation, regularisation, resolution -----------------------------------------------
def _single_stage(**kw):
    space = tiny_space()
    cfg = TrainConfig(mode="single-stage", device="cpu", weight_decay=1e-3, **kw)
    net, _ = build_supernet(space, cfg, torch.device("cpu"))
    children = SandwichSampler(space, random.Random(0), num_random=2).draw()
    return space, cfg, net, children


def test_distillation_only_the_largest_sees_labels_others_its_detached_probabilities(monkeypatch):
    space, cfg, net, children = _single_stage()
    calls, outputs = [], []
    net.register_forward_hook(lambda m, args, out: outputs.append(out))
    ce, soft = losses.cross_entropy, losses.soft_cross_entropy
    monkeypatch.setattr(losses, "cross_entropy", lambda lg, y: calls.append(("ce", lg, y)) or ce(lg, y))
    monkeypatch.setattr(losses, "soft_cross_entropy", lambda lg, p: calls.append(("soft", lg, p)) or soft(lg, p))
    x, y = batch(8, 32)
    step.sandwich_step(net, children, x, y, cfg, decayed_weights(net, children[0]), dropout_modules(net))
    assert [c[0] for c in calls] == ["ce", "soft", "soft", "soft"]
    assert calls[0][1] is outputs[0] and torch.equal(calls[0][2], y)
    teacher = torch.softmax(outputs[0].detach(), dim=1)
    for (_, logits, target), out in zip(calls[1:], outputs[1:]):
        assert logits is out and not target.requires_grad and torch.equal(target, teacher)
    calls.clear()
    step.sandwich_step(net, children, x, y, dataclasses.replace(cfg, distill=False), [], dropout_modules(net))
    assert [c[0] for c in calls] == ["ce"] * 4


def test_dropout_and_weight_decay_only_on_the_largest_child(monkeypatch):
    space, cfg, net, children = _single_stage()
    drops = dropout_modules(net)
    assert len(drops) == 1
    modes, penalties = [], []
    net.register_forward_pre_hook(lambda m, args: modes.append(drops[0].inner.training))
    l2 = losses.l2_penalty
    monkeypatch.setattr(losses, "l2_penalty", lambda w: penalties.append(len(modes)) or l2(w))
    decayed = decayed_weights(net, children[0])
    assert decayed and all(p.dim() > 1 for p in decayed)
    x, y = batch(8, 32)
    step.sandwich_step(net, children, x, y, cfg, decayed, drops)
    assert modes == [True, False, False, False]
    assert penalties == [1]  # once, while the largest child's loss is formed
    assert drops[0].training  # dropout is back on for whatever runs next


def test_l2_term_reaches_the_gradient_of_the_largest_child():
    space, cfg, net, children = _single_stage(distill=False, multires=False)
    decayed = decayed_weights(net, children[0])
    x, y = batch(8, 32)
    grads = {}
    for wd in (0.0, 0.5):
        net.zero_grad(set_to_none=True)
        torch.manual_seed(0)  # the same dropout mask both times
        step.sandwich_step(net, children[:1], x, y, dataclasses.replace(cfg, weight_decay=wd), decayed,
                           dropout_modules(net))
        grads[wd] = [p.grad.clone() for p in decayed]
    for p, g0, g1 in zip(decayed, grads[0.0], grads[0.5]):
        assert torch.allclose(g1 - g0, 0.5 * p.detach(), atol=1e-6)


def test_each_child_gets_its_resolution_from_the_largest_childs_batch():
    space, cfg, net, children = _single_stage()
    seen = []
    net.register_forward_pre_hook(lambda m, args: seen.append(args[0]))
    x, y = batch(8, 32)
    step.sandwich_step(net, children, x, y, cfg, [], dropout_modules(net))
    for arch, inp in zip(children, seen):
        assert tuple(inp.shape[1:]) == net.input_shape(arch)
    big = torch.nn.functional.interpolate(x, size=(24, 24), mode="bicubic", align_corners=False, antialias=False)
    assert torch.equal(seen[0], big)                  # the largest child: resolution 24
    small = torch.nn.functional.interpolate(big, size=(16, 16), mode="bicubic", align_corners=False, antialias=False)
    assert torch.equal(seen[1], small)                # the smallest: the same patch, resized again
    assert step.at_resolution(big, net, children[0]) is big     # no resize when the size is right


def test_single_stage_training_keeps_no_running_statistics(tmp_path, monkeypatch):
    import fbndsl.train.loop as loop

    nets, checks = [], []
    build = loop.build_supernet
    monkeypatch.setattr(loop, "build_supernet", lambda *a, **k: nets.append(build(*a, **k)) or nets[-1])

    def inspect(_step):
        bns = [m for m in nets[0][0].modules() if isinstance(m, ElasticBatchNorm2d)]
        checks.append(all(not b.track_running_stats for b in bns)
                      and all(torch.all(b.running_mean == 0) and torch.all(b.running_var == 1) for b in bns))

    cfg = TrainConfig(mode="single-stage", epochs=1, steps=2, batch_size=16, device="cpu", quiet=True,
                      recal_batches=2)
    result = train(tiny_space(), cfg, small_data(), tmp_path / "run", on_step=inspect)
    assert checks == [True, True]
    bns = [m for m in result.supernet.modules() if isinstance(m, ElasticBatchNorm2d)]
    assert all(b.track_running_stats for b in bns)  # recalibrated for the evaluations, then kept
    assert any(not torch.all(b.running_mean == 0) for b in bns)
    assert [e["role"] for e in result.evals] == ["largest", "smallest"]
    assert all(e["recal_batches"] == 2 for e in result.evals)
