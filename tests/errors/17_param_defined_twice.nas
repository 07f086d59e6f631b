param C = 16
param classes = 10
param C = 32

network n {
  input(3, 32)
  stem: conv(C, 3) -> bn
}
