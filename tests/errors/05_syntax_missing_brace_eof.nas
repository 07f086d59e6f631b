network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  head: global_pool -> linear(10)
