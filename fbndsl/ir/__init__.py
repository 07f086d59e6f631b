"""The IR every pass reads and writes: the operator library (`ops`), the graph with its shapes (`graph`), choice
points and architectures (`choices`), symbolic values (`sym`), which nodes depend on the input (`dependence`),
counting, enumerating and sampling architectures (`count`), and the active part of one architecture (`subnet`).

Torch-free and parser-free: everything above builds on it, it builds on `diagnostics` alone.
"""
