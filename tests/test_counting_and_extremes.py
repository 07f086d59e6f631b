"""Exact counting and exact min/max, checked against brute-force enumeration on small spaces."""
from __future__ import annotations

import pytest
from conftest import compile_text

SMALL_SPACES = {
    "depth_and_nested": """
        network {
          input(3, resolution in {16, 24})
          stem: conv(out in {8, 16}, k = 3) -> bn
          stage s(c in {8, 16}, k in {3, 5}) {
            conv(c, k, stride = 2) -> bn
            repeat d in {1..3}: choose(a: conv(c, k) -> bn,
                                       b: mbconv(c, k = 3, e in {2, 4}, se = true),
                                       skip: identity)
          }
          head: global_pool -> linear(10)
        }""",
    "pick_and_optional": """
        op o(c) = choose(cv: relu_conv_bn(c, 3), pool: avg_pool(3), none: zero)
        cell x(c) {
          input s0, s1
          node a = s0 -> relu_conv_bn(c, 1)
          node b = s1 -> relu_conv_bn(c, 1)
          node n2 = pick(2, a -> o(c), b -> o(c))
          node n3 = pick(2, a -> o(c), b -> o(c), n2 -> o(c))
          output concat(n2, n3)
        }
        network {
          input(3, 8)
          stem: conv(8, 3) -> bn
          l1: x(8)
          l2: x(8) -> optional[se](se())
          head: global_pool -> linear(4)
        }""",
}


@pytest.fixture(params=sorted(SMALL_SPACES), scope="module")
def small(request):
    return compile_text(SMALL_SPACES[request.param], f"{request.param}.nas")


def test_count_equals_enumeration(small):
    archs = list(small.enumerate())
    assert len(archs) == len(set(archs)) == small.size


def test_every_enumerated_arch_is_valid_and_round_trips(small):
    for arch in small.enumerate():
        assert small.arch(dict(arch)) == arch
        assert small.parse_arch(arch.text()) == arch
        assert small.parse_arch(arch.json_text()) == arch


def test_extremes_equal_brute_force(small):
    costs = {a: small.cost(a) for a in small.enumerate()}
    # min_arch/max_arch break the remaining ties on the fairness BatchNorm params (the cost's last part)
    by_macs = sorted(costs.items(), key=lambda kv: (kv[1].macs, kv[1].params, kv[1].fairness_bn_params))
    by_params = sorted(costs.items(), key=lambda kv: (kv[1].params, kv[1].macs, kv[1].fairness_bn_params))
    assert costs[small.min_arch()] == by_macs[0][1]
    assert costs[small.max_arch()] == by_macs[-1][1]
    assert costs[small.min_arch("params")] == by_params[0][1]
    assert costs[small.max_arch("params")] == by_params[-1][1]


def test_samples_are_members(small):
    members = set(small.enumerate())
    assert all(small.sample(seed) in members for seed in range(100))


def test_inactive_choices_are_absent(small):
    for arch in small.enumerate():
        if arch.get("s.d") == 1:
            assert "s.2" not in arch and "s.3" not in arch
        if arch.get("s.1") not in (None, "b"):
            assert "s.1.b.e" not in arch
