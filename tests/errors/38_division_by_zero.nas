param groups = 0
param C = 64 // groups

network n {
  input(3, 32)
  stem: conv(C, 3) -> bn
}
