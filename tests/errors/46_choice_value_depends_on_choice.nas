# The values of a choice are fixed; they cannot follow another choice.
network n {
  input(3, 32)
  stage s1(c in {16, 32}) { conv(16, k in {c // 8, 3}) -> bn }
}
