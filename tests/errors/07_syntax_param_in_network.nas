# Parameters are declared at the top level, not inside the network.
network n {
  input(3, 32)
  param C = 16
  stem: conv(C, 3) -> bn
}
