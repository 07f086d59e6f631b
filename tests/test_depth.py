"""`Space.least_depth` (`ir.depth`): the fewest weighted layers on any path from a network's input to its output,
on networks whose answer is known by hand."""
import math

import pytest
from conftest import compile_text

import fbndsl

SKIP_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
CONV_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|"
CHAIN_CELL = "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|none~0|none~1|nor_conv_1x1~2|"
POOL_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
DEAD_CELL = "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"


@pytest.mark.parametrize("cell, per_cell", [(SKIP_CELL, 0), (CONV_CELL, 1), (CHAIN_CELL, 2), (POOL_CELL, 0)])
def test_nb201_cells(cell, per_cell):
    """The benchmark's network at N = 5: the stem's convolution, fifteen cells, the two reduction blocks' 1x1
    shortcuts and the linear head; a skip from the cell's input to its output makes a cell cost nothing."""
    space = fbndsl.compile("nb201", C=4)
    assert space.least_depth(space.parse_arch(cell)) == 1 + 15 * per_cell + 2 + 1


def test_a_network_whose_output_ignores_its_input_has_no_path():
    space = fbndsl.compile("nb201", C=4, N=1)
    assert space.least_depth(space.parse_arch(DEAD_CELL)) == math.inf


def test_resnet18_is_its_stem_shortcuts_and_head():
    """Every basic block's identity costs nothing; the three downsampling shortcuts are one 1x1 convolution each."""
    assert fbndsl.compile("spaces/resnet18.nas").least_depth({}) == 1 + 3 + 1


def test_mobilenetv2_counts_the_blocks_without_a_residual():
    """torchvision's rule: a block has a residual at stride 1 with its channels unchanged. Without one, an MBConv
    block is its expansion (none at e = 1), depthwise and projection convolutions in series."""
    # stem; b1 (e = 1: two); the first block of s2, s3, s4, s5 (new channels), s6 and b7 (three each); last; head
    assert fbndsl.compile("spaces/mobilenetv2.nas").least_depth({}) == 1 + 2 + 6 * 3 + 1 + 1


def test_a_choice_of_depth_or_kernel_moves_only_the_path_it_lies_on():
    space = compile_text("""
        network t {
          input(3, 8)
          a: conv(8, 3) -> bn -> relu
          stage s { repeat d in {1, 2, 3}: conv(8, k in {3, 5}) -> bn -> relu }
          head: global_pool -> linear(10)
        }""")
    assert {space.least_depth(a) for a in space.enumerate()} == {3, 4, 5}
    assert all(space.least_depth(a) == 2 + a.as_dict()["s.d"] for a in space.enumerate())


def test_an_elastic_width_decides_an_mbconv_residual():
    """At 8 channels in and out the block keeps its residual and costs nothing; at 16 it is two convolutions."""
    space = compile_text("""
        network t {
          input(3, 8)
          a: conv(8, 3) -> bn -> relu
          b: mbconv(out in {8, 16}, e = 1)
          head: global_pool -> linear(10)
        }""")
    assert {a.as_dict()["b.out"]: space.least_depth(a) for a in space.enumerate()} == {8: 2, 16: 4}


@pytest.mark.parametrize("cell, per_cell", [(SKIP_CELL, 0), (CONV_CELL, 1), (CHAIN_CELL, 3), (POOL_CELL, 1)])
def test_the_mixing_depth_counts_pooling(cell, per_cell):
    """Pooling is no identity: the reduction blocks' shortcuts are an average pooling and a 1x1 convolution, the
    head a global pooling and a linear layer, and a pooling from the cell's input to its output costs what a
    convolution there does."""
    space = fbndsl.compile("nb201", C=4)
    arch = space.parse_arch(cell)
    assert space.least_mixing_depth(arch) == 1 + 15 * per_cell + 2 * 2 + 2
    assert space.least_depth(arch) <= space.least_mixing_depth(arch)


def test_the_mixing_depth_of_resnet18_adds_its_stem_and_head_pooling():
    assert fbndsl.compile("spaces/resnet18.nas").least_mixing_depth({}) == 1 + 1 + 3 + 1 + 1


@pytest.mark.parametrize("path", ["spaces/mobilenet.nas", "spaces/bignas.nas"])
def test_the_mixing_depth_ties_across_the_mobilenet_spaces(path):
    """What the docs say of the default ranking's structural member there: a stage's first block, never skipped,
    runs the same convolutions in series whatever its kernel, expansion or width, and every other block is bypassed
    by its residual or skipped, so `min_mixing` leaves the order of those spaces' networks as it was."""
    space = fbndsl.compile(path)
    assert len({space.least_mixing_depth(space.sample(seed)) for seed in range(30)}) == 1
