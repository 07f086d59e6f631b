"""Text -> syntax tree: runs Lark and turns its parse tree into `ast` nodes with spans."""
from __future__ import annotations

import re

from lark import Token, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError
from lark.visitors import Transformer_NonRecursive

from ..diagnostics import NasError, Note, Span, UserError, register_source
from . import ast, limits
from .grammar import parser

_MAX_DIGITS = 100
_SHOWN_TOKEN = 40  # a longer name or number is clipped in messages: the excerpt below shows where it is
_BINOPS = {op.value: op for op in ast.BinOp}

_TERMINAL_NAMES = {
    "NAME": "a name", "INT": "an integer", "FLOAT": "a number", "STRING": "a quoted path",
    "COMP_OP": "an operator", "ADD_OP": "an operator", "MUL_OP": "an operator", "_POW": "an operator",
    "$END": "end of file",
}
# Shown first in "expected ..." hints; where one of _CLOSERS fits, operators that would only extend
# the expression before it are left out (`conv(16 3)` wants ',' or ')', not '*').
_PUNCTUATION = (")", ",", "}", "]", "=", ":", "->", "{", "(")
_CLOSERS = {"RPAR", "COMMA", "RBRACE", "RSQB"}
_EXPR_CONTINUATIONS = {"ADD_OP", "MUL_OP", "COMP_OP", "_POW", "AND", "OR", "IF"}
_EXPR_STARTS = {"INT", "FLOAT", "NAME", "LPAR", "MINUS", "NOT", "TRUE", "FALSE"}


def parse(text: str, filename: str) -> ast.Program:
    """Parse one `.nas` file. Raises `NasError` pointing at the first syntax error."""
    too_big = limits.check_size(len(text.encode("utf-8", "surrogatepass")))
    if too_big:
        raise UserError(f"{filename}: {too_big}")
    register_source(filename, text)
    limits.check_brackets(text, filename)  # before Lark: its time and memory grow with the nesting's size
    try:
        tree = parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, filename) from None
    limits.check_tree(tree, text, filename)  # the passes after parsing recurse once per level
    try:
        items = _ToAst(filename).transform(tree)
    except VisitError as exc:  # a NasError raised while building the tree (e.g. two cell outputs)
        if isinstance(exc.orig_exc, NasError):
            raise exc.orig_exc from None
        raise
    return ast.Program(filename, tuple(items.children))


def _syntax_error(exc: UnexpectedInput, text: str, filename: str) -> NasError:
    line, col = max(getattr(exc, "line", 1) or 1, 1), max(getattr(exc, "column", 1) or 1, 1)
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "end of file"
        return NasError(Span(filename, line, col, line, col + 1), f"unexpected character {char!r}")
    expected = _accepted(exc)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        line, col = _end_position(text)
        return _maybe_unclosed(NasError(Span(filename, line, col, line, col), "unexpected end of file",
                                        hint=_expected(expected)), text, len(text), expected)
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    end = col + max(len(str(tok)), 1)
    if tok.type == "RBRACE" and text[:tok.start_pos].rstrip().endswith("{"):
        return NasError(Span(filename, line, col, line, end), "empty set: a choice needs at least one value",
                        hint="e.g. {16, 24, 32} or {3..7 step 2}")
    misplaced = _misplaced_declaration(text, tok, filename) if expected == {"COLON"} else None
    if misplaced is not None:
        return misplaced
    error = NasError(Span(filename, line, col, line, end), f"unexpected {_describe(tok)}",
                     hint=_expected(expected))
    return _maybe_unclosed(error, text, tok.start_pos, expected)


def _misplaced_declaration(text: str, tok: Token, filename: str) -> NasError | None:
    """`param C = 16` inside a block reads as a layer named `param`; say what really went wrong."""
    m = re.search(r"\b(param|op|cell|include)\s+$", text[:tok.start_pos])
    if m is None:
        return None
    line, col = _position(text, m.start(1))
    return NasError(Span(filename, line, col, line, col + len(m[1])),
                    f"'{m[1]}' declarations belong at the top level of the file, not inside a block",
                    hint="move it above the `network` (or `cell`) that contains it")


def _accepted(exc: UnexpectedInput) -> set[str]:
    """The terminals that really fit where the error is (Lark's `expected` over-approximates in LALR)."""
    interactive = getattr(exc, "interactive_parser", None)
    if interactive is None:
        return set(getattr(exc, "expected", ()))
    return set(interactive.accepts())


def _maybe_unclosed(error: NasError, text: str, pos: int, expected) -> NasError:
    """Point at the '{' that the file never closes, when a '}' would have fitted at the error."""
    opened = _unclosed_brace(text, pos) if "RBRACE" in expected else None
    if opened is None:
        return error
    line, col = _position(text, opened)
    note = Note(Span(error.span.file, line, col, line, col + 1), "this '{' is never closed")
    return NasError(error.span, error.message, hint="a '}' is missing; close the block before this point",
                    notes=(note,))


