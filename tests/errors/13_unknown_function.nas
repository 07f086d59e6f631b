param C = 16
param wide = maxx(C, 24)

network n {
  input(3, 32)
  stem: conv(wide) -> bn
}
