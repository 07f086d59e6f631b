"""Language features, one small program each: what they expand to and what they cost."""
from __future__ import annotations

import pytest
from conftest import compile_text

import fbndsl
from fbndsl.ir.ops import OpKind


def kinds(space):
    return [n.kind for n in space.ir.nodes if n.kind not in (OpKind.INPUT,)]


def test_include_is_relative_and_read_once(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "ops.nas").write_text("param W = 8\nop block(c) = conv(c, 3) -> bn -> relu\n")
    (tmp_path / "lib" / "more.nas").write_text('include "ops.nas"\nop twice(c) = block(c) -> block(c)\n')
    main = tmp_path / "main.nas"
    main.write_text('include "lib/ops.nas"\ninclude "lib/more.nas"\nnetwork { input(3, 8)  l: twice(W) }\n')
    space = fbndsl.compile(main)
    assert kinds(space) == [OpKind.CONV, OpKind.BN, OpKind.RELU] * 2
    assert space.cost({}).params == 3 * 9 * 8 + 16 + 8 * 9 * 8 + 16


def test_set_overrides_and_dependent_params():
    src = "param C = 4\nparam D = C * 2\nnetwork { input(3, 8)  l: conv(D, 1) }"
    assert compile_text(src).cost({}).params == 3 * 8
    assert compile_text(src, C=8).cost({}).params == 3 * 16


def test_choose_keys_labels_and_nested_choices():
    s = compile_text("""
        network { input(3, 8)
          l: choose[op](small: conv(4, 1), big: conv(4, k in {3, 5}), relu1: conv(4, 1) -> relu) }""")
    assert [(c.label, c.values) for c in s.choices] == [
        ("l.op", ("small", "big", "relu1")), ("l.op.big.k", (3, 5))]
    assert s.choice("l.op.big.k").cond == (("l.op", frozenset({"big"})),)
    assert s.size == 4
    assert s.cost({"l.op": "big", "l.op.big.k": 5}).params == 3 * 25 * 4


def test_optional_residual_and_static_conditional():
    s = compile_text("""
        param deep = true
        op body(c) = (conv(c, 3) -> bn -> relu -> conv(c, 3) -> bn if deep else conv(c, 3) -> bn)
        network { input(8, 8)  l: residual(body(8)) -> optional[se](se()) }""")
    assert [c.label for c in s.choices] == ["l.se"]
    convs = [n for n in s.ir.nodes if n.kind is OpKind.CONV]
    assert len(convs) == 2
    on, off = s.cost({"l.se": True}), s.cost({"l.se": False})
    assert on.params - off.params == 2 * 8 * 8 + 8 + 8  # SE squeeze width make_divisible(2, 8) = 8


def test_functions_and_ternaries():
    s = compile_text("param w = make_divisible(37 * 0.75, 8)\nparam m = max(1, min(w, 40)) if w > 0 else 0\n"
                     "network { input(3, 8)  l: conv(m, 1) }")
    assert s.ir.params == {"w": 32, "m": 32}


def test_stage_arguments_repeat_index_and_labels():
    s = compile_text("""
        network { input(3, 32)
          stage s(c in {8, 16}, k = 3) {
            repeat depth in {1..3} as i: conv(c, k, stride = 2 if i == 0 else 1) -> bn
          }
          head: global_pool -> linear(10) }""")
    assert [c.label for c in s.choices] == ["s.c", "s.depth"]
    assert s.size == 6
    arch = {"s.c": 8, "s.depth": 1}
    assert s.cost(arch).macs == 27 * 8 * 16 * 16 + 8 * 10 + 10


def test_cell_genotype_is_shared_across_instances_of_different_width():
    s = compile_text("""
        op o(c) = choose(a: conv(c, 3), b: conv(c, 1))
        cell x(c) { input i  node n = i -> o(c)  output n }
        network { input(3, 8)  l1: x(8)  l2: x(16) }""")
    assert [c.label for c in s.choices] == ["x.n.i"]
    assert s.cost({"x.n.i": "b"}).params == 3 * 8 + 8 * 16


def test_resolution_choice_and_shapes():
    s = compile_text("network { input(3, resolution in {8, 16})  l: conv(4, 3, stride = 2) }")
    assert s.choices[0].label == "resolution"
    assert s.cost({"resolution": 16}).macs == 4 * s.cost({"resolution": 8}).macs


