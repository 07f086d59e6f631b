"""`--space` takes a shipped space's name (`nb201`), that name with its suffix (`nb201.nas`) or a path, in every
command, from any directory; reports name a shipped space as the user did, not by where it is installed."""
from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SKIPPING_DEPTH

import fbndsl
from fbndsl.cli import main
from fbndsl.syntax.shipped import shipped_spaces

NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
SHIPPED = ", ".join(shipped_spaces())
UNKNOWN = ("error: {}: no such file, and no shipped space of that name (shipped: " + SHIPPED +
           "); give the path of a .nas file or a shipped space's name")


def compile_cli(*args: str):
    return CliRunner().invoke(main, ["compile", *args])


def first_line(result) -> str:
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[0]


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A working directory with no spaces in it, as a user's own project folder."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("given", ["mobilenet", "mobilenet.nas"])
def test_a_shipped_space_by_name_with_or_without_suffix(elsewhere, given):
    assert first_line(compile_cli(given)) == "mobilenet (shipped space): space 'mobilenet'"


def test_a_path_is_reported_as_given(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert first_line(compile_cli("spaces/mobilenet.nas")) == "spaces/mobilenet.nas: space 'mobilenet'"


def test_a_file_in_the_directory_wins_over_a_shipped_space_of_its_name(elsewhere):
    (elsewhere / "mobilenet.nas").write_text(SKIPPING_DEPTH)
    assert first_line(compile_cli("mobilenet.nas")) == "mobilenet.nas: space 'tiny'"
    assert first_line(compile_cli("mobilenet")) == "mobilenet (shipped space): space 'mobilenet'"


def test_the_library_resolves_names_too(elsewhere):
    assert fbndsl.compile("nb201.nas").name == "nb201"


@pytest.mark.parametrize("given", ["nosuch", "nosuch.nas", "mobilenet.txt"])
def test_an_unknown_bare_name_lists_the_shipped_spaces(elsewhere, given):
    r = compile_cli(given)
    assert r.exit_code == 1 and r.output.strip() == UNKNOWN.format(given)


def test_a_missing_path_with_folders_is_no_such_file(elsewhere):
    r = compile_cli("sub/mobilenet.nas")
    assert r.exit_code == 1
    assert r.output.strip() == "error: sub/mobilenet.nas: no such file; give the path of a .nas file"


def test_an_unknown_name_in_a_real_process_is_one_line_without_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "fbndsl", "compile", "nosuch"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 1 and r.stdout == "", (r.stdout, r.stderr)
    assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
    assert "nb201" in r.stderr and "mobilenet" in r.stderr and "the path of a .nas file" in r.stderr


@pytest.mark.parametrize("command", [
    ["train", "--mode", "bn-only", "--epochs", "1", "--out", "run"],
    ["search", "--flops", "300M", "--out", "run"],
    ["export", "--arch", "x", "--out", "run"],
])
def test_every_command_resolves_its_space_alike(elsewhere, command):
    r = CliRunner().invoke(main, [*command, "--space", "nosuch.nas"])
    assert r.exit_code == 1 and r.output.strip() == UNKNOWN.format("nosuch.nas")
    assert not (elsewhere / "run").exists()


def test_export_of_a_shipped_space_named_with_its_suffix(elsewhere):
    pytest.importorskip("torch")
    r = CliRunner().invoke(main, ["export", "--space", "nb201.nas", "--set", "C=8", "--set", "N=1",
                                  "--arch", NB201_ARCH, "--out", "winner", "--no-onnx"])
    assert r.exit_code == 0, r.output
    assert "# space: nb201 (nb201.nas)" in (elsewhere / "winner" / "model.py").read_text()
