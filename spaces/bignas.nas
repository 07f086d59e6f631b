# The BigNAS search space (Yu et al., ECCV 2020, Table 1): MobileNetV2-based, swish activations,
# squeeze-and-excitation in every block, elastic resolution, and per stage elastic width (channels),
# depth and kernel size. Width, kernel and expansion are shared by the blocks of a stage; a smaller
# depth keeps a stage's first blocks (see docs/language.md, "Weight sharing").

param classes = 1000

op block(c, k, e, stride, res) = mbconv(c, k = k, e = e, stride = stride, se = true, act = swish, res = res)

network bignas {
  input(3, resolution in {192, 224, 256, 288, 320})
  stem: conv(out in {32, 40}, k = 3, stride = 2) -> bn -> swish
  # stage     channels                 depth              kernel            expansion 1 / 6, stride
  stage mb1(c in {16, 24}) {
    repeat depth in {1..2} as i: block(c, 3, 1, 1, i > 0) }
  stage mb2(c in {24, 32}) {
    repeat depth in {2..3} as i: block(c, 3, 6, 2 if i == 0 else 1, i > 0) }
  stage mb3(c in {40, 48}, k in {3, 5}) {
    repeat depth in {2..3} as i: block(c, k, 6, 2 if i == 0 else 1, i > 0) }
  stage mb4(c in {80, 88}, k in {3, 5}) {
    repeat depth in {2..4} as i: block(c, k, 6, 2 if i == 0 else 1, i > 0) }
  stage mb5(c in {112..128 step 8}, k in {3, 5}) {
    repeat depth in {2..6} as i: block(c, k, 6, 1, i > 0) }
  stage mb6(c in {192..216 step 8}, k in {3, 5}) {
    repeat depth in {2..6} as i: block(c, k, 6, 2 if i == 0 else 1, i > 0) }
  stage mb7(c in {320, 352}, k in {3, 5}) {
    repeat depth in {1..2} as i: block(c, k, 6, 1, i > 0) }
  last: conv(out in {1280, 1408}, k = 1) -> bn -> swish
  head: global_pool -> linear(classes)
}
