network n {
  input(3, 32)
  stem: conv(16, k = true) -> bn
}
