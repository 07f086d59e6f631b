# `side` is computed but never reaches the cell's output.
cell c(ch) {
  input x
  node main = x -> conv(ch) -> bn
  node side = x -> conv(ch, 5) -> bn
  output main
}

network n {
  input(3, 32)
  body: c(16)
}
