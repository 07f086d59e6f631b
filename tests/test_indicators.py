"""Indicators measured: each checked against an independent computation on a case whose answer is known
(NASWOT's kernel written out by hand, synflow's closed form and rescaling invariance, BatchNorm scales by hand,
accuracy and Monte-Carlo BatchNorm computed directly, the BN-NAS gamma by operator, MeCo's eigenvalues of
correlations chosen by hand), and determinism."""
from __future__ import annotations

import copy
import dataclasses
import math

import numpy as np
import pytest
import torch
from conftest import compile_text
from torch import nn

import fbndsl
from fbndsl import UserError
from fbndsl.data import load
from fbndsl.indicators import Indicator, IndicatorContext, measure, ranking
from fbndsl.indicators.gamma import gamma_indicator
from fbndsl.indicators.jacob_cov import K, input_jacobian, jacob_cov_score
from fbndsl.indicators.meco import meco_score, min_eigenvalue
from fbndsl.indicators.naswot import code_kernel, naswot_score, relu_kernel
from fbndsl.indicators.snip import snip_score
from fbndsl.indicators.synflow import synflow_score
from fbndsl.indicators.trainability import bn_scale, mean_bn_scale
from fbndsl.ir.graph import Origin, cond_holds
from fbndsl.ir.ops import OpKind
from fbndsl.lower import extract, lower, recalibrate_bn
from fbndsl.lower.modules import ElasticBatchNorm2d
from fbndsl.pipeline import as_written

E, T, U, R = Indicator.EXPRESSIVITY, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS
SMALL = dict(recal_batches=3, eval_images=48, mc_samples=3, batch_size=16, naswot_batch=8)
MIXED = "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|"


def trained_like(space, seed: int = 1):
    """A supernet whose BatchNorm affine parameters are far from their initial 1 and 0, as after BN-only training."""
    torch.manual_seed(seed)
    net = lower(space)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(-2, 2)
                m.bias.uniform_(-1, 1)
    return net


@pytest.fixture(scope="module")
def digits():
    return load("digits")


@pytest.fixture(scope="module")
def space():
    return fbndsl.compile("nb201", C=4, N=1)


@pytest.fixture(scope="module")
def ctx(space, digits):
    return IndicatorContext.build(space, trained_like(space), digits, seed=0, **SMALL)


# -- NASWOT ---------------------------------------------------------------------------------------------------
def test_naswot_on_a_hand_built_net():
    net = nn.Sequential(nn.Linear(2, 2, bias=False), nn.ReLU(), nn.Linear(2, 1, bias=False), nn.ReLU())
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(2))
        net[2].weight.copy_(torch.tensor([[1.0, -1.0]]))
    x = torch.tensor([[1.0, 2.0], [-1.0, 3.0], [2.0, -1.0], [-1.0, -1.0]])
    # Codes: the first ReLU sees x (its signs); the second relu(x) @ (1, -1) = -1, -3, 2, 0.
    codes = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 1], [0, 0, 0]])
    # K_ij = N_A - Hamming(c_i, c_j), N_A = 3, written out:
    k = np.array([[3, 2, 1, 1], [2, 3, 0, 2], [1, 0, 3, 1], [1, 2, 1, 3]])
    assert (codes @ codes.T + (1 - codes) @ (1 - codes).T == k).all()
    with relu_kernel(net) as acc, torch.no_grad():
        net(x)
    assert torch.equal(acc[0], torch.tensor(k, dtype=torch.float64))
    assert naswot_score(net, x) == pytest.approx(math.log(12), abs=1e-12)  # det K = 12


def test_code_kernel_matches_numpy():
    codes = torch.rand(6, 3, 5, 5, generator=torch.Generator().manual_seed(0)) > 0.5
    c = codes.flatten(1).numpy().astype(np.int64)
    assert np.array_equal(code_kernel(codes).numpy(), c @ c.T + (1 - c) @ (1 - c).T)


def test_naswot_is_measured_at_initialisation(ctx, space):
    arch = space.parse_arch(MIXED)
    got = measure(ctx, arch, [Indicator.NASWOT])[Indicator.NASWOT]
    torch.manual_seed(ctx.seed)  # the untrained network as written, as `fbndsl train` initialises it for this seed
    fresh = lower(as_written(space))
    fresh.set_arch(arch)
    assert got == pytest.approx(naswot_score(fresh, ctx.naswot_images), abs=1e-9)
    assert math.isfinite(got) and got > 0


