network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  mix: concat(conv(16, 1) -> bn,
              max_pool(3, stride = 2))
}
