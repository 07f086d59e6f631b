network n {
  input(3, 32)
  stem: conv(24, 3) -> bn
  grouped: conv(32, 3, groups = 5) -> bn
}
