"""`fbndsl search` end to end on a tiny space (a few training steps, a few evaluations), its resume, and
one-line errors (exit status 1, no traceback) for bad input."""
from __future__ import annotations

import json
import re

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from fbndsl.cli import main  # noqa: E402
from fbndsl.search.driver import DEFAULT_INDICATOR, DEFAULT_PICK  # noqa: E402

TINY = ["--space", "nb201", "--set", "C=4", "--set", "N=1", "--flops", "2M", "--evals", "4", "--top", "3",
        "--recal-batches", "2", "--eval-images", "64", "--mc-samples", "2", "--device", "cpu", "--quiet"]


def run(*args):
    return CliRunner().invoke(main, ["search", *args], catch_exceptions=False)


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    text = result.output.strip()
    assert "\n" not in text, text
    for fragment in fragments:
        assert fragment in text, text
    return text


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """One search by the default indicator: a BN-only supernet trained for 3 steps, then 4 architectures evaluated."""
    out = tmp_path_factory.mktemp("search") / "run"
    result = run(*TINY, "--train-epochs", "1", "--train-steps", "3", "--out", str(out))
    return out, result


def test_search_end_to_end(searched):
    out, result = searched
    assert result.exit_code == 0, result.output
    assert (out / "search.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "supernet" / "checkpoint.pt").is_file()
    record = json.loads((out / "results.json").read_text())
    assert record["done"] and len(record["evaluated"]) == 4 and len(record["top"]) == 3
    assert record["supernet"] == str(out / "supernet") and record["space"]["sets"] == {"C": "4", "N": "1"}
    assert all(e["macs"] <= 2_000_000 for e in record["evaluated"])
    text = result.output
    default = DEFAULT_INDICATOR
    assert f"searched 'nb201' (evolution, by {default}): 4 architectures evaluated (4 measured now)" in text
    assert "budget: <= 2.000M MACs at the space's declared input resolution 32x32" in text
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("rank"))
    base = ["trainability", "uncertainty", "regions", "synflow", "jacob_cov", "meco", "isotropy", "progressivity",
            "min_mixing"]
    # params: its own column
    # min_depth: the default pick's structural member, measured beside the indicator's
    assert lines[header].split() == ["rank", "MACs", "params", *base, "min_depth", default, DEFAULT_PICK, "arch"]
    assert (f"listed by {DEFAULT_PICK} (a product of normalised ranks, 0 = best, over every architecture "
            f"evaluated), the --pick among what {default} measured") in text
    assert record["settings"]["pick"] == DEFAULT_PICK and record["indicator"] == default
    first = lines[header + 1].split()
    assert first[0] == "1" and re.fullmatch(r"\(\d(\.5)?\)", first[3]), first  # params' rank beside its count
    assert all(set(e["indicators"]) == {*base, "params", "min_depth"} for e in record["evaluated"])
    assert "|+|" in text  # the architectures in NAS-Bench-201 notation
    assert (f"fbndsl export --space nb201 --from {out / 'results.json'} --rank 1 --out {out / 'winner'}"
            in text.splitlines()[-1])


def test_resume_of_a_finished_search_evaluates_nothing(searched):
    out, first = searched
    again = run(*TINY, "--train-epochs", "1", "--train-steps", "3", "--out", str(out), "--resume")
    assert again.exit_code == 0, again.output
    assert "4 architectures evaluated (0 measured now)" in again.output
    table = lambda output: [line for line in output.splitlines() if line.lstrip()[:1].isdigit()]
    assert table(again.output) == table(first.output)


def test_a_rank_ensemble_search(tmp_path):
    out = tmp_path / "ensemble"
    args = [*TINY, "--strategy", "random", "--out", str(out)]
    result = run(*args, "--indicator", "naswot+synflow")
    assert result.exit_code == 0, result.output
    record = json.loads((out / "results.json").read_text())
    assert record["indicator"] == "naswot+synflow" and record["supernet"] is None
    assert all(set(e["indicators"]) == {"naswot", "synflow"} for e in record["evaluated"])
    top = record["top"]
    assert [t["rank"] for t in top] == [1, 2, 3]
    assert all(set(t["ranks"]) == {"naswot", "synflow", "naswot+synflow"} for t in top)
    assert [t["ranks"]["naswot+synflow"] for t in top] == sorted(t["ranks"]["naswot+synflow"] for t in top)
    for t in top:  # the ensemble's score over the pool is the mean of its two members' ranks over the pool
        assert t["indicators"]["naswot+synflow"] == (t["ranks"]["naswot"] + t["ranks"]["synflow"]) / 2
    text = result.output
    assert "searched 'nb201' (random, by naswot+synflow): 4 architectures evaluated (4 measured now)" in text
    assert "naswot+synflow is a weighted mean rank (1 = best) over every architecture evaluated" in text
    header = next(line for line in text.splitlines() if line.lstrip().startswith("rank"))
    assert header.split() == ["rank", "MACs", "params", "naswot", "synflow", "naswot+synflow", "arch"]
    again = run(*args, "--indicator", "NASWOT + synflow", "--resume")  # re-read, to the same canonical text
    assert again.exit_code == 0, again.output
    assert "4 architectures evaluated (0 measured now)" in again.output
    one_line_error(run(*args, "--indicator", "synflow+naswot", "--resume"),
                   "was written with --indicator naswot+synflow, not synflow+naswot")


