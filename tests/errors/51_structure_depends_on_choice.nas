# Whether to pool depends on a choice: that is a choose(...), not an if.
network n {
  input(3, 32)
  stage s1(c in {16, 32}) {
    conv(c, 3) -> bn -> (max_pool(3, stride = 2) if c > 16 else identity)
  }
}
