network n {
  input(3)
  stem: conv(16, 3) -> bn
}
