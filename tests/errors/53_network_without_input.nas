network n {
  stem: conv(16, 3) -> bn
  head: global_pool -> linear(10)
}
