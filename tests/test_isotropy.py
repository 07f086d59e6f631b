"""Isotropy and progressivity, AZ-NAS' expressivity and progressivity (`fbndsl.indicators.isotropy`), and the
layers they read (`fbndsl.ir.layers`): the spectral entropy exact on maps of known covariance, each layer's output
found (aliases resolved, a layer that computes nothing left out) and returned by the supernet as the network
computes it, the two scores from the layers' entropies, no trace left."""
from __future__ import annotations

import math

import pytest

torch = pytest.importorskip("torch")

import fbndsl  # noqa: E402
from fbndsl.indicators.isotropy import isotropy_score, layer_entropies, progressivity_score, spectral_entropy  # noqa: E402
from fbndsl.ir.layers import layer_of, layer_outputs  # noqa: E402
from fbndsl.ir.subnet import subnet  # noqa: E402
from fbndsl.lower import lower  # noqa: E402

CONV_CELL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|nor_conv_3x3~0|avg_pool_3x3~1|nor_conv_3x3~2|"
SKIP_CELL = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"  # the cell passes its input on


def two_channel_map(scale: float) -> torch.Tensor:
    """1 x 2 x 2 x 2: channels (scale * [1, -1, 1, -1], [1, 1, -1, -1]) over the 4 positions, zero mean, so the
    covariance is diag(scale^2, 1)."""
    return torch.tensor([[1.0, -1.0, 1.0, -1.0], [1.0, 1.0, -1.0, -1.0]]).mul(
        torch.tensor([[scale], [1.0]])).reshape(1, 2, 2, 2)


def test_spectral_entropy_of_known_covariances():
    assert spectral_entropy(two_channel_map(1.0)) == pytest.approx(math.log(2))   # isotropic: log C
    assert spectral_entropy(two_channel_map(math.sqrt(3))) == pytest.approx(-(0.75 * math.log(0.75)
                                                                              + 0.25 * math.log(0.25)))
    collinear = torch.tensor([[1.0, -1.0, 1.0, -1.0], [2.0, -2.0, 2.0, -2.0]]).reshape(1, 2, 2, 2)
    assert spectral_entropy(collinear) == pytest.approx(0.0, abs=1e-12)
    assert spectral_entropy(torch.zeros(3, 4, 2, 2)) == 0.0                       # a 'none' edge's zeros


def test_layer_of_a_scope():
    assert [layer_of(s) for s in ("s1.0.n3.n0.nor_conv_3x3", "s2.12.n1", "r1.b0", "stem", "head")] == \
        ["s1.0", "s2.12", "r1", "stem", "head"]


def layers(space, arch_text):
    found = subnet(space.ir, space.parse_arch(arch_text))
    return [layer_of(space.ir.node(i).scope) for i in layer_outputs(space.ir, found)], found


def test_layer_outputs_are_each_layers_last_value():
    space = fbndsl.compile("nb201", C=4, N=2, resolution=8)
    names, found = layers(space, CONV_CELL)
    assert names == ["stem", "s1.0", "s1.1", "r1", "s2.0", "s2.1", "r2", "s3.0", "s3.1", "head"]
    assert layer_outputs(space.ir, found)[-1] == found.output
    # without fairness BatchNorms, a cell that only passes its input on computes nothing: it is no layer
    bare = fbndsl.compile("nb201", C=4, N=2, resolution=8, fairness="off")
    assert layers(bare, SKIP_CELL)[0] == ["stem", "r1", "r2", "head"]
    # with them, the skip's BatchNorm is the cell's output
    assert layers(space, SKIP_CELL)[0] == names


def conv_cell_network(images: int):
    """NAS-Bench-201's C = 4, N = 1 network at 8 x 8 with the convolution cell, in eval mode, and a batch."""
    torch.manual_seed(0)
    space = fbndsl.compile("nb201", C=4, N=1, resolution=8)
    net = lower(space).eval()
    net.set_arch(space.parse_arch(CONV_CELL))
    return net, torch.randn(images, 3, 8, 8)


def test_layer_maps_are_what_the_network_computes():
    net, x = conv_cell_network(3)
    seen = []
    stem_bn = net.ops[[n for n in net.ops if n.startswith("stem")][-1]]
    handle = stem_bn.register_forward_hook(lambda _m, _i, out: seen.append(out))
    try:
        out, maps = net.layer_maps(x)
    finally:
        handle.remove()
    assert torch.equal(out, net(x))
    assert torch.equal(maps[0], seen[0])
    assert [tuple(m.shape[1:]) for m in maps] == [(4, 8, 8), (4, 8, 8), (8, 4, 4), (8, 4, 4), (16, 2, 2),
                                                  (16, 2, 2), (10,)]


def test_isotropy_sums_the_feature_maps_and_leaves_no_trace():
    net, x = conv_cell_network(6)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    score = isotropy_score(net, x)
    assert not net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    with torch.no_grad():
        net.train()
        _, maps = net.layer_maps(x)
    assert len(maps) == 7 and score == pytest.approx(sum(spectral_entropy(m) for m in maps[:-1]))  # not the logits
    assert 0 < score <= 2 * math.log(4) + 2 * math.log(8) + 2 * math.log(16)
    entropies = layer_entropies(net, x)
    assert len(entropies) == 6 and progressivity_score(net, x) == pytest.approx(
        min(b - a for a, b in zip(entropies, entropies[1:])))


def test_a_network_of_one_layer_has_no_progressivity():
    space = fbndsl.compile("one", text="network one {\n  input(3, 4)\n  stem: conv(4, 3) -> bn\n"
                           "  head: global_pool -> linear(2)\n}\n")
    net = lower(space)
    x = torch.randn(4, 3, 4, 4)
    assert len(layer_entropies(net, x)) == 1 and math.isnan(progressivity_score(net, x))


def test_measured_as_an_indicator_from_one_shared_pass():
    from fbndsl.indicators import Indicator, IndicatorContext, measure
    from fbndsl.indicators.kinds import LAYER_MAPS, shared_steps

    space = fbndsl.compile("nb201", C=4, N=1, resolution=8)
    ctx = IndicatorContext.build(space, None, None, naswot_batch=8)
    both = [Indicator.ISOTROPY, Indicator.PROGRESSIVITY]
    seconds = {}
    first, again = measure(ctx, CONV_CELL, both, seconds=seconds), measure(ctx, CONV_CELL, both)
    assert first == again and first[Indicator.ISOTROPY] > 0 and math.isfinite(first[Indicator.PROGRESSIVITY])
    assert all(i.higher_is_better and not i.needs_trained_supernet for i in both)
    # one pass over the layers, timed apart, gives both the values each score function computes alone
    assert set(seconds) == {*both, LAYER_MAPS} and shared_steps(both) == (LAYER_MAPS,)
    net, x = ctx.init_batch(space.parse_arch(CONV_CELL))
    assert first == {Indicator.ISOTROPY: isotropy_score(net, x), Indicator.PROGRESSIVITY: progressivity_score(net, x)}