def test_proxy_resolution_budget_at_the_declared_one(tmp_path):
    """--set resolution=16 runs the network at 16x16; MACs and the budget stay at the declared 32x32."""
    out = tmp_path / "proxy"
    result = run(*TINY[:-1], "--set", "resolution=16", "--indicator", "naswot", "--strategy", "random",
                 "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert ("note: the supernet ran at the proxy input resolution 16x16 (--set resolution=16); MACs and the budget "
            "are at the declared 32x32") in result.output
    assert f"fbndsl export --space nb201 --from {out / 'results.json'} --rank 1 --out" in result.output
    record = json.loads((out / "results.json").read_text())
    assert record["budget"]["at_resolution"] == 32 and record["space"]["sets"] == {"C": "4", "N": "1"}
    assert record["supernet"] is None and record["settings"]["proxy"] == {"resolution": "16"}
    import fbndsl
    declared = fbndsl.compile("nb201", C=4, N=1)
    for e in record["evaluated"]:
        assert e["macs"] == declared.cost(declared.parse_arch(e["arch"])).macs


@pytest.mark.parametrize("args, fragments", [
    (["--flops", "abc"], ["error: --flops abc: expected a number with an optional K, M or G suffix"]),
    (["--flops", "1K"], ["--flops 1.000K: below the cheapest architecture of 'nb201'",
                         "its MACs range from 569.514K to 3.224M (569,514 .. 3,223,722)"]),
    (["--params", "1K"], ["--params 1.000K: below the cheapest architecture of 'nb201'"]),
    (["--strategy", "bogus"], ["--strategy bogus: expected one of random, evolution, coarse-to-fine, exhaustive"]),
    (["--evals", "many"], ["error: Invalid value for '--evals': 'many' is not a valid integer"]),
    (["--device", "tpu"], ["--device tpu: expected one of auto, cpu, cuda"]),
    (["--bogus"], ["error: No such option '--bogus'"]),
    (["--indicator", "bogus"], ["unknown indicator 'bogus'"]),
    (["--indicator", "cpi+"], ["bad indicator 'cpi+'", "NAME+NAME", "valid indicators: cpi, "]),
    (["--indicator", "product(cpi+meco"], ["bad indicator 'product(cpi+meco'", "product(NAME+NAME)"]),
    (["--indicator", "naswot", "--supernet", "nowhere"], ["--indicator naswot is measured without"]),
    (["--pick", "naswot"], ["--pick naswot: reads naswot, which --indicator product(cpi+meco"]),
    (["--indicator", "synflow", "--pick", "bogus"], ["unknown indicator 'bogus'"]),
    (["--strategy", "coarse-to-fine"], ["no elastic dimension"]),
    (["--strategy", "exhaustive", "--evals", "3"], ["--evals does not apply to --strategy exhaustive"]),
    (["--evals", "0"], ["--evals 0: expected a positive integer"]),
    (["--top", "0"], ["--top 0: expected a positive integer"]),
    (["--train-epochs", "0"], ["--train-epochs 0: must be at least 1"]),
    (["--indicator", "naswot", "--train-epochs", "2"], ["--indicator naswot is measured without a trained supernet"]),
    (["--supernet", "nowhere", "--train-epochs", "2"], ["give either --supernet RUN_DIR"]),
    (["--supernet", "nowhere"], ["nowhere: no such run directory"]),
    (["--set", "C"], ["--set C: expected NAME=VALUE"]),
    (["--set", "bogus=1"], ["bogus"]),
    (["--data", "nope:x"], ["nope"]),
    (["--resume"], ["--resume: ", "holds no search to resume"]),
    (["--space", "nowhere.nas"], ["nowhere.nas"])])
