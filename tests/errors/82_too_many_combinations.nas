# a choice product too large to check exhaustively is refused, not hung on
network { input(3, 8)  l: conv(out in {1..4096}, k in {1..4096}) }
