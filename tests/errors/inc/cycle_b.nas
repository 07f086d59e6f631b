# Helper for 22_include_cycle.nas.
include "cycle_a.nas"
op b_block(c) = conv(c, 5) -> bn
