# A missing comma between two arguments.
network n {
  input(3, 32)
  stem: conv(16 3) -> bn
}
