"""Hostile names: nothing from a `.nas` file reaches generated code unescaped.

The grammar's NAME is ASCII `[A-Za-z_][A-Za-z0-9_]*`, so a `.nas` identifier can be a Python keyword, a
builtin, a dunder, or an attribute `nn.Module` needs (`forward`, `training`, `_modules`); unicode look-alikes
are rejected by the parser with a located error. Free text reaches the compiler only as file names (the main
file's and an include's string), which are escaped into comments. A test proves that code hidden in such
names never runs.
"""
from __future__ import annotations

import ast
import keyword
import re

import pytest

torch = pytest.importorskip("torch")

from test_export import assert_ruff_clean, import_model, loaded_model  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.diagnostics import NasError  # noqa: E402
from fbndsl.export import export, render_model_source  # noqa: E402
from fbndsl.export.names import Namespace, ascii_ident, comment_text, reserved  # noqa: E402
from fbndsl.lower import lower  # noqa: E402

INCLUDED = "x'''; import os; os.system('touch PWNED_INCLUDE'); '''.nas"
MAIN = 'main\nimport os; os.system("touch PWNED_MAIN")\n#.nas'
HOSTILE = f'''include "inc/{INCLUDED}"
param classes = 3
op lambda(c) = conv(c, 3) -> bn
network None {{
  input(3, 8)
  __init__: conv(4, 3) -> bn -> relu
  stage class {{
    repeat 2 as def: choose[__class__](import: lambda(4), return: print(4), forward: identity,
                                       self: avg_pool(3))
  }}
  training: conv(4, 1) -> bn
  self: conv(4, 1) -> bn
  _modules: bn
  __class__: conv(4, 1) -> bn
  x: conv(4, 1)
  conv: conv(4, 1)
  F: bn
  torch: add(conv(4, 1), identity)
  head: global_pool -> linear(classes)
}}
'''
# The only string constants model.py may hold: its template's own (docstrings, the weights file, the device).
TEMPLATE_STRINGS = {"weights.pt", "cpu"}


