# The stage declares an elastic width `c` but its layers use a fixed 16.
network n {
  input(3, 32)
  stage s1(c in {16, 32}) { conv(16, 3) -> bn }
}
