# An optional part that does not start with a call has no name to label its choice with.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: optional(choose(relu, swish))
}
