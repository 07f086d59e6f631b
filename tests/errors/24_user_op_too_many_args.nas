op block(c, k = 3) = conv(c, k) -> bn

network n {
  input(3, 32)
  b1: block(16, 3, 1)
}
