network n {
  input(3, 32)
  stem: conv(16, 3, 1, 1, 1, false, 7) -> bn
}
