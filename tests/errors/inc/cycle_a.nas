# Helper for 22_include_cycle.nas: includes cycle_b.nas, which includes this file again.
include "cycle_b.nas"
op a_block(c) = conv(c, 3) -> bn
