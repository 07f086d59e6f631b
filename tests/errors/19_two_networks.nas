network small {
  input(3, 32)
  stem: conv(16, 3) -> bn
}

network large {
  input(3, 32)
  stem: conv(64, 3) -> bn
}
