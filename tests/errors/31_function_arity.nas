param C = floor(16, 2)
network n {
  input(3, 32)
  stem: conv(C, 3) -> bn
}
