# NAS-Bench-201 (Dong & Yang, ICLR 2020): the cell search space and the benchmark's macro skeleton.
#
# One cell of 4 nodes; each of its 6 edges chooses one of 5 operators, so 5^6 = 15,625 architectures.
# The cell is shared by all 15 cells of the network (its genotype), as in the benchmark.
# Architectures read and print in the benchmark's notation:
#   |nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|

param C = 16          # channels of the first stage
param N = 5           # cells per stage
param classes = 10
param resolution = 32   # CIFAR; ImageNet16-120: --set resolution=16 --set classes=120

# The five candidate operators (xautodl's cell_operations.py, stride 1, C_in == C_out).
op none = zero
op skip_connect = identity
op nor_conv_1x1(c) = relu_conv_bn(c, 1)
op nor_conv_3x3(c) = relu_conv_bn(c, 3)
op avg_pool_3x3 = avg_pool(3)

op edge(c) = choose(none, skip_connect, nor_conv_1x1(c), nor_conv_3x3(c), avg_pool_3x3)

# Node j sums an operator applied to every earlier node; node 3 is the output.
cell cell(c) {
  input n0
  node n1 = n0 -> edge(c)
  node n2 = sum(n0 -> edge(c), n1 -> edge(c))
  node n3 = sum(n0 -> edge(c), n1 -> edge(c), n2 -> edge(c))
  output n3
}

# The benchmark's residual reduction block: two ReLU-conv-BN (the first with stride 2) plus a
# shortcut of 2x2 average pooling and a 1x1 convolution.
op reduction(c) = add(relu_conv_bn(c, 3, stride = 2) -> relu_conv_bn(c, 3),
                      avg_pool(2, stride = 2, pad = 0) -> conv(c, 1))

network nb201 {
  input(3, resolution)
  stem: conv(C, 3) -> bn
  stage s1 { repeat N: cell(C) }
  r1: reduction(2 * C)
  stage s2 { repeat N: cell(2 * C) }
  r2: reduction(4 * C)
  stage s3 { repeat N: cell(4 * C) }
  head: bn -> relu -> global_pool -> linear(classes)
}
