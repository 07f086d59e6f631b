# An operator definition needs `=` before its body.
op block(c) conv(c, 3) -> bn -> relu

network n {
  input(3, 32)
  b: block(16)
}
