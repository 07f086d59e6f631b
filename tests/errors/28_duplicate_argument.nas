network n {
  input(3, 32)
  stem: conv(16, 3, out = 32) -> bn
}
