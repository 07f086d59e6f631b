cell c(ch) {
  input x
  node n1 = x -> conv(ch) -> bn
  node n2 = sum(x, n3 -> relu)
  output n2
}

network n {
  input(3, 32)
  body: c(3)
}
