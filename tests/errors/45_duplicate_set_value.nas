network n {
  input(3, 32)
  stem: conv(16, k in {3, 5, 3}) -> bn
}
