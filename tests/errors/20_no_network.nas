# Operators alone do not make a space.
param C = 16
op block(c) = conv(c, 3) -> bn -> relu
