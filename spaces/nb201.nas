param C = 16
param N = 5
op nor_conv_1x1(c) = relu_conv_bn(c, 1)
op nor_conv_3x3(c) = relu_conv_bn(c, 3)
op skip_connect = identity
op avg_pool_3x3 = avg_pool(3)
op none = zero
op edge(c) = choose(none, skip_connect, nor_conv_1x1(c), nor_conv_3x3(c), avg_pool_3x3)
op resblock(c) = add(relu_conv_bn(c, 3, stride = 2) -> relu_conv_bn(c, 3),
                     avg_pool(2, stride = 2, pad = 0) -> conv(c, 1))
cell cell(c) {
  input n0
  node n1 = n0 -> edge(c)
  node n2 = sum(n0 -> edge(c), n1 -> edge(c))
  node n3 = sum(n0 -> edge(c), n1 -> edge(c), n2 -> edge(c))
  output n3
}
network nb201 {
  input(3, 32)
  stem: conv(C, 3) -> bn
  stage s1 { repeat N: cell(C) }
  r1: resblock(2 * C)
  stage s2 { repeat N: cell(2 * C) }
  r2: resblock(4 * C)
  stage s3 { repeat N: cell(4 * C) }
  head: bn -> relu -> global_pool -> linear(10)
}
