"""Python statements as small values, printed within the line length that ruff checks by default.

Renderers build `Assign(target, Call(...))` rather than strings, so that one printer decides how a long
statement wraps, and literals pass through `lit`, which accepts numbers and booleans only: no text from a
`.nas` file can become part of an expression.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 88  # ruff's default line length (E501); a generated file passes `ruff check` without a config
INDENT = "    "


def lit(value) -> str:
    """A numeric or boolean literal (an attribute of the IR, already checked by the compiler)."""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    assert isinstance(value, float) and math.isfinite(value), value
    return repr(value)


def kw(name: str, value) -> str:
    assert name.isidentifier(), name
    return f"{name}={lit(value)}"


@dataclass(frozen=True)
class Call:
    fn: str                    # a dotted path made of generated identifiers, e.g. `self.stem_conv`, `F.relu`
    args: tuple[str, ...] = ()

    def text(self) -> str:
        return f"{self.fn}({', '.join(self.args)})"


@dataclass(frozen=True)
class Sum:
    terms: tuple[str, ...]

    def __post_init__(self) -> None:
        assert len(self.terms) >= 2, self

    def text(self) -> str:
        return " + ".join(self.terms)


@dataclass(frozen=True)
class Assign:
    target: str
    value: Call | Sum | str

    def lines(self, indent: str) -> list[str]:
        value = self.value if isinstance(self.value, str) else self.value.text()
        one = f"{indent}{self.target} = {value}"
        if len(one) <= WIDTH or isinstance(self.value, str):
            return [one]
        if isinstance(self.value, Sum):
            return _wrapped(f"{indent}{self.target} = (", indent, [f"{t} +" for t in self.value.terms[:-1]]
                            + [self.value.terms[-1]], ")")
        return _wrapped(f"{indent}{self.target} = {self.value.fn}(", indent, _commas(self.value.args), ")")


@dataclass(frozen=True)
class Return:
    value: str

    def lines(self, indent: str) -> list[str]:
        return [f"{indent}return {self.value}"]


def _commas(args: tuple[str, ...]) -> list[str]:
    return [f"{a}," for a in args]


def _wrapped(opening: str, indent: str, items: list[str], closing: str) -> list[str]:
    """`opening` / the items on one continuation line, or one per line if that is too long / `closing`."""
    inner = indent + INDENT
    joined = inner + " ".join(items).rstrip(",")
    body = [joined] if len(joined) <= WIDTH else [inner + item for item in items]
    return [opening, *body, indent + closing]


def comment_lines(text: str, indent: str) -> list[str]:
    """`# text`, cut with '...' where it would pass the line length (text is already comment-safe)."""
    room = WIDTH - len(indent) - 2
    if len(text) > room:
        text = text[:room - 3] + "..."
    return [f"{indent}# {text}".rstrip()]


def wrapped_comment(prefix: str, text: str, sep: str, indent: str = "") -> list[str]:
    """A long comment-safe text over several `#` lines, broken after `sep` (e.g. an arch's commas)."""
    room = WIDTH - len(indent) - 2
    lines, current = [], prefix
    for piece in _pieces(text, sep):
        if len(current) + len(piece) > room and current.strip():
            lines.append(current)
            current = "  "
        while len(current) + len(piece) > room:  # a piece longer than a line: hard break
            cut = room - len(current)
            lines.append(current + piece[:cut])
            current, piece = "  ", piece[cut:]
        current += piece
    lines.append(current)
    return [f"{indent}# {line}".rstrip() for line in lines]


def _pieces(text: str, sep: str) -> list[str]:
    parts = text.split(sep)
    return [p + sep for p in parts[:-1]] + [parts[-1]]
