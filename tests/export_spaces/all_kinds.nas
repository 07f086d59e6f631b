# Every operator kind the exporter renders, in one network (tests/test_export.py): bias, dilation, affine=false,
# every activation, a standalone se, concat, pooling with and without padding, factorized_reduce, mbconv with
# and without expansion, se and residual, residual(), dropout, a linear without bias.
network allkinds {
  input(3, 16)
  a: conv(8, 3, stride = 2, bias = true) -> bn -> hswish
  b: dwconv(5, dilation = 2, bias = true) -> bn(affine = false) -> swish
  c: se(0.5) -> sigmoid -> hsigmoid -> relu6 -> relu
  d: concat(max_pool(3, stride = 1), avg_pool(3), conv(8, 1))
  e: choose(fr: factorized_reduce(16), mx: max_pool(3, stride = 2) -> conv(16, 1) -> bn)
  f: mbconv(16, k = 3, e = 1, se = true, act = hswish)
  g: mbconv(24, k = 5, e = 4, stride = 2, se = true, se_ratio = 0.5, act = swish)
  h: residual(conv(24, 3) -> bn)
  head: global_pool -> dropout(0.1) -> linear(5, bias = false)
}
