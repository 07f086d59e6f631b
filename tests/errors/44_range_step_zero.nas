network n {
  input(3, 32)
  stem: conv(16, k in {3..7 step 0}) -> bn
}
