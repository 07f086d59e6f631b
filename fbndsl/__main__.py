"""`python -m fbndsl`: the `fbndsl` command."""
from .cli import main

main()
