param C = 16

network n {
  input(3, 32)
  stem: conv(C - 32, 3) -> bn
}
