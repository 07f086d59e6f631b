param width = 0.5

network n {
  input(3, 32)
  stem: (conv(16, 3) if width else conv(32, 3)) -> bn
}
