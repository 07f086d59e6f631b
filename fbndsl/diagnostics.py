"""User-facing errors, kept apart from internal invariants (which are plain asserts).

A `NasError` carries a `Span` and renders like a compiler diagnostic::

    spaces/mine.nas:12:9: error: unknown operator 'sep_conv_9x9'
       12 |   node n2 = n0 -> sep_conv_9x9(c)
          |                   ^^^^^^^^^^^^
    hint: did you mean 'sep_conv_5x5'?
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

_SOURCES: dict[str, str] = {}


def register_source(filename: str, text: str) -> None:
    """Remember a file's text so that diagnostics can quote it."""
    _SOURCES[filename] = text


def source_text(filename: str) -> str | None:
    """The text a file had when it was parsed (also for spaces compiled from a string), or None."""
    return _SOURCES.get(filename)


@dataclass(frozen=True)
class Span:
    """A region of a source file; lines and columns are 1-based, the end is exclusive."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __post_init__(self) -> None:
        assert self.line >= 1 and self.col >= 1, self
        assert (self.end_line, self.end_col) >= (self.line, self.col), self

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


BUILTIN_SPAN = Span("<builtin>", 1, 1, 1, 1)


@dataclass(frozen=True)
class Note:
    span: Span
    message: str


class UserError(Exception):
    """Any mistake of the user's: a bad program, a bad flag, bad data. Printed without a traceback.

    Its message is one line whatever it quotes: a line break inside a quoted value (a hand-edited file's field,
    a --set value) is written as `\\n`, so that the error stays the one line our rule promises."""

    def __init__(self, *args):
        super().__init__(*(_escape_breaks(a) if isinstance(a, str) else a for a in args))

    def render(self) -> str:
        return f"error: {clip_middle(str(self))}"


def _escape_breaks(text: str) -> str:
    return text.replace("\r", "\\r").replace("\n", "\\n")


# A one-line error quotes what it refuses (a value, an architecture's text); hostile input can make that
# megabytes long, so the line keeps its start and its end (usually the fix) and drops the middle.
MAX_MESSAGE = 1000


def clip_middle(text: str, width: int = MAX_MESSAGE) -> str:
    if len(text) <= width:
        return text
    keep = (width - 1) // 2
    return text[:keep] + "…" + text[len(text) - keep:]


class NasError(UserError):
    """A located mistake in a `.nas` program."""

    def __init__(self, span: Span, message: str, hint: str | None = None,
                 notes: tuple[Note, ...] = (), severity: str = "error"):
        super().__init__(message)
        self.span, self.message, self.hint, self.notes = span, message, hint, tuple(notes)
        self.severity = severity

    def render(self) -> str:
        lines = [f"{self.span}: {self.severity}: {self.message}", *_quote(self.span)]
        for note in self.notes:
            lines += [f"{note.span}: note: {note.message}", *_quote(note.span)]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        return "\n".join(lines)


class NasErrors(UserError):
    """Several located diagnostics reported together (e.g. every unfair candidate)."""

    def __init__(self, errors: list[NasError]):
        assert errors
        super().__init__(errors[0].message)
        self.errors = errors

    def render(self) -> str:
        return "\n".join(e.render() for e in self.errors)


class ArchError(UserError):
    """An architecture that does not belong to the space (unknown label, bad value, missing choice)."""


def _quote(span: Span) -> list[str]:
    text = _SOURCES.get(span.file)
    if text is None:
        return []
    src_lines = text.splitlines()
    if not 1 <= span.line <= len(src_lines):
        return []
    line = src_lines[span.line - 1].expandtabs(1)
    width = span.end_col - span.col if span.end_line == span.line else len(line) - span.col + 1
    shown, col, width = _clip(line, span.col - 1, max(1, width))
    gutter = str(span.line)
    pad = " " * len(gutter)
    return [f" {gutter} | {shown}", f" {pad} | {' ' * col}{'^' * width}"]


EXCERPT_WIDTH = 120
_MORE = "\u2026"  # one column wide, so the caret stays under its character


def _clip(line: str, col: int, width: int) -> tuple[str, int, int]:
    """A window of EXCERPT_WIDTH columns of `line` around the 0-based column `col`, with an ellipsis on each
    clipped side; returns the window, the caret's column in it and its width (cut at the window's edge).
    A megabyte-long line must not reach the terminal whole."""
    if len(line) <= EXCERPT_WIDTH:
        return line, col, width
    start = min(max(col - EXCERPT_WIDTH // 3, 0), len(line) - EXCERPT_WIDTH)
    end = start + EXCERPT_WIDTH
    head, tail = (_MORE if start > 0 else ""), (_MORE if end < len(line) else "")
    caret = len(head) + col - start
    return head + line[start:end] + tail, caret, max(1, min(width, end - col))


def did_you_mean(name: str, known) -> str | None:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
