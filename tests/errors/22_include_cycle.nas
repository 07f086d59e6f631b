include "inc/cycle_a.nas"

network n {
  input(3, 32)
  stem: a_block(16)
}