# -- synflow -------------------------------------------------------------------------------------------------
def test_synflow_of_a_linear_chain_by_hand():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU(), nn.Linear(4, 2, bias=False))
    w1, w2 = (net[i].weight.detach().double().abs() for i in (0, 2))
    flow = float(torch.ones(2, dtype=torch.float64) @ w2 @ w1 @ torch.ones(3, dtype=torch.float64))
    # R = 1 |W2| |W1| 1, and sum |w dR/dw| over either layer is R again: two layers give 2R.
    assert synflow_score(net, (3,)) == pytest.approx(2 * flow, rel=1e-12)
    assert net[0].weight.min() < 0  # the model itself is left untouched


def _conv_chain(bn: bool) -> nn.Module:
    torch.manual_seed(0)
    layers = [nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.ReLU(), nn.Conv2d(4, 5, 3, padding=1, bias=False)]
    if bn:
        layers.insert(1, nn.BatchNorm2d(4))
        with torch.no_grad():
            layers[1].weight.fill_(7.0)
    return nn.Sequential(*layers, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(5, 2, bias=False))


def test_synflow_is_invariant_to_rescaling_and_ignores_batchnorm():
    net = _conv_chain(bn=False).double()  # rescaled in float64, so that the test sees no float32 rounding
    base = synflow_score(net, (3, 6, 6))
    with torch.no_grad():
        net[0].weight.mul_(3.7)
        net[2].weight.div_(3.7)
    assert synflow_score(net, (3, 6, 6)) == pytest.approx(base, rel=1e-12)
    assert synflow_score(_conv_chain(bn=True), (3, 6, 6)) == pytest.approx(base, rel=1e-12)


def test_synflow_reads_relu6_as_relu():
    # Synflow's all-ones input through absolute weights drives every activation far above 6: ReLU6 would clamp
    # them all, and the score would no longer see the layers before the clamp.
    clamped = _conv_chain(bn=False)
    clamped[1], clamped[3] = nn.ReLU6(), nn.ReLU6()
    with torch.no_grad():
        clamped[0].weight.mul_(100.0)  # activations after the first conv: hundreds, well past the clamp
    plain = copy.deepcopy(clamped)
    plain[1], plain[3] = nn.ReLU(), nn.ReLU()
    assert synflow_score(clamped, (3, 6, 6)) == pytest.approx(synflow_score(plain, (3, 6, 6)), rel=1e-12)
    assert isinstance(clamped[1], nn.ReLU6)  # the model itself is left untouched


def test_synflow_tells_mobilenet_architectures_apart():
    import fbndsl

    space = fbndsl.compile("mobilenet", classes=10, resolution=32)
    torch.manual_seed(0)
    net = lower(space)
    scores = {synflow_score(extract(net, space.sample(seed)), (3, 32, 32)) for seed in range(3)}
    assert len(scores) == 3  # with ReLU6 clamping, all three were 1247.93...


def test_synflow_is_measured_at_initialisation(ctx, space):
    arch = space.parse_arch(MIXED)
    torch.manual_seed(ctx.seed)
    fresh = lower(space)
    expected = synflow_score(extract(fresh, arch), (3, 32, 32))
    assert measure(ctx, arch, [Indicator.SYNFLOW])[Indicator.SYNFLOW] == pytest.approx(expected, rel=1e-12)


# -- trainability ---------------------------------------------------------------------------------------------
def test_bn_scale_by_hand():
    bn = ElasticBatchNorm2d(5)
    bn.configure(3)  # channels 3 and 4 are not active: their huge gamma must not count
    plain = nn.BatchNorm2d(1)
    dead = nn.BatchNorm2d(2)
    with torch.no_grad():
        bn.weight.copy_(torch.tensor([2.0, -3.0, 50.0, 100.0, 100.0]))
        bn.running_var.copy_(torch.tensor([3.0, 8.0, 0.0, 1.0, 1.0]))  # channel 2 is constant: left out
        plain.weight.fill_(-0.5)
        plain.running_var.fill_(0.25)
        dead.running_var.zero_()
    first = (2 / math.sqrt(3 + 1e-5) + 3 / math.sqrt(8 + 1e-5)) / 2
    second = 0.5 / math.sqrt(0.25 + 1e-5)
    assert bn_scale(bn) == pytest.approx(first, rel=1e-12)
    assert mean_bn_scale([bn, plain, dead]) == pytest.approx((first + second) / 2, rel=1e-12)
    assert math.isnan(bn_scale(dead))
    assert mean_bn_scale([]) == math.inf and mean_bn_scale([dead]) == math.inf  # no live BatchNorm: the worst


