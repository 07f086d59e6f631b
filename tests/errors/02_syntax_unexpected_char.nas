# `$` is not part of the language.
param C = 16
network n {
  input(3, 32)
  stem: conv($C, 3) -> bn
}
