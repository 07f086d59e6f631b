network n {
  input(3, 32)
  stem: conv(16, 3) -> bn -> global_pool
  head: dropout(20) -> linear(10)
}