def test_trainability_averages_the_subnets_batchnorms(ctx, space):
    arch = space.parse_arch(MIXED)
    got = measure(ctx, arch, [T])[T]  # leaves the supernet recalibrated for arch
    values = arch.as_dict()
    bns = [ctx.supernet.module_of(n) for n in space.ir.nodes if n.kind is OpKind.BN and cond_holds(n.cond, values)]
    assert len(bns) == 2 + 3 * 5 + 2 * 2  # stem and head, 5 BNs per cell (the none edge has none), 2 per reduction
    scales = [float((bn.weight.detach().abs() / torch.sqrt(bn.running_var + bn.eps)).mean()) for bn in bns]
    assert got == pytest.approx(sum(scales) / len(scales), rel=1e-6)


def test_trainability_leaves_out_dead_branches(ctx, space):
    # n1 = none(n0) is all zeros, so the fairness BatchNorm of the edge skip(n1) -> n2 sees a constant input
    arch = space.parse_arch("|none~0|+|nor_conv_3x3~0|skip_connect~1|+|nor_conv_3x3~0|none~1|skip_connect~2|")
    got = measure(ctx, arch, [T])[T]
    values = arch.as_dict()
    bns = [ctx.supernet.module_of(n) for n in space.ir.nodes if n.kind is OpKind.BN and cond_holds(n.cond, values)]
    live = [bn for bn in bns if bool((bn.running_var > 0).all())]
    assert 0 < len(live) < len(bns)
    assert all(bool((bn.running_var == 0).all()) for bn in bns if bn not in live)
    scales = [float((bn.weight.detach().abs() / torch.sqrt(bn.running_var + bn.eps)).mean()) for bn in live]
    assert got == pytest.approx(sum(scales) / len(scales), rel=1e-6)


def test_a_network_ignoring_its_input_ranks_last_by_trainability(ctx, space):
    # every edge from the cell's input is 'none': the cell's output, hence the network's, is a constant, and
    # no BatchNorm lies on a path from the input to the output
    ignoring = space.parse_arch("|none~0|+|none~0|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|skip_connect~2|")
    assert not space.reads_input(ignoring)
    pool = [ignoring, space.parse_arch(MIXED), space.sample(3), space.sample(5)]
    records = [measure(ctx, a, [T]) for a in pool]
    assert records[0][T] == math.inf and all(math.isfinite(r[T]) for r in records[1:])
    assert ranking.order(records, T)[-1] == 0
    assert not T.higher_is_better  # FBN-NAS Eq. 6: a smaller gamma / sigma is a flatter landscape


# -- expressivity and uncertainty -------------------------------------------------------------------------------
def test_held_out_images_are_the_first_test_images(ctx, digits):
    images, labels = ctx.held_out
    assert len(labels) == 48
    assert labels.tolist() == [digits.test[i][1] for i in range(48)]
    assert torch.equal(images[5], digits.test[5][0])


def test_expressivity_is_the_accuracy_computed_directly(ctx, space):
    arch = space.sample(3)
    got = measure(ctx, arch, [E])[E]
    net = ctx.supernet
    recalibrate_bn(net, list(ctx.recal), arch=arch)
    net.eval()
    with torch.no_grad():
        predicted = net(ctx.held_out[0]).argmax(dim=1)
    assert got == (predicted == ctx.held_out[1]).double().mean().item()


def test_uncertainty_is_monte_carlo_batchnorm(ctx, space):
    arch = space.parse_arch(MIXED)
    got = measure(ctx, arch, [U])[U]
    net, probs = ctx.supernet, []
    for t in ctx.mc_batches:  # each pass: one training batch's statistics, then held-out images in eval mode
        recalibrate_bn(net, [ctx.recal[t]], arch=arch)
        net.eval()
        with torch.no_grad():
            probs.append(torch.softmax(net(ctx.held_out[0]), dim=1).double())
    p = torch.stack(probs)
    expected = ((p - p.mean(dim=0)) ** 2).mean(dim=0).sum(dim=1).mean().item()
    assert got > 1e-6
    assert got == pytest.approx(expected, rel=1e-4)


