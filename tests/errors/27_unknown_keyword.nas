network n {
  input(3, 32)
  stem: conv(16, kernel = 3) -> bn
}
