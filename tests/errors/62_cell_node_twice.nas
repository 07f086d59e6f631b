cell c(ch) {
  input x
  node y = x -> conv(ch) -> bn
  node y = x -> relu
  output y
}

network n {
  input(3, 32)
  body: c(3)
}
