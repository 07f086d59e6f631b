# An alternative that is a chain needs an explicit key.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: choose(conv(16, 3) -> bn, identity)
}
