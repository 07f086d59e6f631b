network n {
  input(3, 0)
  stem: conv(16, 3) -> bn
}
