cell c(ch) {
  input x
  node a = x -> conv(ch) -> bn
  node b = pick(3, x -> relu, a -> relu)
  output b
}

network n {
  input(3, 32)
  body: c(3)
}
