network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  reduce: factorized_reduce(15)
}