def test_bad_input_is_a_one_line_error(tmp_path, args, fragments):
    base = ["--space", "nb201", "--set", "C=4", "--set", "N=1", "--quiet", "--out", str(tmp_path / "o")]
    one_line_error(run(*base, *args), *fragments)


def test_a_used_out_directory_needs_resume(searched):
    out, _ = searched
    one_line_error(run(*TINY, "--out", str(out)), f"--out {out} already holds a search; pass --resume")
    one_line_error(run(*TINY, "--indicator", "naswot", "--out", str(out), "--resume"),
                   "--resume: ", f"was written with --indicator {DEFAULT_INDICATOR}, not naswot")


def test_a_supernet_of_another_space_is_refused(searched, tmp_path):
    out, _ = searched
    one_line_error(run("--space", "nb201", "--set", "C=8", "--set", "N=1", "--supernet", str(out / "supernet"),
                       "--quiet", "--out", str(tmp_path / "o")),
                   "--supernet", "was trained with the params C=4, N=1, classes=10, resolution=32, not C=8")


def test_the_export_hint_keeps_a_proxy_resolution_the_supernet_was_trained_at():
    from pathlib import Path

    from fbndsl.cli.search import export_hint

    proxy = {"resolution": "16"}
    assert export_hint("nb201", Path("runs/s"), proxy, trained=True)[-1] == (
        "  fbndsl export --space nb201 --from runs/s/results.json --rank 1 --set resolution=16 --out runs/s/winner")
    # a fresh network: the declared resolution
    assert "--set" not in export_hint("nb201", Path("runs/s"), proxy, trained=False)[-1]


# -- which --set values are proxies: the space is compiled once, twice only when the resolution is touched --------

RES_SPACE = """
param base = 16
param res = 2 * base
param width = 8
network t {
  input(3, res)
  stem: conv(out in {width, res}, k = 3) -> bn -> relu
  head: global_pool -> linear(10)
}
"""


@pytest.fixture
def compiles(monkeypatch):
    """The arguments of every compile `compile_spaces` makes."""
    import fbndsl.search.proxy as command

    calls = []

    def counted(path, **overrides):
        calls.append(overrides)
        return real(path, **overrides)

    real = command.compile_space
    monkeypatch.setattr(command, "compile_space", counted)
    return calls


@pytest.mark.parametrize("sets, n", [
    ({"C": "4", "N": "1"}, 1),                      # nothing the resolution depends on
    ({}, 1),
    ({"C": "4", "N": "1", "resolution": "16"}, 2),  # the run space and the declared one
    ({"resolution": "32"}, 2)])                     # touched, though restated: no proxy, as before
def test_the_space_compiles_once_unless_a_set_touches_the_resolution(compiles, sets, n):
    from fbndsl.search.proxy import compile_spaces

    spaces = compile_spaces("nb201", sets)
    assert len(compiles) == n and compiles[0] == sets
    assert spaces.proxies == ({"resolution": "16"} if sets.get("resolution") == "16" else {})
    assert (spaces.run is spaces.declared) == (not spaces.proxies)


def test_a_param_the_resolution_is_defined_from_is_a_proxy_too(compiles, tmp_path):
    from fbndsl.search.proxy import compile_spaces

    path = tmp_path / "t.nas"
    path.write_text(RES_SPACE.replace("out in {width, res}", "width"))
    assert compile_spaces(str(path), {"width": "4"}).proxies == {} and len(compiles) == 1
    spaces = compile_spaces(str(path), {"base": "8", "width": "4"})
    assert spaces.proxies == {"base": "8"} and compiles[1:] == [{"base": "8", "width": "4"}, {"width": "4"}]
    assert spaces.declared.ir.params["res"] == 32 and spaces.run.ir.params["res"] == 16
    # a --set of the resolution itself replaces its definition: `base` no longer touches it
    assert compile_spaces(str(path), {"base": "8", "res": "64"}).proxies == {"res": "64"}


def test_a_set_that_changes_the_resolution_and_the_choices_is_refused(compiles, tmp_path):
    from fbndsl.diagnostics import UserError
    from fbndsl.search.proxy import compile_spaces

    path = tmp_path / "t.nas"
    path.write_text(RES_SPACE)
    with pytest.raises(UserError, match=r"^--set res=16: changes the choices of 't', not just its input resolution; "
                                        r"the budget needs the same architectures at the declared resolution$"):
        compile_spaces(str(path), {"res": "16"})
    assert len(compiles) == 2
    out = tmp_path / "o"
    one_line_error(run("--space", str(path), "--set", "res=16", "--indicator", "params", "--quiet", "--out", str(out)),
                   "error: --set res=16: changes the choices of 't'")