def test_uncertainty_is_zero_when_every_batch_has_the_same_statistics(ctx, space):
    same = dataclasses.replace(ctx, recal=(ctx.recal[0],) * 3)
    assert measure(same, space.parse_arch(MIXED), [U])[U] == pytest.approx(0.0, abs=1e-12)


def test_uncertainty_of_a_network_that_ignores_its_input_is_the_worst(ctx, space):
    # n3 reads n0 and n1 through 'none' only, n2 is never used: every image gets the same prediction, so the
    # Monte-Carlo variance is 0 there, the best score, unless the indicator knows the network is constant
    constant = space.parse_arch("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|none~2|")
    assert not space.reads_input(constant)
    assert measure(ctx, constant, [U])[U] == math.inf
    assert measure(ctx, constant, [T])[T] == math.inf
    records = [measure(ctx, a, [T, U, R]) for a in (constant, space.parse_arch(MIXED))]
    assert all(math.isfinite(r[R]) for r in records) and records[0][R] != records[1][R]
    # trainability and uncertainty rank the constant network 2nd of 2; regions (higher better) 1st or 2nd
    regions_rank = 1 if records[0][R] > records[1][R] else 2
    cpi = ranking.scores(records, Indicator.CPI)  # mean rank: lower is better
    assert cpi == pytest.approx([(2 + 2 + regions_rank) / 3, (1 + 1 + 3 - regions_rank) / 3], abs=1e-12)
    assert cpi[0] > cpi[1]


def test_a_supernet_keeping_no_running_statistics_is_measured_alike(ctx, space):
    arch = space.parse_arch(MIXED)
    expected = measure(ctx, arch, [E, U])
    bns = [m for m in ctx.supernet.modules() if isinstance(m, nn.BatchNorm2d)]
    for bn in bns:
        bn.track_running_stats = False  # as single-stage (BigNAS) training leaves them
    try:
        assert measure(ctx, arch, [E, U]) == expected
        assert not any(bn.track_running_stats for bn in bns)
    finally:
        for bn in bns:
            bn.track_running_stats = True


# -- regions: NASWOT on the trained supernet -----------------------------------------------------------------
def _bn_buffers(net):
    return {k: v.clone() for k, v in net.state_dict().items() if "running" in k or "num_batches" in k}


def test_regions_is_naswot_on_the_trained_supernet(ctx, space):
    arch = space.parse_arch(MIXED)
    got = measure(ctx, arch, [Indicator.REGIONS])[Indicator.REGIONS]
    net = ctx.supernet
    before = _bn_buffers(net)
    net.set_arch(arch)
    expected = naswot_score(net, ctx.naswot_images)  # train mode: the trained gammas and betas, batch statistics
    net.load_state_dict(before, strict=False)
    assert got == pytest.approx(expected, abs=1e-9)
    assert math.isfinite(got) and got != measure(ctx, arch, [Indicator.NASWOT])[Indicator.NASWOT]
    assert Indicator.REGIONS.needs_trained_supernet and Indicator.REGIONS.higher_is_better


def test_regions_leaves_the_other_indicators_and_batchnorm_state_alone(ctx, space):
    arch = space.parse_arch(MIXED)
    without = measure(ctx, arch, [E, U])
    state = _bn_buffers(ctx.supernet)  # as the call left it: recalibrated for arch
    both = measure(ctx, arch, [E, U, Indicator.REGIONS])
    assert {i: both[i] for i in (E, U)} == without
    after = _bn_buffers(ctx.supernet)
    assert all(torch.equal(after[k], state[k]) for k in state)


# -- jacob_cov and SNIP ----------------------------------------------------------------------------------------
def test_jacob_cov_of_a_linear_network_by_hand():
    torch.manual_seed(0)
    net = nn.Linear(5, 3)
    x = torch.randn(4, 5)
    jac = input_jacobian(net, x)  # d sum(Wx + b) / dx = W^T 1, the same row for every image
    assert torch.allclose(jac, net.weight.sum(dim=0).expand(4, 5))
    # corrcoef: all ones, eigenvalues 0 (three times) and 4
    expected = -(3 * (math.log(K) + 1 / K) + math.log(4 + K) + 1 / (4 + K))
    assert jacob_cov_score(jac) == pytest.approx(expected, rel=1e-9)
    assert net.weight.grad is None and x.grad is None


