param C = 2 ** 100

network n {
  input(3, 32)
  stem: conv(C, 3) -> bn
}
