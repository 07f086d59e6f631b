"""What a `--data` value names: a kind of source and, for file sources, a path.

Parsing is separate from loading (and imports no torch) so that the CLI can reject a bad `--data` at once,
before it spends seconds importing torch and reading images.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from ..diagnostics import UserError

FORMS = ("cifar10:PATH (the CIFAR-10 python directory, cifar-10-batches-py)",
         "folder:PATH (PATH/train/<class>/*.png|jpg and PATH/val/<class>/..., or PATH/<class>/...)",
         "digits (scikit-learn's built-in 8x8 digits)")


class DataKind(Enum):
    """The kinds of data source; a typo in a kind fails at import, not when a run starts."""

    CIFAR10 = "cifar10"
    FOLDER = "folder"
    DIGITS = "digits"

    @property
    def needs_path(self) -> bool:
        return self is not DataKind.DIGITS


@dataclass(frozen=True)
class DataSpec:
    """A parsed `--data` value; `str()` gives it back in the form the user wrote."""

    kind: DataKind
    path: Path | None = None

    def __post_init__(self) -> None:
        assert (self.path is not None) == self.kind.needs_path, self

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.path}" if self.path is not None else self.kind.value


def parse_data_spec(spec: str) -> DataSpec:
    """Parse `cifar10:PATH`, `folder:PATH` or `digits`; anything else is a one-line UserError listing the forms."""
    scheme, _, rest = spec.partition(":")
    kind = next((k for k in DataKind if k.value == scheme), None)
    if kind is None:
        raise UserError(f"data '{spec}': unknown data source; valid forms: {'; '.join(FORMS)}")
    if not kind.needs_path:
        if rest:
            raise UserError(f"data '{spec}': {kind.value} is built in and takes no path; write just '{kind.value}'")
        return DataSpec(kind)
    if not rest.strip():
        raise UserError(f"data '{spec}': {kind.value} needs a path; write {kind.value}:PATH")
    return DataSpec(kind, Path(rest).expanduser())
