"""Safe text for generated Python: identifiers made from `.nas` scopes, and comment text.

Nothing from a `.nas` file reaches generated code unescaped. An identifier is reduced to ASCII letters,
digits and underscores (unicode is NFKD-normalised and anything left that is not ASCII is dropped, so a
look-alike such as a Cyrillic 'а' cannot pass for a Latin 'a'), never starts with a digit or an underscore
(so no dunder or private name), and never equals a keyword, a builtin or an attribute of `nn.Module` (an
attribute named `forward` or `training` would silently break the model). A `Namespace` hands out each name
once, as torch.fx's `_Namespace.create_name` does. Comment text is `ascii()`-escaped: a newline or any
control character in a file name becomes a visible escape, so text can never leave its comment line.
"""
from __future__ import annotations

import builtins
import functools
import keyword
import re
import unicodedata

MAX_IDENT = 48  # long enough for deep scopes (`cells3_1_n5_n4_sep_conv_5x5_dwconv2`), short enough to read

_NOT_IDENT = re.compile(r"[^A-Za-z0-9_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def ascii_ident(text: str, fallback: str) -> str:
    """`text` as [A-Za-z0-9_], underscores collapsed and stripped; `fallback` when nothing is left."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = _NOT_IDENT.sub("_", plain)
    out = re.sub(r"_+", "_", out).strip("_")
    return out or fallback


def comment_text(text: str) -> str:
    """`text` safe on a `#` comment line: printable ASCII only, escapes for everything else."""
    escaped = ascii(str(text))[1:-1]
    assert not _CONTROL.search(escaped), escaped
    return escaped


@functools.lru_cache(maxsize=1)
def reserved() -> frozenset[str]:
    """Names a generated attribute must not take: keywords, builtins, and everything `nn.Module` defines."""
    from torch import nn

    module_attrs = set(dir(nn.Module)) | set(vars(nn.Module()))
    return frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | module_attrs


class Namespace:
    """Hands out unique, safe identifiers: `create("s1.0.conv")` -> `s1_0_conv`, then `s1_0_conv_1`, ..."""

    def __init__(self, taken: frozenset[str] = frozenset()):
        self._taken = set(taken)

    def create(self, candidate: str, fallback: str = "m") -> str:
        base = ascii_ident(candidate, fallback)
        if base[0].isdigit():
            base = f"{fallback}_{base}"
        base = base[:MAX_IDENT].rstrip("_")
        if base in reserved() or base in self._taken:
            base = self._numbered(base)
        self._taken.add(base)
        assert base.isidentifier() and not keyword.iskeyword(base) and not base.startswith("_"), base
        return base

    def _numbered(self, base: str) -> str:
        n = 1
        while f"{base}_{n}" in self._taken or f"{base}_{n}" in reserved():
            n += 1
        return f"{base}_{n}"
