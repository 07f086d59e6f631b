param width = 1.5

network n {
  input(3, 32)
  stem: conv(16 * width, 3) -> bn
}
