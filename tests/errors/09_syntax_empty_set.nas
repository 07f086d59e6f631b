# A choice with no values.
network n {
  input(3, 32)
  stem: conv(out in {}, 3) -> bn
}
