op conv(c) = relu_conv_bn(c, 3)

network n {
  input(3, 32)
  body: conv(16)
}
