# The DARTS CNN search space (Liu, Simonyan & Yang, ICLR 2019), CIFAR-10.
#
# Two cells, normal and reduction, each with 4 intermediate nodes. Every intermediate node picks
# 2 of its predecessors and applies one of 8 operators to each; the cell outputs the concatenation
# of its 4 intermediate nodes. Search network: C=16, 8 cells (the defaults); evaluation network:
#   fbndsl compile spaces/darts.nas --set C=36 --set layers=20
# Architectures read and print in DARTS' Genotype notation (see docs/notations.md).

param C = 16          # initial channels
param layers = 8      # number of cells; reductions at layers//3 and 2*layers//3
param classes = 10

# The 8 primitives of DARTS' operations.py, for a given stride.
op none(c, stride) = zero(stride)
op max_pool_3x3(c, stride) = max_pool(3, stride = stride)
op avg_pool_3x3(c, stride) = avg_pool(3, stride = stride)
op skip_connect(c, stride) = (identity if stride == 1 else factorized_reduce(c))
op sep_conv_3x3(c, stride) = sep_conv(c, 3, stride)
op sep_conv_5x5(c, stride) = sep_conv(c, 5, stride)
op dil_conv_3x3(c, stride) = dil_conv(c, 3, stride)
op dil_conv_5x5(c, stride) = dil_conv(c, 5, stride)

op mixed(c, stride = 1) = choose(none(c, stride), max_pool_3x3(c, stride), avg_pool_3x3(c, stride),
                                 skip_connect(c, stride), sep_conv_3x3(c, stride), sep_conv_5x5(c, stride),
                                 dil_conv_3x3(c, stride), dil_conv_5x5(c, stride))

# The inputs are the outputs of the two previous cells; the older one is halved in size by a
# factorized reduction when the previous cell was a reduction cell.
op preprocess0(c, reduction_prev) = (factorized_reduce(c) if reduction_prev else relu_conv_bn(c, 1))

cell normal(c, reduction_prev = false) {
  input s0, s1
  node p0 = s0 -> preprocess0(c, reduction_prev)
  node p1 = s1 -> relu_conv_bn(c, 1)
  node n2 = pick(2, p0 -> mixed(c), p1 -> mixed(c))
  node n3 = pick(2, p0 -> mixed(c), p1 -> mixed(c), n2 -> mixed(c))
  node n4 = pick(2, p0 -> mixed(c), p1 -> mixed(c), n2 -> mixed(c), n3 -> mixed(c))
  node n5 = pick(2, p0 -> mixed(c), p1 -> mixed(c), n2 -> mixed(c), n3 -> mixed(c), n4 -> mixed(c))
  output concat(n2, n3, n4, n5)
}

# In a reduction cell the operators on the two input edges have stride 2.
cell reduce(c, reduction_prev = false) {
  input s0, s1
  node p0 = s0 -> preprocess0(c, reduction_prev)
  node p1 = s1 -> relu_conv_bn(c, 1)
  node n2 = pick(2, p0 -> mixed(c, 2), p1 -> mixed(c, 2))
  node n3 = pick(2, p0 -> mixed(c, 2), p1 -> mixed(c, 2), n2 -> mixed(c))
  node n4 = pick(2, p0 -> mixed(c, 2), p1 -> mixed(c, 2), n2 -> mixed(c), n3 -> mixed(c))
  node n5 = pick(2, p0 -> mixed(c, 2), p1 -> mixed(c, 2), n2 -> mixed(c), n3 -> mixed(c), n4 -> mixed(c))
  output concat(n2, n3, n4, n5)
}

param r1 = layers // 3            # index of the first reduction cell
param r2 = 2 * layers // 3        # index of the second

network darts {
  input(3, 32)
  stem: conv(3 * C, 3) -> bn
  stage cells1 { repeat r1: normal(C) }
  reduce1: reduce(2 * C)
  stage cells2 { repeat r2 - r1 - 1 as i: normal(2 * C, reduction_prev = i == 0) }
  reduce2: reduce(4 * C, reduction_prev = r2 - r1 == 1)
  stage cells3 { repeat layers - r2 - 1 as i: normal(4 * C, reduction_prev = i == 0) }
  head: global_pool -> linear(classes)
}
