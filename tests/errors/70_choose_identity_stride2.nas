# `skip` keeps the 32x32 map, the strided convolution halves it: the alternatives disagree.
op skip = identity

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: choose(down: conv(16, 3, stride = 2) -> bn, skip)
}
