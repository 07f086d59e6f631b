# MobileNetV2 (Sandler et al., CVPR 2018), exactly torchvision's `mobilenet_v2()`: a fixed network
# with no choices, used to prove the compiler and the cost model against the real thing
# (3,504,872 parameters, 300.77 M MACs at 224x224).

param classes = 1000
param resolution = 224

network mobilenetv2 {
  input(3, resolution)
  stem: conv(32, 3, stride = 2) -> bn -> relu6
  # Inverted residual settings (t, c, n, s): the first block of each group has stride s.
  b1: mbconv(16, k = 3, e = 1)
  stage s2 { repeat 2 as i: mbconv(24, e = 6, stride = 2 if i == 0 else 1) }
  stage s3 { repeat 3 as i: mbconv(32, e = 6, stride = 2 if i == 0 else 1) }
  stage s4 { repeat 4 as i: mbconv(64, e = 6, stride = 2 if i == 0 else 1) }
  stage s5 { repeat 3: mbconv(96, e = 6) }
  stage s6 { repeat 3 as i: mbconv(160, e = 6, stride = 2 if i == 0 else 1) }
  b7: mbconv(320, e = 6)
  last: conv(1280, 1) -> bn -> relu6
  head: global_pool -> dropout(0.2) -> linear(classes)
}
