"""`fbndsl search` end to end on a tiny space (a few training steps, a few evaluations), its resume, and
one-line errors (exit status 1, no traceback) for bad input."""
from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from fbndsl.cli import main  # noqa: E402

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
    """One CPI search: a BN-only supernet trained for 3 steps, then 4 architectures evaluated."""
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
    assert "searched 'nb201' (evolution, by cpi): 4 architectures evaluated (4 measured now)" in text
    assert "budget: <= 2.000M MACs at the space's declared input resolution 32x32" in text
    header = next(line for line in text.splitlines() if line.lstrip().startswith("rank"))
    assert header.split() == ["rank", "MACs", "params", "expressivity", "trainability", "uncertainty", "cpi", "arch"]
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
                   "--resume: ", "was written with --indicator cpi, not naswot")


def test_a_supernet_of_another_space_is_refused(searched, tmp_path):
    out, _ = searched
    one_line_error(run("--space", "nb201", "--set", "C=8", "--set", "N=1", "--supernet", str(out / "supernet"),
                       "--quiet", "--out", str(tmp_path / "o")),
                   "--supernet", "was trained with the params C=4, N=1, classes=10, resolution=32, not C=8")


def test_the_export_hint_keeps_a_proxy_resolution_the_supernet_was_trained_at():
    from fbndsl.cli.search import Options, Spaces, export_hint

    opts = Options(space="nb201", out="runs/s")
    proxy = Spaces(run=None, declared=None, proxies={"resolution": "16"})
    assert export_hint(opts, proxy, trained=True)[-1] == (
        "  fbndsl export --space nb201 --from runs/s/results.json --rank 1 --set resolution=16 --out runs/s/winner")
    assert "--set" not in export_hint(opts, proxy, trained=False)[-1]  # a fresh network: the declared resolution
