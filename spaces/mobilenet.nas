# The MobileNet search space of SPOS-style one-shot NAS as used by BN-NAS (Chen et al., ICCV 2021)
# and FBN-NAS: 21 searchable layers; each is an inverted bottleneck (MBConv) with kernel {3,5,7}
# x expansion {3,6}, or the identity (skip) where the layer keeps its shape. The first layer of a
# stage changes the shape, so it cannot be skipped. Layout of BN-NAS' supernet (ImageNet, 224x224).
#
# SE variant: fbndsl compile spaces/mobilenet.nas --set se=true

param classes = 1000
param resolution = 224
param se = false       # squeeze-and-excitation inside every MBConv candidate

op k3e3(c, s) = mbconv(c, k = 3, e = 3, stride = s, se = se)
op k3e6(c, s) = mbconv(c, k = 3, e = 6, stride = s, se = se)
op k5e3(c, s) = mbconv(c, k = 5, e = 3, stride = s, se = se)
op k5e6(c, s) = mbconv(c, k = 5, e = 6, stride = s, se = se)
op k7e3(c, s) = mbconv(c, k = 7, e = 3, stride = s, se = se)
op k7e6(c, s) = mbconv(c, k = 7, e = 6, stride = s, se = se)
op skip = identity

# The first layer of a stage (changes channels or stride), then the layers that may be skipped.
op first(c, s) = choose(k3e3(c, s), k3e6(c, s), k5e3(c, s), k5e6(c, s), k7e3(c, s), k7e6(c, s))
op layer(c) = choose(k3e3(c, 1), k3e6(c, 1), k5e3(c, 1), k5e6(c, 1), k7e3(c, 1), k7e6(c, 1), skip)

network mobilenet {
  input(3, resolution)
  stem: conv(40, 3, stride = 2) -> bn -> relu6
  b0: mbconv(24, k = 3, e = 1)
  stage s1 { first(32, 2)   repeat 3: layer(32) }
  stage s2 { first(56, 2)   repeat 3: layer(56) }
  stage s3 { first(112, 2)  repeat 3: layer(112) }
  stage s4 { first(128, 1)  repeat 3: layer(128) }
  stage s5 { first(256, 2)  repeat 3: layer(256) }
  stage s6 { first(432, 1) }
  last: conv(1728, 1) -> bn -> relu6
  head: global_pool -> linear(classes)
}
