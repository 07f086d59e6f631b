op block(c, k) = conv(c, k) -> bn -> relu

network n {
  input(3, 32)
  b1: block(16)
}
