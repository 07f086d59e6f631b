"""fbndsl: a compiler for neural-architecture-search spaces.

    >>> import fbndsl
    >>> space = fbndsl.compile("spaces/nb201.nas")
    >>> space.size
    15625
"""
from .cost.model import Cost
from .diagnostics import ArchError, NasError, UserError
from .ir.choices import Arch
from .passes.insert_bn import Fairness
from .pipeline import compile
from .space import Space
from .version import __version__

__all__ = ["compile", "Space", "Arch", "Cost", "Fairness", "NasError", "UserError", "ArchError", "__version__"]
