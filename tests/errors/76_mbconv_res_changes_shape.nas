network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  b1: mbconv(24, e = 6, stride = 2, res = true)
}
