# Two unnamed choices in one layer would both be labelled `layer`.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: choose(relu, relu6) -> conv(16, 3) -> bn -> choose(relu, swish)
}
