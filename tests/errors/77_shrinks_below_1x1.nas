# At the smallest resolution the stem leaves a 4x4 map, too small for an 8x8 pooling window.
network n {
  input(3, resolution in {8, 32})
  stem: conv(16, 3, stride = 2) -> bn
  pool: avg_pool(8, stride = 8, pad = 0)
}
