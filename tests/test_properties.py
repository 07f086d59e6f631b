"""Property tests: random architectures of every shipped space, random arithmetic, random programs
of elastic stages (costs checked against an independent closed form)."""
from __future__ import annotations

import operator

import pytest
from conftest import SPACES, compile_text, shipped
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fbndsl

SETTINGS = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
_SPACES = {}


def space(name):
    if name not in _SPACES:
        _SPACES[name] = fbndsl.compile(SPACES / f"{name}.nas")
    return _SPACES[name]


@pytest.mark.parametrize("name", [p.stem for p in shipped()])
@SETTINGS
@given(seed=st.integers(0, 2**32 - 1))
def test_random_archs_round_trip_and_lie_in_range(name, seed):
    s = space(name)
    arch = s.sample(seed)
    assert s.parse_arch(arch.text()) == arch
    assert s.parse_arch(arch.json_text()) == arch
    assert hash(s.parse_arch(arch.text())) == hash(arch)
    cost, rng = s.cost(arch), s.cost_range()
    assert rng["macs"][0] <= cost.macs <= rng["macs"][1]
    assert rng["params"][0] <= cost.params <= rng["params"][1]
    assert cost.fairness_bn_params >= 0


OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "//": operator.floordiv, "%": operator.mod}


@SETTINGS
@given(a=st.integers(-1000, 1000), b=st.integers(1, 1000), op=st.sampled_from(sorted(OPS)))
def test_parameter_arithmetic_matches_python(a, b, op):
    s = compile_text(f"param x = ({a}) {op} {b}\nnetwork {{ input(3, 8)  l: conv(1, 1) }}")
    assert s.ir.params["x"] == OPS[op](a, b)


@SETTINGS
@given(res=st.integers(4, 64), c=st.integers(1, 64), k=st.sampled_from([1, 3, 5, 7]), stride=st.integers(1, 3),
       cin=st.integers(1, 16))
def test_conv_cost_closed_form(res, c, k, stride, cin):
    s = compile_text(f"network {{ input({cin}, {res})  l: conv({c}, {k}, stride = {stride}) }}")
    out = (res + 2 * ((k - 1) // 2) - k) // stride + 1
    cost = s.cost({})
    assert cost.params == k * k * cin * c
    assert cost.macs == k * k * cin * c * out * out


@SETTINGS
@given(widths=st.lists(st.integers(1, 8).map(lambda x: 8 * x), min_size=1, max_size=3, unique=True),
       depths=st.lists(st.integers(1, 4), min_size=1, max_size=3, unique=True), res=st.sampled_from([8, 16]))
def test_elastic_stage_cost_closed_form(widths, depths, res):
    """A stage of `depth` 3x3 convs of width c: cost summed by hand for every (c, depth)."""
    src = f"""network {{
      input(3, {res})
      stage s(c in {{{', '.join(map(str, widths))}}}) {{
        conv(c, 3) -> bn
        repeat d in {{{', '.join(map(str, sorted(depths)))}}}: conv(c, 3) -> bn
      }}
    }}"""
    if len(widths) == 1 and len(depths) == 1:
        return
    s = compile_text(src)
    for c in widths:
        for d in depths:
            arch = {k: v for k, v in (("s.c", c), ("s.d", d)) if k in {ch.label for ch in s.choices}}
            cost = s.cost(arch)
            assert cost.macs == (27 * c + d * 9 * c * c) * res * res
            assert cost.params == 27 * c + 2 * c + d * (9 * c * c + 2 * c)
    assert s.size == len(widths) * len(depths)
