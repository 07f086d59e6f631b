# The file ends in the middle of a call.
network n {
  input(3, 32)
  stem: conv(16,
