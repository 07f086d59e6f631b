# `a` calls `b`, which calls `a` again.
op a(c) = conv(c) -> b(c)
op b(c) = bn -> a(c)

network n {
  input(3, 32)
  body: a(16)
}
