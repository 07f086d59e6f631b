# ResNet-18 (He et al., CVPR 2016), exactly torchvision's `resnet18()`: a fixed network with no
# choices, used to prove the compiler and the cost model (11,689,512 parameters, 1.814 G MACs).

param classes = 1000
param resolution = 224

# BasicBlock: two 3x3 convolutions; the shortcut is the identity, or a strided 1x1 convolution
# with BatchNorm where the block changes the shape.
op basic(c) = residual(conv(c, 3) -> bn -> relu -> conv(c, 3) -> bn) -> relu
op basic_down(c) = add(conv(c, 3, stride = 2) -> bn -> relu -> conv(c, 3) -> bn,
                       conv(c, 1, stride = 2) -> bn) -> relu

network resnet18 {
  input(3, resolution)
  stem: conv(64, 7, stride = 2) -> bn -> relu -> max_pool(3, stride = 2)
  stage layer1 { repeat 2: basic(64) }
  stage layer2 { basic_down(128)  basic(128) }
  stage layer3 { basic_down(256)  basic(256) }
  stage layer4 { basic_down(512)  basic(512) }
  head: global_pool -> linear(classes)
}
