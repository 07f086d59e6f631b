cell c(ch) {
  input x
  node a = sum(x -> conv(ch) -> bn, b -> relu)
  node b = a -> conv(ch) -> bn
  output b
}

network n {
  input(3, 32)
  body: c(3)
}
