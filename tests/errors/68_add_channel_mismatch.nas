# The two branches of an add end with different channel counts.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  block: add(conv(16, 3) -> bn,
             conv(32, 1) -> bn)
}
