# The fbndsl prelude: composite operators that every space can use, written in the language itself.

# ReLU -> conv -> BN, the unit of NAS-Bench-201 and of DARTS' preprocessing.
op relu_conv_bn(c, k = 1, stride = 1) = relu -> conv(c, k, stride = stride) -> bn

# DARTS separable convolution (Liu et al. 2019): the depthwise-pointwise pair applied twice.
# As in DARTS cells, the input is assumed to have c channels already.
op sep_conv(c, k = 3, stride = 1) =
    relu -> dwconv(k, stride = stride) -> conv(c, 1) -> bn
 -> relu -> dwconv(k) -> conv(c, 1) -> bn

# DARTS dilated separable convolution: one depthwise (dilation 2) -> pointwise pair.
op dil_conv(c, k = 3, stride = 1) = relu -> dwconv(k, stride = stride, dilation = 2) -> conv(c, 1) -> bn
