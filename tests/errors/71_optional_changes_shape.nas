# Switching the optional block off would skip a stride-2 convolution.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: optional[down](conv(16, 3, stride = 2) -> bn)
}
