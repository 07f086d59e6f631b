network n {
  input(3, 32)
  stage s1 {
    repeat 2: conv(16, 3) -> bn
  stem: conv(16, 3) -> bn
