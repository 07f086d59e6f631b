cell c(ch) {
  input x
  node a = x -> conv(ch) -> bn
  node b = pick(1, x -> relu, a -> relu, x -> relu6)
  output b
}

network n {
  input(3, 32)
  body: c(3)
}
