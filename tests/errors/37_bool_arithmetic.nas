param se = true
param C = 16 + se
network n {
  input(3, 32)
  stem: conv(C, 3) -> bn
}
