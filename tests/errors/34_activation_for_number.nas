network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  b1: mbconv(24, k = relu)
}
