cell merge(c) {
  input s0, s1
  node y = sum(s0 -> conv(c, 1) -> bn, s1 -> conv(c, 1) -> bn)
  output y
}

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  body: relu -> merge(16)
}