def test_jacob_cov_of_correlated_rows_and_constant_rows():
    # centred, the rows are (-1, 0, 1) and (-1, 1, 0): correlation 1 / 2, eigenvalues 1/2 and 3/2
    jac = torch.tensor([[1.0, 2.0, 3.0], [1.0, 3.0, 2.0]])
    expected = -sum(math.log(v + K) + 1 / (v + K) for v in (0.5, 1.5))
    assert jacob_cov_score(jac) == pytest.approx(expected, rel=1e-12)
    assert jacob_cov_score(torch.tensor([[1.0, 2.0, 3.0], [5.0, 5.0, 5.0]])) == -math.inf
    assert jacob_cov_score(None) == -math.inf


def test_snip_of_a_linear_model_by_hand():
    torch.manual_seed(0)
    net = nn.Linear(3, 2)
    x, y = torch.randn(4, 3), torch.tensor([0, 1, 1, 0])
    p = torch.softmax(x @ net.weight.detach().T + net.bias.detach(), dim=1)
    grad = (p - nn.functional.one_hot(y, 2)).T @ x / 4  # d mean cross-entropy / dW
    expected = float((net.weight.detach() * grad).abs().sum())
    assert snip_score(net, x, y) == pytest.approx(expected, rel=1e-6)
    assert net.weight.grad is None and net.bias.grad is None


def test_jacob_cov_and_snip_on_nb201(digits):
    space = fbndsl.compile("nb201", C=8, N=1)
    ctx = IndicatorContext.build(space, None, digits, seed=0, **SMALL)
    state, rng = _bn_buffers(ctx.init_net), torch.random.get_rng_state()
    got = measure(ctx, MIXED, [Indicator.JACOB_COV, Indicator.SNIP])
    assert all(math.isfinite(v) for v in got.values()) and got[Indicator.SNIP] > 0
    assert all(p.grad is None for p in ctx.init_net.parameters())
    assert all(torch.equal(v, state[k]) for k, v in _bn_buffers(ctx.init_net).items())
    assert torch.equal(torch.random.get_rng_state(), rng)
    ignoring = "|none~0|+|none~0|nor_conv_3x3~1|+|none~0|nor_conv_3x3~1|skip_connect~2|"
    assert measure(ctx, ignoring, [Indicator.JACOB_COV])[Indicator.JACOB_COV] == -math.inf


def _channels(*rows) -> torch.Tensor:
    """A 1-image feature map (C x 2 x 2) whose channels are `rows` (4 values each)."""
    return torch.tensor(np.array(rows, dtype=np.float64)).reshape(len(rows), 2, 2)


def test_meco_least_eigenvalue_of_channel_correlations_by_hand():
    # Two channels of correlation r: eigenvalues 1 - |r| and 1 + |r|.
    assert min_eigenvalue(_channels([1, -1, 1, -1], [1, 1, -1, -1])) == pytest.approx(1.0)  # uncorrelated
    assert min_eigenvalue(_channels([1, 2, 3, 4], [2, 4, 6, 8])) == pytest.approx(0.0, abs=1e-12)  # r = 1
    assert min_eigenvalue(_channels([1, 2, 3, 4], [-1, -2, -3, -4])) == pytest.approx(0.0, abs=1e-12)  # r = -1
    a, b = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 5])
    r = np.corrcoef(a, b)[0, 1]
    assert min_eigenvalue(_channels(a, b)) == pytest.approx(1 - abs(r))
    # A constant channel has no correlation: its entries are 0, so the matrix is diag(1, 0).
    assert min_eigenvalue(_channels([1, 2, 3, 4], [5, 5, 5, 5])) == pytest.approx(0.0, abs=1e-12)


