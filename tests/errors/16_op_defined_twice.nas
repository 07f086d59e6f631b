op block(c) = conv(c, 3) -> bn -> relu
op block(c) = conv(c, 5) -> bn -> relu

network n {
  input(3, 32)
  b1: block(16)
}
