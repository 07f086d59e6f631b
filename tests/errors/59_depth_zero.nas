network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  stage s1 { repeat d in {0..2}: conv(16, 3) -> bn }
}
