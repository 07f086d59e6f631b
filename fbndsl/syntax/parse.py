"""Text -> syntax tree: runs Lark and turns its parse tree into `ast` nodes with spans."""
from __future__ import annotations

from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..diagnostics import NasError, Span, register_source
from . import ast
from .grammar import parser

_BINOPS = {op.value: op for op in ast.BinOp}

_TERMINAL_NAMES = {
    "NAME": "a name", "INT": "an integer", "FLOAT": "a number", "STRING": "a quoted path",
    "COMP_OP": "a comparison", "ADD_OP": "'+' or '-'", "MUL_OP": "'*', '/', '//' or '%'",
    "$END": "end of file",
}


def parse(text: str, filename: str) -> ast.Program:
    """Parse one `.nas` file. Raises `NasError` pointing at the first syntax error."""
    register_source(filename, text)
    try:
        tree = parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(exc, text, filename) from None
    items = _ToAst(filename).transform(tree)
    return ast.Program(filename, tuple(items.children))


def _syntax_error(exc: UnexpectedInput, text: str, filename: str) -> NasError:
    line, col = max(getattr(exc, "line", 1) or 1, 1), max(getattr(exc, "column", 1) or 1, 1)
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else "end of file"
        return NasError(Span(filename, line, col, line, col + 1), f"unexpected character {char!r}")
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        line, col = _end_position(text)
        return NasError(Span(filename, line, col, line, col), "unexpected end of file",
                        hint=_expected(getattr(exc, "expected", ())))
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    end = col + max(len(str(tok)), 1)
    return NasError(Span(filename, line, col, line, end), f"unexpected {_describe(tok)}",
                    hint=_expected(exc.expected))


def _end_position(text: str) -> tuple[int, int]:
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def _describe(tok: Token) -> str:
    if tok.type in ("NAME", "INT", "FLOAT", "STRING"):
        return f"{_TERMINAL_NAMES[tok.type].split(' ', 1)[1]} '{tok}'"
    return f"'{tok}'"


def _expected(names) -> str | None:
    from .grammar import parser as _p

    terminals = {t.name: t for t in _p().terminals}
    shown = set()
    for name in names:
        if name in _TERMINAL_NAMES:
            shown.add(_TERMINAL_NAMES[name])
        elif name in terminals and terminals[name].pattern.type == "str":
            shown.add(f"'{terminals[name].pattern.value}'")
    if not shown:
        return None
    ordered = sorted(shown)
    more = "" if len(ordered) <= 8 else ", ..."
    return "expected " + ", ".join(ordered[:8]) + more


def _tok_span(filename: str, tok: Token) -> Span:
    return Span(filename, tok.line, tok.column, tok.end_line, tok.end_column)


def _num(tok: Token):
    return int(tok) if tok.type == "INT" else float(tok)


@v_args(meta=True)
class _ToAst(Transformer):
    """One method per grammar rule; each builds the frozen node with the rule's span."""

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
