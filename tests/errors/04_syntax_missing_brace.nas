# The cell's closing brace is missing, so `network` appears inside the cell.
cell c(ch) {
  input x
  node y = x -> conv(ch) -> bn
  output y

network n {
  input(3, 32)
  body: c(16)
}