def test_meco_sums_over_layers_that_give_feature_maps():
    x = torch.stack([_channels([1, 2, 3, 4], [1, 3, 2, 5]), _channels([4, 3, 2, 1], [0, 1, 0, 1])]).float()
    per_layer = min_eigenvalue(x[0])  # MeCo reads the first image
    two = nn.Sequential(nn.Identity(), nn.Sequential(nn.Identity()))  # two leaf layers, containers not counted
    assert meco_score(two, x) == pytest.approx(2 * per_layer)
    # A map of one position (global pooling) or of one channel has no correlation matrix: it adds nothing.
    pooled = nn.Sequential(nn.Identity(), nn.AdaptiveAvgPool2d(1), nn.Conv2d(2, 1, 1))
    assert meco_score(pooled, x) == pytest.approx(per_layer)


def test_meco_on_nb201_leaves_no_trace(digits):
    space = fbndsl.compile("nb201", C=8, N=1)
    ctx = IndicatorContext.build(space, None, digits, seed=0, **SMALL)
    state = _bn_buffers(ctx.init_net)
    got = measure(ctx, MIXED, [Indicator.MECO])[Indicator.MECO]
    assert math.isfinite(got) and got > 0 and got == measure(ctx, MIXED, [Indicator.MECO])[Indicator.MECO]
    assert all(torch.equal(v, state[k]) for k, v in _bn_buffers(ctx.init_net).items())
    # Every cell edge `none`: the cells output zeros, whose channels are constant, so only the stem's and the
    # reductions' layers add anything.
    empty = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    assert measure(ctx, empty, [Indicator.MECO])[Indicator.MECO] < got


def test_naswot_labels_come_with_the_unchanged_naswot_images(ctx, digits):
    from fbndsl.data.seeding import mix
    from fbndsl.indicators.context import NASWOT_STREAM, train_batches

    images = train_batches(digits, SMALL["naswot_batch"], mix(0, NASWOT_STREAM), 1)[0]
    assert torch.equal(ctx.naswot_images, images)
    assert ctx.naswot_labels.dtype == torch.int64 and len(ctx.naswot_labels) == len(images)


# -- gamma (BN-NAS) -------------------------------------------------------------------------------------------
def _set_gammas(space):
    """conv 3x3 BatchNorms gamma -2, fairness BatchNorms after skip 3 and after pooling 5, all others 1."""
    net = lower(space)
    with torch.no_grad():
        for node, module in net.named_ops():
            if node.kind is not OpKind.BN:
                continue
            value = 1.0
            if node.scope.endswith(".nor_conv_3x3"):
                value = -2.0
            elif node.origin is Origin.FAIRNESS:
                value = 3.0 if ".skip_connect." in node.scope else 5.0
            module.weight.fill_(value)
    return net


@pytest.mark.parametrize("fairness, mixed", [("insert", (2 + 3 + 5 + 0 + 1 + 2) / 6),
                                             ("off", (2 + 0 + 0 + 0 + 1 + 2) / 6)])
