"""`load(spec)`: one entry point for every data source; each source's reader is imported only when used."""
from __future__ import annotations

from ..diagnostics import UserError
from .loaded import Data
from .spec import DataKind, DataSpec, parse_data_spec


def load(spec: DataSpec | str, *, augment: bool = True, seed: int = 0, resolution: int = 64) -> Data:
    """Load the data `spec` names (a `DataSpec` or a `--data` string). `augment` turns on the train split's
    crop-and-flip, seeded by `seed`; `resolution` is the side images of a `folder:` source are resized to
    (CIFAR-10 and digits have their own: 32)."""
    if isinstance(spec, str):
        spec = parse_data_spec(spec)
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1:
        raise UserError(f"{spec}: resolution must be a positive integer, not {resolution!r}")
    if spec.kind is DataKind.CIFAR10:
        from .cifar import load_cifar10
        return load_cifar10(spec, augment=augment, seed=seed)
    if spec.kind is DataKind.FOLDER:
        from .folder import load_folder
        return load_folder(spec, augment=augment, seed=seed, resolution=resolution)
    assert spec.kind is DataKind.DIGITS, spec
    from .digits import load_digits
    return load_digits(spec, augment=augment, seed=seed)
