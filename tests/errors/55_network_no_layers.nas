network n {
  input(3, 32)
}
