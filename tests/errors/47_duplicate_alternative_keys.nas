# Both alternatives are named after the operator they call, `conv`.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: choose(conv(16, 3), conv(16, 5)) -> bn
}
