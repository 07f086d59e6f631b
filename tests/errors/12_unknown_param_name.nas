param C = 16
param classes = 10

network n {
  input(3, 32)
  stem: conv(Cx, 3) -> bn
  head: global_pool -> linear(classes)
}
