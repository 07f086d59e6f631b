# Helper for the command-line tests of test_errors.py (not a case): a small valid space.
param C = 16
param channels = 32
param width = 1.0
param se = false

network cli {
  input(3, 32)
  stem: conv(C, k in {3, 5}) -> bn -> relu
  body: choose(narrow: conv(channels, 3) -> bn, wide: conv(2 * channels, 3) -> bn -> conv(channels, 1) -> bn)
  head: global_pool -> linear(10)
}
