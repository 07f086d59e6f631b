"""`Space.reads_input`: a static check that an architecture's output depends on its input at all."""
import csv

import pytest
from conftest import NB201_CSV, compile_text

import fbndsl


@pytest.mark.skipif(not NB201_CSV.is_file(), reason="../shared/data/nb201/nb201.csv not present")
def test_nb201_constant_networks_are_exactly_those_at_chance_accuracy():
    """The 341 cells whose output reads no input path are exactly the benchmark's 10.0% (chance) cells. One cell
    per stage decides it as five do (a network of cells that each ignore their input ignores it), five times
    faster."""
    space = fbndsl.compile("nb201", N=1)
    rows = list(csv.DictReader(NB201_CSV.open()))
    dead = {r["arch_str"] for r in rows if not space.reads_input(space.parse_arch(r["arch_str"]))}
    chance = {r["arch_str"] for r in rows if float(r["cifar10_test_acc"]) == 10.0}
    assert len(dead) == 341 and dead == chance


def test_a_zero_on_one_branch_leaves_the_other_path():
    space = fbndsl.compile("nb201", C=4, N=1)
    assert space.reads_input(space.parse_arch("|none~0|+|skip_connect~0|none~1|+|none~0|none~1|nor_conv_1x1~2|"))
    assert not space.reads_input(space.parse_arch("|skip_connect~0|+|none~0|skip_connect~1|+|none~0|none~1|none~2|"))


def test_spaces_without_zero_always_read_their_input():
    space = compile_text("""
        network t {
          input(3, 8)
          stage a(c in {4, 8}) { conv(c, 3) -> bn -> relu }
          head: global_pool -> linear(10)
        }""")
    assert all(space.reads_input(a) for a in space.enumerate())


def test_the_input_output_path_leaves_out_what_the_output_ignores():
    from fbndsl.ir.dependence import input_dependent, on_input_output_path

    space = fbndsl.compile("nb201", C=4, N=1)
    ir = space.ir
    # n2 = conv(n0) + skip(n1) depends on the input, but n3 reads it through 'none': it is on no path to the output
    values = space.parse_arch("|none~0|+|nor_conv_3x3~0|skip_connect~1|+|nor_conv_3x3~0|none~1|none~2|").as_dict()
    dependent, on_path = input_dependent(ir, values), on_input_output_path(ir, values)
    assert ir.output in on_path and on_path < dependent
    off = {ir.node(i).scope for i in dependent - on_path}
    assert off and all("n2" in name for name in off), off
    constant = space.parse_arch("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|none~1|none~2|").as_dict()
    assert input_dependent(ir, constant) and not on_input_output_path(ir, constant)