def test_arch_validation_messages():
    s = compile_text("network { input(3, resolution in {8, 16})  l: conv(out in {4, 8}, k = 1) }")
    with pytest.raises(fbndsl.ArchError, match="missing choice 'l.out'"):
        s.arch({"resolution": 8})
    with pytest.raises(fbndsl.ArchError, match="did you mean 'resolution'"):
        s.arch({"resolutoin": 8, "l.out": 4})
    with pytest.raises(fbndsl.ArchError, match="cannot be '12'"):
        s.parse_arch("resolution=12,l.out=4")
    assert s.parse_arch(" l.out = 4 , resolution=8 ").text() == "l.out=4,resolution=8"


def test_two_input_cells_read_previous_layers():
    s = compile_text("""
        cell c2(c) { input a, b  node n = sum(a -> conv(c, 1), b -> conv(c, 1))  output n }
        network { input(3, 8)  stem: conv(4, 1)  l1: c2(4)  l2: c2(4) }""")
    add1, add2 = [n for n in s.ir.nodes if n.kind is OpKind.ADD]
    stem = next(n for n in s.ir.nodes if n.scope == "stem")
    first_inputs = {s.ir.node(i).inputs[0] for i in add1.inputs}
    assert first_inputs == {stem.id}                     # the first cell reads the stem twice
    assert {s.ir.node(i).inputs[0] for i in add2.inputs} == {stem.id, add1.id}


def test_no_code_execution():
    """Names are looked up, never evaluated: Python builtins are unknown names."""
    with pytest.raises(fbndsl.NasError, match="unknown function '__import__'"):
        compile_text("param x = __import__(1)\nnetwork { input(3, 8)  l: conv(1, 1) }")


IDENTITY_CELLS = """
cell same(c) {
  input n0
  output n0
}
cell conv3(c) {
  input n0
  node n1 = n0 -> relu_conv_bn(c, 3)
  output n1
}
network t {
  input(3, 8)
  stem: conv(8, 3) -> bn
  c: choose(a: same(8), b: same(8), k: conv3(8))
  head: global_pool -> linear(10)
}
"""


def test_fairness_gives_each_pass_through_alternative_its_own_batchnorm():
    # a cell that returns its input ends in the stem's BatchNorm, which is not the candidate's own: each such
    # alternative gets a BatchNorm, active when it is chosen (two alternatives, two BatchNorms, not one shared)
    space = compile_text(IDENTITY_CELLS)
    fair = [n for n in space.ir.nodes if n.origin.value == "fairness"]
    assert [(n.scope, n.cond) for n in fair] == [("c.a.fair_bn", (("c", frozenset({"a"})),)),
                                                 ("c.b.fair_bn", (("c", frozenset({"b"})),))]
    assert {(f.key, f.op) for f in space.fairness.unfair} == {("a", "its input (it passes it through unchanged)"),
                                                              ("b", "its input (it passes it through unchanged)")}
    with pytest.raises(fbndsl.UserError, match="candidate 'a' of choice 'c' ends in its input"):
        compile_text(IDENTITY_CELLS, fairness="check")
    import torch

    from fbndsl.lower import extract, lower

    net = lower(space).eval()
    x = torch.randn(2, 3, 8, 8)
    for key in "abk":
        arch = space.arch({"c": key})
        assert torch.allclose(extract(net, arch)(x), net(x, arch), atol=1e-6)


def test_passes_are_frozen_named_and_leave_their_input_alone():
    # passes/base.py: a frozen dataclass with a `name` and its options as fields; valid IR in, a new IR out
    import dataclasses

    from fbndsl.passes.expand import expand
    from fbndsl.passes.infer_shapes import InferShapes
    from fbndsl.passes.insert_bn import Fairness, InsertBN
    from fbndsl.passes.resolve import resolve
    from fbndsl.passes.validate import Validate
    from fbndsl.syntax.load import load

    passes = (InferShapes(), Validate(), InsertBN(Fairness.INSERT))
    assert [p.name for p in passes] == ["infer-shapes", "validate", "insert-bn"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        passes[2].fairness = Fairness.OFF
    ir = expand(resolve(load("test.nas", IDENTITY_CELLS)))
    before = ir
    for p in passes:
        ir = p.apply(ir)
        ir.verify()
    assert not before.shapes and len(ir.nodes) == len(before.nodes) + 2
    # inserting again changes nothing, and the report read from the output is the one the program earns
    assert passes[2].apply(ir) == ir
    report = passes[2].report(ir)
    assert (report.inserted, [f.key for f in report.unfair]) == (2, ["a", "b"])
    assert report == compile_text(IDENTITY_CELLS).fairness
