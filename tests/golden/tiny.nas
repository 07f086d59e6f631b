# A tiny space exercising every stage: a cell with a pick, an elastic stage, an optional block.
param C = 8

op o(c) = choose(conv: relu_conv_bn(c, 3), pool: avg_pool(3), skip: identity)

cell pair(c) {
  input s0, s1
  node a = s0 -> relu_conv_bn(c, 1)
  node b = s1 -> relu_conv_bn(c, 1)
  node n = pick(1, a -> o(c), b -> o(c))
  output concat(a, n)
}

network tiny {
  input(3, resolution in {8, 16})
  stem: conv(C, 3) -> bn
  c1: pair(C)
  stage s(w in {8, 16}) {
    mbconv(w, k in {3, 5}, e = 2, stride = 2)
    repeat d in {1..2}: mbconv(w, e = 2) -> optional[se](se())
  }
  head: global_pool -> linear(4)
}
