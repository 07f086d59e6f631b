param width = 1.4
param divisor = 0

network n {
  input(3, 32)
  stem: conv(make_divisible(32 * width, divisor), 3) -> bn
}
