include "inc/no_such_ops.nas"

network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
}
