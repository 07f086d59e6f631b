# A residual body with stride 2 cannot be added to its input.
op down(c) = residual(conv(c, 3, stride = 2) -> bn -> relu)

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  d1: down(16)
}
