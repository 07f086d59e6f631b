# Every layer of the stage halves the map, so the optional ones change the shape.
network n {
  input(3, 32)
  stem: conv(16, 3) -> bn
  stage s1 { repeat depth in {1..3}: conv(32, 3, stride = 2) -> bn -> relu }
}
