op sep_conv_3x3(c) = sep_conv(c, 3)
op sep_conv_5x5(c) = sep_conv(c, 5)

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  mixed: choose(sep_conv_9x9(16), sep_conv_3x3(16))
}
