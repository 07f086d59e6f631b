# PyTorch pools allow at most half the kernel as padding.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  pool: avg_pool(3, stride = 2, pad = 2)
}
