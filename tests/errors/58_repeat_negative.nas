param N = 2
network n {
  input(3, 32)
  stage s1 { repeat N - 3: conv(16, 3) -> bn }
}
