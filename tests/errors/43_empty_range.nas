network n {
  input(3, 32)
  stem: conv(16, k in {5..2}) -> bn
}