def _unclosed_brace(text: str, pos: int) -> int | None:
    """Offset of the last '{' before pos that nothing in the file closes (comments, strings skipped)."""
    stack: list[int] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "#":
            newline = text.find("\n", i)
            i = len(text) if newline < 0 else newline
            continue
        if ch == '"':
            close = text.find('"', i + 1)
            i = len(text) if close < 0 else close + 1
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            stack.pop()
        i += 1
    before = [b for b in stack if b < pos]
    return before[-1] if before else None


def _position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _end_position(text: str) -> tuple[int, int]:
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _describe(tok: Token) -> str:
    shown = str(tok) if len(tok) <= _SHOWN_TOKEN else str(tok)[:_SHOWN_TOKEN - 1] + "…"
    if tok.type in ("NAME", "INT", "FLOAT", "STRING"):
        return f"{_TERMINAL_NAMES[tok.type].split(' ', 1)[1]} '{shown}'"
    return f"'{shown}'"


def _expected(names) -> str | None:
    terminals = {t.name: t for t in parser().terminals}
    if set(names) & _CLOSERS:
        names = set(names) - _EXPR_CONTINUATIONS
    shown = set()
    if _EXPR_STARTS <= set(names):  # anywhere an expression may start, say so once
        names, shown = set(names) - _EXPR_STARTS, {"an expression"}
    for name in names:
        if name in _TERMINAL_NAMES:
            shown.add(_TERMINAL_NAMES[name])
        elif name in terminals and terminals[name].pattern.type == "str":
            shown.add(f"'{terminals[name].pattern.value}'")
    if not shown:
        return None
    ordered = sorted(shown, key=_hint_order)
    if len(ordered) > 8:
        return "expected " + ", ".join(ordered[:8]) + ", ..."
    return "expected " + (f"{', '.join(ordered[:-1])} or {ordered[-1]}" if len(ordered) > 1 else ordered[0])


def _hint_order(shown: str):
    """Punctuation first, then kinds of token, keywords, operators, end of file."""
    bare = shown.strip("'")
    if shown.startswith("'") and bare in _PUNCTUATION:
        return (0, _PUNCTUATION.index(bare), "")
    if shown in ("an operator", "end of file"):
        return (3 + (shown == "end of file"), 0, shown)
    return (1 if not shown.startswith("'") else 2, 0, shown)


def _tok_span(filename: str, tok: Token) -> Span:
    return Span(filename, tok.line, tok.column, tok.end_line, tok.end_column)


