# A small BigNAS-style space for CIFAR-10 benchmarks (perf/single_stage.py): the shape of spaces/bignas.nas
# (MobileNetV2 blocks with squeeze-and-excitation and swish; elastic resolution, and per stage elastic
# width, depth and kernel size) at 32x32 and a few percent of its size, so that it trains on two CPU cores.
# `--set w=2` doubles every width (perf/single_stage.py --full).

param classes = 10
param w = 1            # width multiplier

op block(c, k, e, stride, res) = mbconv(c, k = k, e = e, stride = stride, se = true, act = swish, res = res)

network bignas_cifar {
  input(3, resolution in {24, 28, 32})
  stem: conv(out in {8 * w, 16 * w}, k = 3) -> bn -> swish
  stage mb1(c in {8 * w, 16 * w}) {
    repeat depth in {1..2} as i: block(c, 3, 1, 1, i > 0) }
  stage mb2(c in {16 * w, 24 * w}, k in {3, 5}) {
    repeat depth in {1..2} as i: block(c, k, 4, 2 if i == 0 else 1, i > 0) }
  stage mb3(c in {24 * w, 32 * w}, k in {3, 5}) {
    repeat depth in {1..3} as i: block(c, k, 4, 2 if i == 0 else 1, i > 0) }
  stage mb4(c in {32 * w, 48 * w}, k in {3, 5}) {
    repeat depth in {1..2} as i: block(c, k, 4, 2 if i == 0 else 1, i > 0) }
  head: global_pool -> linear(classes)
}
