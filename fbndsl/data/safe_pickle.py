"""Reading CIFAR-10's pickles without letting a pickle run code.

`pickle.load` calls any importable function a file names (`os.system`, `builtins.eval`, ...), so a doctored
`data_batch_1` would own the machine. This unpickler resolves only the globals that the official CIFAR-10
batches contain (found with `pickletools.dis`): numpy's array reconstruction, `numpy.ndarray` and
`numpy.dtype`, plus the plain builtin containers and scalars. A batch re-saved from Python 3 may also use
protocol 2's spelling of bytes (`_codecs.encode(text, 'latin1')`, admitted for latin-1 only) or protocol 5's
array reconstructor (`_frombuffer`, numpy's view of in-band bytes). Anything else stops the load before it runs.
"""
from __future__ import annotations

import importlib
import pickle
from functools import cache
from pathlib import Path

from ..diagnostics import UserError

_BUILTINS = ("dict", "list", "tuple", "str", "bytes", "int", "float")
_NUMPY = ("ndarray", "dtype")
# numpy 1.x wrote `numpy.core.<module>`, numpy 2 writes `numpy._core.<module>`: both name one function.
_NUMPY_CORES = ("numpy.core", "numpy._core")
# Where numpy's array reconstructors live: `_reconstruct` rebuilds an array for protocols 0 to 4, `_frombuffer`
# for protocol 5 (a view of bytes the pickle holds in-band). Both make plain arrays of a given dtype and shape.
_RECONSTRUCTORS = (("multiarray", "_reconstruct"), ("numeric", "_frombuffer"))
# Protocols 0 to 2 have no bytes opcode: Python 3 pickles b"..." as `_codecs.encode("...", "latin1")`.
_LATIN1 = frozenset({"latin1", "latin-1", "latin_1", "iso-8859-1", "iso8859-1"})


class DisallowedGlobal(pickle.UnpicklingError):
    """A pickle named a global outside the allow-list; its text is the dotted name."""


@cache
def _allowed() -> dict[tuple[str, str], object]:
    """The allow-list, resolved once. Python 2 pickles say `__builtin__` where Python 3 says `builtins`."""
    import builtins

    import numpy

    table: dict[tuple[str, str], object] = {}
    for module in ("builtins", "__builtin__"):
        table.update({(module, name): getattr(builtins, name) for name in _BUILTINS})
    table.update({("numpy", name): getattr(numpy, name) for name in _NUMPY})
    for module, name in _RECONSTRUCTORS:
        func = _numpy_core_function(module, name)
        table.update({(f"{core}.{module}", name): func for core in _NUMPY_CORES})
    table[("_codecs", "encode")] = _latin1_encode
    return table


def _numpy_core_function(module: str, name: str):
    """numpy's `name` from `numpy._core.<module>` (numpy 2) or `numpy.core.<module>` (numpy 1), without the
    deprecation warning that importing `numpy.core` gives on numpy 2."""
    try:
        return getattr(importlib.import_module(f"numpy._core.{module}"), name)
    except ImportError:
        return getattr(importlib.import_module(f"numpy.core.{module}"), name)


def _latin1_encode(text: str, encoding: str) -> bytes:
    """`_codecs.encode` as protocol 2 calls it for bytes, and only so: the real one looks a codec up by a name
    the file chooses, which a restricted unpickler has no reason to allow."""
    if not isinstance(text, str) or encoding not in _LATIN1:
        raise DisallowedGlobal(f"_codecs.encode with encoding {encoding!r}")
    return text.encode("latin-1")


class RestrictedUnpickler(pickle.Unpickler):
    """An Unpickler that resolves only allow-listed globals and refuses everything else."""

    def find_class(self, module: str, name: str):
        obj = _allowed().get((module, name))
        if obj is None:
            raise DisallowedGlobal(f"{module}.{name}")
        return obj


def load_pickle(path: Path, context: str):
    """Unpickle `path` through the allow-list; every failure is a one-line UserError that names the file.

    Python 2 strings are decoded as latin-1, which numpy requires for the raw bytes of Python 2 arrays.
    """
    try:
        with path.open("rb") as f:
            return RestrictedUnpickler(f, encoding="latin1").load()
    except DisallowedGlobal as e:
        raise UserError(f"{context}: {path} contains a disallowed object '{e}' and was not loaded; "
                        f"CIFAR-10 batches hold only dicts, lists, strings, numbers and numpy arrays, "
                        f"so replace it with the official file") from None
    except OSError as e:
        raise UserError(f"{context}: cannot read {path}: {e.strerror or e}") from None
    except Exception as e:  # noqa: BLE001 - any failure inside a corrupt pickle is the file's fault
        raise UserError(f"{context}: {path} is truncated or corrupt ({_one_line(e)}); "
                        f"download the CIFAR-10 python version again") from None


def _one_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__
