cell c(ch) {
  node y = x -> conv(ch) -> bn
  output y
}

network n {
  input(3, 32)
  body: c(16)
}
