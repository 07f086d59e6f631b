"""The `fbndsl` command line, through click's runner and (for start-up behaviour) a real process."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SPACES
from test_darts import DARTS_V2

from fbndsl.cli import main

NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_compile_report():
    r = run("compile", str(SPACES / "nb201.nas"))
    assert r.exit_code == 0
    assert "architectures: 15,625" in r.output
    assert "MACs:   7.783M .. 220.120M" in r.output
    assert "12 not followed by BatchNorm; 180 BatchNorms inserted" in r.output


def test_shipped_space_by_name_and_several_at_once():
    r = run("compile", "nb201", "resnet18")
    assert r.exit_code == 0 and "space 'nb201'" in r.output and "space 'resnet18'" in r.output


def test_json_summary_has_exact_size():
    r = run("compile", str(SPACES / "darts.nas"), "--json")
    data = json.loads(r.output)
    assert data["size"] == 9_119_789_245_425_254_400
    assert data["fairness"]["mode"] == "insert" and len(data["choices"]) == 36


def test_arch_in_official_notation():
    r = run("compile", str(SPACES / "nb201.nas"), "--arch", NB201_ARCH, "--json")
    rec = json.loads(r.output)
    assert rec["arch"].startswith("cell.n1.n0=nor_conv_3x3,")
    r2 = run("compile", str(SPACES / "nb201.nas"), "--arch", rec["arch"], "--json")
    assert json.loads(r2.output) == rec


def test_darts_evaluation_settings_from_the_command_line():
    r = run("compile", str(SPACES / "darts.nas"), "--set", "C=36", "--set", "layers=20", "--arch", DARTS_V2)
    assert r.exit_code == 0 and "params: 3,349,342" in r.output


def test_archs_file_writes_one_json_object_per_line(tmp_path):
    f = tmp_path / "archs.txt"
    f.write_text(f"# NAS-Bench-201 archs\n{NB201_ARCH}\n\n" + "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\n")
    r = run("compile", str(SPACES / "nb201.nas"), "--archs", str(f), "--json")
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert [x["macs"] for x in lines][1] == 7_783_050 and len(lines) == 2


@pytest.mark.parametrize("form,marker", [("ir", "%0 = input"), ("json", '"nodes"'), ("dot", "digraph")])
def test_emit(form, marker, tmp_path):
    out = tmp_path / f"nb201.{form}"
    r = run("compile", str(SPACES / "nb201.nas"), "--emit", form, "-o", str(out))
    assert r.exit_code == 0 and r.output == ""
    assert marker in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temp file left behind


def test_fairness_modes():
    off = run("compile", str(SPACES / "nb201.nas"), "--fairness", "off")
    assert "left as written (BN-NAS placement)" in off.output
    check = run("compile", str(SPACES / "nb201.nas"), "--fairness", "check")
    assert check.exit_code == 1 and "candidate 'skip_connect' of choice 'cell.n1.n0'" in check.output
    clean = run("compile", str(SPACES / "resnet18.nas"), "--fairness", "check")
    assert clean.exit_code == 0


def test_help_states_the_cost_convention():
    r = run("compile", "--help")
    assert "multiply-accumulates" in r.output and "fairness" in r.output


def test_version():
    import fbndsl

    assert run("--version").output.strip().endswith(fbndsl.__version__)


def test_missing_file_is_a_one_line_error():
    r = CliRunner().invoke(main, ["compile", "nope.nas"])
    assert r.exit_code == 1 and r.output.strip() == (
        "error: nope.nas: no such file, and no shipped space of that name (shipped: bignas, darts, mobilenet, "
        "mobilenetv2, nb201, resnet18); give the path of a .nas file or a shipped space's name")


def test_compile_never_imports_torch():
    code = ("import sys, fbndsl; s = fbndsl.compile('spaces/darts.nas'); s.cost(s.sample(0)); "
            "s.min_arch(); assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_command_line_front_end_never_imports_torch():
    code = ("import sys; from click.testing import CliRunner; from fbndsl.cli import main; "
            "r = CliRunner().invoke(main, ['compile', 'spaces/nb201.nas']); assert r.exit_code == 0, r.output; "
            "CliRunner().invoke(main, ['--help']); CliRunner().invoke(main, ['search', '--help']); "
            "assert 'torch' not in sys.modules, 'torch imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_each_command_module_imports_only_common():
    """fbndsl/cli: one module per command; they share `common`, never each other (nor the group)."""
    import ast

    cli = ROOT / "fbndsl" / "cli"
    commands = {p.stem for p in cli.glob("*.py")} - {"__init__", "common"}
    assert commands >= {"compile", "train", "search", "export", "bench"}
    for name in commands:
        tree = ast.parse((cli / f"{name}.py").read_text(encoding="utf-8"))
        local = {(n.module or "") for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 1}
        assert local <= {"common"}, (name, local)


def test_real_process_exit_codes():
    ok = subprocess.run([sys.executable, "-m", "fbndsl", "compile", "spaces/nb201.nas"], cwd=ROOT,
                        capture_output=True, text=True)
    assert ok.returncode == 0
    bad = subprocess.run([sys.executable, "-m", "fbndsl", "compile", "spaces/nb201.nas", "--set", "C=x"],
                         cwd=ROOT, capture_output=True, text=True)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
