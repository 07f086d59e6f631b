cell c(ch) {
  input x
  node y = x -> conv(ch) -> bn
}

network n {
  input(3, 32)
  body: c(16)
}
