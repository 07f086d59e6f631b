network n {
  input(3, 32)
  stem: conv(k = 3, stride = 2) -> bn
}