def test_gamma_picks_the_batchnorm_after_each_chosen_operator(fairness, mixed):
    space = fbndsl.compile("nb201", C=4, N=1, fairness=fairness)
    net = _set_gammas(space)
    uniform = {op: space.parse_arch(f"|{op}~0|+|{op}~0|{op}~1|+|{op}~0|{op}~1|{op}~2|")
               for op in ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")}
    fair = fairness == "insert"
    expected = {"none": 0.0, "skip_connect": 3.0 if fair else 0.0, "nor_conv_1x1": 1.0, "nor_conv_3x3": 2.0,
                "avg_pool_3x3": 5.0 if fair else 0.0}
    for op, arch in uniform.items():
        assert gamma_indicator(net, arch, []) == pytest.approx(expected[op]), op
    assert gamma_indicator(net, space.parse_arch(MIXED), []) == pytest.approx(mixed)


def test_gamma_without_operator_choices_is_the_mean_over_batchnorms(digits):
    space = compile_text("network t { input(3, 32)  a: conv(out in {4, 8}, k = 3) -> bn -> relu"
                         "  b: conv(8, 3) -> bn  head: global_pool -> linear(10) }")
    net = lower(space)
    bns = [m for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        bns[0].weight.copy_(torch.tensor([1.0, -2.0, 3.0, 4.0, 99.0, 99.0, 99.0, 99.0]))
        bns[1].weight.fill_(-0.5)
    ctx = IndicatorContext.build(space, net, digits, **SMALL)
    got = measure(ctx, {"a.out": 4}, [Indicator.GAMMA])[Indicator.GAMMA]
    assert got == pytest.approx(((1 + 2 + 3 + 4) / 4 + 0.5) / 2)


# -- the API: dispatch, errors, determinism -----------------------------------------------------------------------
def test_structural_indicators_read_the_architecture_alone(ctx, space):
    got = measure(ctx, MIXED, ["params", Indicator.MACS, "min_depth", "min_mixing"])
    cost = space.cost(space.parse_arch(MIXED))
    # the shortest path: the stem's convolution; in each of the three cells the skip to node 2, then its 3x3 to
    # the output (the input-output edge is 'none'); r1's and r2's 1x1 shortcuts; the head's linear layer
    depth = 1 + 3 * 1 + 2 + 1
    # the same path with its pooling: the shortcuts' average poolings and the head's global pooling
    mixing = depth + 2 + 1
    assert got == {Indicator.PARAMS: cost.params, Indicator.MACS: cost.macs, Indicator.MIN_DEPTH: depth,
                   Indicator.MIN_MIXING: mixing}
    assert [i.value for i in Indicator if i.structural] == ["params", "macs", "min_depth", "min_mixing"]


def test_the_network_at_initialisation_is_the_architecture_as_written(ctx, space, digits):
    """The zero-cost proxies read the architecture as written: without the BatchNorms the fairness pass inserts
    after skips and pooling to train a supernet, with the supernet's initial weights."""
    assert space.fairness.inserted and not ctx.init_net.space.fairness.inserted
    torch.manual_seed(0)
    weights = lambda net: [w for w in net.state_dict().values() if w.dim() > 1]  # conv and linear, in order
    fair, written = weights(lower(space)), weights(ctx.init_net)
    assert len(written) == len(fair) and all(torch.equal(a, b) for a, b in zip(written, fair))
    off = fbndsl.compile("nb201", C=4, N=1, fairness="off")
    by_hand = IndicatorContext.build(off, None, digits, seed=0, **SMALL)
    zero_cost = [Indicator.MECO, Indicator.NASWOT, Indicator.JACOB_COV, Indicator.PROGRESSIVITY]
    assert measure(ctx, MIXED, zero_cost) == measure(by_hand, MIXED, zero_cost)


def test_cpi_measures_its_three_components_only(ctx, space):
    assert list(measure(ctx, space.sample(0), [Indicator.CPI])) == [T, U, R]


def test_without_a_trained_supernet(space, digits, ctx):
    bare = IndicatorContext.build(space, None, digits, seed=0, **SMALL)
    with pytest.raises(UserError, match="^indicator 'cpi' needs a trained supernet; without one only naswot, "
                                        "synflow, jacob_cov, snip, meco, isotropy, progressivity, params, "
                                        "macs, min_depth, min_mixing can be measured$"):
        measure(bare, space.sample(0), [Indicator.NASWOT, Indicator.CPI])
    untrained = [Indicator.NASWOT, Indicator.SYNFLOW, Indicator.JACOB_COV, Indicator.SNIP, Indicator.MECO,
                 Indicator.ISOTROPY, Indicator.PROGRESSIVITY, Indicator.PARAMS, Indicator.MACS, Indicator.MIN_DEPTH,
                 Indicator.MIN_MIXING]
    assert measure(bare, MIXED, untrained) == measure(ctx, MIXED, untrained)


def test_bad_settings_are_user_errors(space, digits):
    with pytest.raises(UserError, match="^mc_samples must be an integer of at least 2, not 1$"):
        IndicatorContext.build(space, None, digits, mc_samples=1)
    with pytest.raises(UserError, match="^batch_size 5000 is larger than the training set of digits"):
        IndicatorContext.build(space, None, digits, batch_size=5000)


def test_measure_is_deterministic_for_a_seed(space, digits, ctx):
    a, b = space.parse_arch(MIXED), space.sample(7)
    first = measure(ctx, a, list(Indicator))
    measure(ctx, b, list(Indicator))  # what was measured before does not matter
    assert measure(ctx, a, list(Indicator)) == first
    again = IndicatorContext.build(space, trained_like(space), digits, seed=0, **SMALL)
    assert measure(again, a, list(Indicator)) == first
    other = IndicatorContext.build(space, trained_like(space), digits, seed=1, **SMALL)
    changed = measure(other, a, list(Indicator))
    assert changed[Indicator.NASWOT] != first[Indicator.NASWOT] and changed[U] != first[U]
    assert all(math.isfinite(v) for v in first.values())
