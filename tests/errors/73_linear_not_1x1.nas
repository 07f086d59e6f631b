param classes = 10

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn -> relu
  head: linear(classes)
}