@v_args(meta=True)
class _ToAst(Transformer_NonRecursive):
    """One method per grammar rule; each builds the frozen node with the rule's span. Non-recursive: 100
    nested `choose`s (within the nesting limit) are 300 levels of tree, and a recursive transformer spends
    several stack frames on each."""

    def __init__(self, filename: str):
        super().__init__()
        self.file = filename

    def _span(self, meta) -> Span:
        return Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def _id(self, tok: Token) -> ast.Ident:
        return ast.Ident(str(tok), _tok_span(self.file, tok))

    # top level
    def include(self, meta, c):
        return ast.Include(str(c[0])[1:-1], self._span(meta))

    def param(self, meta, c):
        return ast.Param(self._id(c[0]), c[1], self._span(meta))

    def op_def(self, meta, c):
        return ast.OpDef(self._id(c[0]), c[1] or (), c[2], self._span(meta))

    def formals(self, meta, c):
        return tuple(f for f in c if f is not None)

    def formal(self, meta, c):
        return ast.Formal(self._id(c[0]), c[1], self._span(meta))

    def network(self, meta, c):
        name = self._id(c[0]) if c[0] is not None else None
        return ast.Network(name, tuple(c[1:]), self._span(meta))

    def cell_def(self, meta, c):
        name, formals, stmts = self._id(c[0]), c[1] or (), c[2:]
        inputs = tuple(i for s in stmts if isinstance(s, tuple) for i in s)
        nodes = tuple(s for s in stmts if isinstance(s, ast.CellNode))
        outputs = [s for s in stmts if isinstance(s, ast.CellOutput)]
        return ast.CellDef(name, formals, inputs, nodes, _single_output(outputs), self._span(meta))

    # operator expressions
    def chain(self, meta, c):
        return ast.Chain(tuple(c), self._span(meta))

    def call(self, meta, c):
        args = tuple(a for a in c[1:] if a is not None)
        return ast.Call(self._id(c[0]), args, self._span(meta))

    def choose(self, meta, c):
        return ast.Choose(c[0], tuple(c[1:]), self._span(meta))

    def optional(self, meta, c):
        return ast.Optional(c[0], c[1], self._span(meta))

    def label(self, meta, c):
        return self._id(c[0])

    def alt(self, meta, c):
        key = self._id(c[0]) if c[0] is not None else None
        return ast.Alt(key, c[1], self._span(meta))

    def add(self, meta, c):
        return ast.Combine(ast.CombineKind.ADD, tuple(c), self._span(meta))

    def concat(self, meta, c):
        return ast.Combine(ast.CombineKind.CONCAT, tuple(c), self._span(meta))

    def residual(self, meta, c):
        return ast.Combine(ast.CombineKind.RESIDUAL, tuple(c), self._span(meta))

    def op_if(self, meta, c):
        return ast.OpIf(c[0], c[1], c[2], self._span(meta))

    def pos_arg(self, meta, c):
        return ast.PosArg(c[0], self._span(meta))

    def kw_arg(self, meta, c):
        return ast.KwArg(self._id(c[0]), c[1], self._span(meta))

    def choice_arg(self, meta, c):
        return ast.ChoiceArg(self._id(c[0]), c[1], self._span(meta))

    def set_list(self, meta, c):
        return ast.SetList(tuple(c), self._span(meta))

    def set_range(self, meta, c):
        return ast.SetRange(c[0], c[1], c[2], self._span(meta))

    # cells
    def cell_input(self, meta, c):
        return tuple(self._id(t) for t in c)

    def node(self, meta, c):
        name, body = self._id(c[0]), c[1]
        if isinstance(body, ast.Edge):
            return ast.CellNode(name, ast.NodeKind.EDGE, (body,), None, self._span(meta))
        kind, pick, edges = body
        return ast.CellNode(name, kind, edges, pick, self._span(meta))

    def node_sum(self, meta, c):
        return ast.NodeKind.SUM, None, tuple(c)

    def node_pick(self, meta, c):
        return ast.NodeKind.PICK, c[0], tuple(c[1:])

    def node_concat(self, meta, c):
        return ast.NodeKind.CONCAT, None, tuple(ast.Edge(self._id(t), None, _tok_span(self.file, t)) for t in c)

    def edge(self, meta, c):
        return ast.Edge(self._id(c[0]), c[1], self._span(meta))

    def output_node(self, meta, c):
        return ast.CellOutput((self._id(c[0]),), False, self._span(meta))

    def output_concat(self, meta, c):
        return ast.CellOutput(tuple(self._id(t) for t in c), True, self._span(meta))

    # macro structure
    def net_input(self, meta, c):
        return ast.NetInput(tuple(a for a in c if a is not None), self._span(meta))

    def layer(self, meta, c):
        return ast.Layer(self._id(c[0]), c[1], self._span(meta))

    def stage(self, meta, c):
        args = tuple(a for a in c[1:] if isinstance(a, (ast.PosArg, ast.KwArg, ast.ChoiceArg)))
        body = tuple(b for b in c[1:] if isinstance(b, (ast.Repeat, ast.Chain)))
        return ast.Stage(self._id(c[0]), args, body, self._span(meta))

    def repeat(self, meta, c):
        var = self._id(c[1]) if c[1] is not None else None
        return ast.Repeat(c[0], var, c[2], self._span(meta))

    def elastic_count(self, meta, c):
        return ast.ElasticCount(self._id(c[0]), c[1], self._span(meta))

    # expressions
    def int_lit(self, meta, c):
        if len(c[0]) > _MAX_DIGITS:  # too long for int(); evaluation bounds the shorter ones
            raise NasError(self._span(meta), "number too large")
        return ast.Num(int(c[0]), self._span(meta))

    def float_lit(self, meta, c):
        return ast.Num(float(c[0]), self._span(meta))

    def true_lit(self, meta, c):
        return ast.Bool(True, self._span(meta))

    def false_lit(self, meta, c):
        return ast.Bool(False, self._span(meta))

    def name_ref(self, meta, c):
        return ast.Name(str(c[0]), self._span(meta))

    def func_call(self, meta, c):
        return ast.FuncCall(self._id(c[0]), tuple(a for a in c[1:] if a is not None), self._span(meta))

    def cond_expr(self, meta, c):
        return ast.IfElse(c[1], c[0], c[2], self._span(meta))

    def not_expr(self, meta, c):
        return ast.Not(c[0], self._span(meta))

    def neg(self, meta, c):
        return ast.Neg(c[0], self._span(meta))

    def or_expr(self, meta, c):
        return self._fold(meta, c, ast.BinOp.OR)

    def and_expr(self, meta, c):
        return self._fold(meta, c, ast.BinOp.AND)

    def _fold(self, meta, c, op):
        out = c[0]
        for rhs in c[1:]:
            out = ast.Binary(op, out, rhs, _join(out.span, rhs.span))
        return out

    def comparison(self, meta, c):
        return ast.Binary(_BINOPS[str(c[1])], c[0], c[2], self._span(meta))

    def arith(self, meta, c):
        return self._fold_ops(c)

    product = arith

    def _fold_ops(self, c):
        out = c[0]
        for op, rhs in zip(c[1::2], c[2::2]):
            out = ast.Binary(_BINOPS[str(op)], out, rhs, _join(out.span, rhs.span))
        return out

    def power(self, meta, c):
        return ast.Binary(ast.BinOp.POW, c[0], c[1], self._span(meta))


def _join(a: Span, b: Span) -> Span:
    return Span(a.file, a.line, a.col, b.end_line, b.end_col)


def _single_output(outputs):
    if len(outputs) > 1:
        raise NasError(outputs[1].span, "a cell has one output",
                       notes=(_note(outputs[0].span, "first output declared here"),))
    return outputs[0] if outputs else None


def _note(span, message):
    from ..diagnostics import Note

    return Note(span, message)
