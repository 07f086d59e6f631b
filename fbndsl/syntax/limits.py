"""Bounds on a source file, checked before Lark sees it (docs/language.md, "Limits").

Lark's parser is linear but slow (about 6 s a megabyte), and the passes after it recurse once or twice per
level of nesting, so a hostile file could take minutes or exhaust the stack. The size is checked before the
whole file is read; brackets and runs of signs by one linear scan of the text, before parsing; the forms
that nest without brackets (`**`, `if ... else`, `not`, signs between brackets) on the parse tree.
"""
from __future__ import annotations

import itertools
import re

from lark import Tree

from ..diagnostics import NasError, Note, Span

MAX_SOURCE_BYTES = 1_000_000
# The passes after parsing recurse once or twice per level of the syntax tree, and a bracket can be three
# levels (`choose(a: ...)` is a choice, an alternative and a chain): about 190 nested `choose`s exhaust
# Python's default stack of 1,000 frames. 100 leaves room for the other forms mixed in and for the caller's own.
MAX_NESTING = 100

_HINT = "name the inner parts with `param` or `op`"
# What the text scan looks at: comments and strings as the grammar defines them (skipped), brackets, and runs
# of prefix signs (`-` that is not the start of `->`, and `not`); everything else is passed over by the regex.
_SCAN = re.compile(r'#[^\n]*|"[^"\n]*"|(?P<open>[(\[{])|(?P<close>[)\]}])'
                   r'|(?P<signs>(?:(?:-(?!>)|\bnot\b)[ \t\r\n]*)+)')
_SIGN = re.compile(r"-|not")
_BEFORE_AN_EXPRESSION = frozenset({"not", "and", "or", "if", "else", "step", "repeat"})
# Parse-tree nodes that put one expression inside another without a bracket of their own.
_NESTING_FORMS = frozenset({"neg", "not_expr", "power", "cond_expr"})


def check_size(size: int) -> str | None:
    """Why a source of `size` bytes is refused, or None."""
    if size <= MAX_SOURCE_BYTES:
        return None
    return f"the file is {size:,} bytes; a .nas file may have at most {MAX_SOURCE_BYTES:,}"


def check_brackets(text: str, filename: str) -> None:
    """Refuse more than MAX_NESTING brackets open at once, or a run of more than MAX_NESTING prefix signs, at
    the first character past the limit; one pass, no recursion."""
    opened: list[int] = []
    for m in _SCAN.finditer(text):
        if m["open"]:
            opened.append(m.start())
            if len(opened) > MAX_NESTING:
                raise _too_deep(text, filename, m.start(), f"more than {MAX_NESTING} brackets open at once",
                                outermost=opened[0])
        elif m["close"] and opened:
            opened.pop()
        elif m["signs"]:
            _check_signs(text, filename, m)


_OPERATORS = f"more than {MAX_NESTING} signs, `not`s, `**`s or `if ... else`s inside each other"


def _check_signs(text: str, filename: str, run: re.Match) -> None:
    """Counts first: a megabyte of signs is one match, and a match object per sign would cost far more."""
    signs = run["signs"]
    binary = _subtracts(text, run.start())
    if signs.count("-") + signs.count("not") - binary <= MAX_NESTING:
        return
    past = next(itertools.islice(_SIGN.finditer(signs), MAX_NESTING + binary, None))
    raise _too_deep(text, filename, run.start() + past.start(), _OPERATORS)


def _subtracts(text: str, start: int) -> bool:
    """Whether the `-` at `start` is a binary minus: it follows a value (a name or number that is not a
    keyword, or a closing bracket), whitespace between."""
    end = start
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    begin = end
    while begin > 0 and (text[begin - 1].isalnum() or text[begin - 1] == "_"):
        begin -= 1
    if begin < end:
        return text[begin:end] not in _BEFORE_AN_EXPRESSION
    return end > 0 and text[end - 1] in ")]}"


def check_tree(tree: Tree, text: str, filename: str) -> None:
    """Refuse a path through the parse tree with more than MAX_NESTING of the forms that nest without
    brackets, at the first one past the limit. Iterative: the tree may be far deeper than Python's stack."""
    stack: list[tuple[Tree, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if node.data in _NESTING_FORMS:
            depth += 1
            if depth > MAX_NESTING:
                raise _too_deep(text, filename, node.meta.start_pos, _OPERATORS)
        # reversed: the first child is visited first, so the error is the first one in the text
        stack.extend((child, depth) for child in reversed(node.children) if isinstance(child, Tree))


def _too_deep(text: str, filename: str, offset: int, what: str, outermost: int | None = None) -> NasError:
    notes = () if outermost is None else (Note(_span(text, filename, outermost), "the outermost opens here"),)
    return NasError(_span(text, filename, offset), f"the program nests too deeply: {what}", hint=_HINT,
                    notes=notes)


def _span(text: str, filename: str, offset: int) -> Span:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(filename, line, col, line, col + 1)
