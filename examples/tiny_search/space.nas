# tiny_search: a small CIFAR-10 search space, written step by step in README.md beside this file.
#
# A stem, three stages of elastic width and depth, and in every layer a choice between an inverted
# bottleneck (elastic kernel, optional squeeze-and-excitation), a ResNet basic block, and skip where
# the layer keeps its shape. The input resolution is elastic too.

param classes = 10

# The candidates of one layer with c output channels.
op mb(c, stride) = mbconv(c, k in {3, 5, 7}, e = 4, stride = stride, se in {false, true})
op res(c, stride, project) = add(conv(c, 3, stride = stride) -> bn -> relu -> conv(c, 3) -> bn,
                                 (conv(c, 1, stride = stride) -> bn if project else identity)) -> relu
op skip = identity

# The first layer of a stage changes the shape, so it cannot be skipped; the others can.
op first(c, stride) = choose(mb(c, stride), res(c, stride, true))
op layer(c) = choose(mb(c, 1), res(c, 1, false), skip)

network tiny_search {
  input(3, resolution in {24, 28, 32})
  stem: conv(16, 3) -> bn -> relu
  stage s1(c in {16, 24}) { first(c, 1)  repeat depth in {1..2}: layer(c) }
  stage s2(c in {32, 48}) { first(c, 2)  repeat depth in {1..2}: layer(c) }
  stage s3(c in {64, 96}) { first(c, 2)  repeat depth in {1..2}: layer(c) }
  head: global_pool -> linear(classes)
}