@pytest.fixture
def hostile(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the injected `touch` would write here
    (tmp_path / "inc").mkdir()
    (tmp_path / "inc" / INCLUDED).write_text("op print(c) = conv(c, 1) -> bn\n", encoding="utf-8")
    main = tmp_path / MAIN
    main.write_text(HOSTILE, encoding="utf-8")
    return fbndsl.compile(str(main))


def test_hostile_space_exports_working_code_and_runs_nothing_injected(hostile, tmp_path):
    space = hostile
    assert space.name == "None" and [c.label for c in space.choices] == ["class.0.__class__", "class.1.__class__"]
    for i, arch in enumerate(space.enumerate()):
        out = tmp_path / f"out{i}"
        export(space, arch, out, onnx=i == 0)
        source = (out / "model.py").read_text(encoding="utf-8")
        _assert_only_template_strings(source)
        module = import_model(out, f"hostile{i}")
        model = module.Model().eval()
        with torch.no_grad():
            assert model(torch.randn(2, *module.INPUT_SHAPE)).shape == (2, 3)
        assert sum(p.numel() for p in model.parameters()) == space.cost(arch).params
    net = lower(space).eval()
    arch = space.sample(0)
    export(space, arch, tmp_path / "trained", supernet=net)
    _, model = loaded_model(tmp_path / "trained")
    x = torch.randn(2, 3, 8, 8)
    with torch.no_grad():
        assert (model(x) - net(x, arch)).abs().max().item() <= 1e-5
    assert not list(tmp_path.glob("PWNED*")) and not list(tmp_path.glob("*/PWNED*"))
    assert_ruff_clean(tmp_path / "out0" / "model.py")


def test_hostile_names_become_safe_readable_attributes(hostile):
    arch = hostile.parse_arch("class.0.__class__=return,class.1.__class__=self")
    source = render_model_source(hostile, arch)
    assert "class None_1(nn.Module):" in source  # `None` is a keyword
    names = set(import_source_names(source))
    assert {"init_conv", "training_conv", "training_bn", "self_conv", "modules_bn", "class_conv", "x_conv", "conv",
            "F_bn", "torch_b0_conv", "class_0_return_conv", "head_linear"} <= names
    assert not names & reserved() and not any(n.startswith("_") for n in names)
    for line in source.splitlines():  # the file names stay inside their comments, escaped
        if "PWNED" in line:
            assert line.lstrip().startswith("#") and "\\n" in line or "'''" in line, line


def test_unicode_look_alike_is_rejected_with_a_location(tmp_path):
    path = tmp_path / "u.nas"
    path.write_text("network n {\n  input(3, 8)\n  st\u0435m: conv(4, 3)\n}\n", encoding="utf-8")  # Cyrillic e
    with pytest.raises(NasError) as err:
        fbndsl.compile(str(path))
    assert (err.value.span.line, err.value.span.col) == (3, 5) and "unexpected character" in err.value.message


@pytest.mark.parametrize("candidate, expected", [
    ("s1.0.n1.n0.nor_conv_3x3_conv", "s1_0_n1_n0_nor_conv_3x3_conv"),
    ("forward", "forward_1"), ("training", "training_1"), ("class", "class_1"), ("print", "print_1"),
    ("__init__", "init"), ("__class__", "class_1"), ("_modules", "modules_1"),
    ("0conv", "m_0conv"), ("", "m"), ("...", "m"),
    ("\uff43onv", "conv"),              # fullwidth c: NFKD makes it ASCII
    ("\u0441onv", "onv"),               # Cyrillic es: no ASCII form, dropped
    ("a'); os.system('x", "a_os_system_x"),
    ("a" * 80, "a" * 48),
])
def test_namespace_makes_safe_unique_identifiers(candidate, expected):
    assert Namespace().create(candidate) == expected


def test_namespace_numbers_repeats():
    ns = Namespace()
    assert [ns.create("stem.conv") for _ in range(3)] == ["stem_conv", "stem_conv_1", "stem_conv_2"]


def test_comment_text_cannot_leave_its_line():
    text = comment_text("a\nimport os\r\x00\u2028b")
    assert "\n" not in text and "\r" not in text and text.isascii() and text.isprintable()


def test_every_name_is_an_ascii_identifier():
    for raw in ("1", "-", "\u00e4", "x y", "__", "\U0001d41a", "None", "__debug__"):
        assert re.fullmatch(r"[A-Za-z0-9_]+", ascii_ident(raw, "m")), raw
        ident = Namespace().create(raw)
        assert ident.isidentifier() and ident.isascii() and not keyword.iskeyword(ident), raw


def import_source_names(source: str) -> list[str]:
    """The attributes __init__ assigns (`self.NAME = ...`)."""
    tree = ast.parse(source)
    return [t.attr for node in ast.walk(tree) if isinstance(node, ast.Assign) for t in node.targets
            if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name) and t.value.id == "self"]


def _assert_only_template_strings(source: str) -> None:
    tree = ast.parse(source)
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    strings = {n.value for n in ast.walk(tree)
               if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings}
    assert strings <= TEMPLATE_STRINGS, strings
    assert all(line.isascii() and line.isprintable() for line in source.splitlines())


def test_a_stage_called_F_does_not_import_functional_for_a_comment(tmp_path):
    """`F.` in a comment (the scope `F.0`) is not a use of torch.nn.functional: no unused import for ruff."""
    space = fbndsl.compile("f.nas", text="network n { input(3, 8)  stage F { conv(4, 3) } }")
    path = tmp_path / "model.py"
    path.write_text(render_model_source(space, {}), encoding="utf-8")
    assert "# f.nas:1  F.0" in path.read_text() and "import torch.nn.functional" not in path.read_text()
    assert_ruff_clean(path)
