# compile with: --fairness check
# The pooling and skip candidates do not end in a BatchNorm.
op skip = identity

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  layer: choose(conv: conv(16, 3) -> bn, pool: max_pool(3), skip)
}
