"""`fbndsl export` on the command line: fresh exports, exports from a trained run (BatchNorm recalibrated as
documented), `--from` search results, and one-line errors that leave nothing written."""
from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402
from test_export import NB201_ARCH, import_model, loaded_model  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl.cli import main  # noqa: E402
from fbndsl.export import recal  # noqa: E402
from fbndsl.lower import recalibrate_bn  # noqa: E402
from fbndsl.train import TrainConfig, load_run, train  # noqa: E402

SETS = ("--set", "C=4", "--set", "N=1")
ARCH2 = "|nor_conv_1x1~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_3x3~1|skip_connect~2|"


def run(*args):
    return CliRunner().invoke(main, ["export", *map(str, args)], catch_exceptions=False)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A real `fbndsl train` run directory (bn-only, a few steps) of nb201 at C=4, N=1."""
    out = tmp_path_factory.mktemp("run")
    train(fbndsl.compile("nb201", C=4, N=1), TrainConfig(mode="bn-only", epochs=1, steps=2, quiet=True,
                                                         recal_batches=1, eval_archs=1), out_dir=out)
    return out


def results_file(tmp_path, sha: str, supernet, sets=None):
    path = tmp_path / "results.json"
    top = [{"rank": 1, "arch": fbndsl.compile("nb201").parse_arch(NB201_ARCH).text(), "macs": 0, "params": 0},
           {"rank": 2, "arch": fbndsl.compile("nb201").parse_arch(ARCH2).text(), "macs": 0, "params": 0}]
    path.write_text(json.dumps({"format": "fbndsl-search/1", "space": {
        "file": "spaces/nb201.nas", "name": "nb201", "sha256": sha, "sets": sets or {"C": "4", "N": "1"}},
        "supernet": None if supernet is None else str(supernet), "top": top}), encoding="utf-8")
    return path


def test_fresh_export(tmp_path):
    r = run("--space", "nb201", *SETS, "--arch", NB201_ARCH, "--out", tmp_path / "e")
    assert r.exit_code == 0, r.output
    assert "model.py, model.onnx, arch.json" in r.output and "fresh init" in r.output
    rec = json.loads((tmp_path / "e" / "arch.json").read_text())
    space = fbndsl.compile("nb201", C=4, N=1)
    arch = space.parse_arch(NB201_ARCH)
    assert rec["arch"] == arch.text() and rec["arch_json"] == arch.to_json()
    assert rec["space"]["sets"] == {"C": "4", "N": "1"} and rec["space"]["sha256"] == space.source_sha256
    assert (rec["macs"], rec["params"]) == (space.cost(arch).macs, space.cost(arch).params)
    assert rec["compiler"]["version"] == fbndsl.__version__ and rec["input_shape"] == [3, 32, 32]
    assert rec["weights"]["file"] is None and rec["onnx"]["file"] == "model.onnx"
    module = import_model(tmp_path / "e", "cli_fresh")
    assert sum(p.numel() for p in module.Model().parameters()) == space.cost(arch).params


def test_export_from_a_trained_run_recalibrates_as_documented(trained, tmp_path):
    r = run("--space", "nb201", *SETS, "--arch", ARCH2, "--supernet", trained, "--recal-batches", 2, "--no-onnx",
            "--out", tmp_path)
    assert r.exit_code == 0, r.output
    assert "BatchNorm recalibrated on 2 batches of digits" in r.output and not (tmp_path / "model.onnx").exists()
    space, supernet, config = load_run(trained)
    arch = space.parse_arch(ARCH2)
    batches = recal.batches_for(config.data, supernet, arch, batch_size=config.batch_size, seed=config.seed,
                                epoch=config.epochs)  # the batches of the run's own final evaluation
    recalibrate_bn(supernet, batches, arch, max_batches=2)
    _, model = loaded_model(tmp_path)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert (model(x) - supernet.eval()(x, arch)).abs().max().item() <= 1e-5
    rec = json.loads((tmp_path / "arch.json").read_text())
    assert rec["weights"]["supernet"] == str(trained) and rec["weights"]["recalibration"]["batches"] == 2


def test_from_results_takes_the_rank_its_sets_and_its_supernet(trained, tmp_path):
    space = fbndsl.compile("nb201", C=4, N=1)
    results = results_file(tmp_path, space.source_sha256, trained)
    r = run("--space", "nb201", "--from", results, "--rank", 2, "--recal-batches", 0, "--no-onnx",
            "--out", tmp_path / "e")
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "e" / "arch.json").read_text())
    assert rec["arch"] == space.parse_arch(ARCH2).text() and rec["space"]["sets"] == {"C": "4", "N": "1"}
    assert rec["weights"]["supernet"] == str(trained) and rec["weights"]["recalibration"] is None
    _, supernet, _ = load_run(trained)
    _, model = loaded_model(tmp_path / "e")
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():  # no recalibration: the supernet's statistics as trained
        assert (model(x) - supernet(x, space.parse_arch(ARCH2))).abs().max().item() <= 1e-5


def test_from_results_an_explicit_set_wins(tmp_path):
    space = fbndsl.compile("nb201")
    results = results_file(tmp_path, space.source_sha256, None, sets={"C": "4", "N": "1"})
    r = run("--space", "nb201", "--from", results, "--set", "C=8", "--no-onnx", "--out", tmp_path / "e")
    assert r.exit_code == 0, r.output
    rec = json.loads((tmp_path / "e" / "arch.json").read_text())
    assert rec["space"]["sets"] == {"C": "8", "N": "1"} and rec["arch"] == space.parse_arch(NB201_ARCH).text()


def one_line_error(r, *fragments):
    assert r.exit_code == 1, r.output
    text = r.output.strip()
    assert len(text.splitlines()) == 1 and text.startswith("error: ") and "Traceback" not in text, text
    for fragment in fragments:
        assert fragment in text, text
    return text


@pytest.mark.parametrize("args, fragments", [
    (["--arch", NB201_ARCH, "--from", "r.json"], ["either --arch ARCH or --from RESULTS.json"]),
    ([], ["either --arch ARCH or --from RESULTS.json"]),
    (["--arch", NB201_ARCH, "--rank", "2"], ["--rank picks an architecture of --from"]),
    (["--arch", NB201_ARCH, "--data", "digits"], ["--data and --recal-batches recalibrate a supernet"]),
    (["--arch", "|nope~0|"], ["expected 3 nodes"]),
    (["--arch", NB201_ARCH, "--set", "D=3"], ["D"]),
    (["--arch", NB201_ARCH, "--supernet", "no/such/run"], ["no such run directory"]),
    (["--arch", NB201_ARCH, "--rank", "x"], ["'--rank'", "not a valid integer"]),
    (["--from", "missing.json"], ["--from missing.json: cannot read it"]),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, monkeypatch, args, fragments):
    monkeypatch.chdir(tmp_path)
    one_line_error(run("--space", "nb201", *args, "--out", tmp_path / "out"), *fragments)
    assert not (tmp_path / "out").exists()


def test_bad_rank_and_foreign_results(tmp_path):
    space = fbndsl.compile("nb201")
    results = results_file(tmp_path, space.source_sha256, None)
    one_line_error(run("--space", "nb201", "--from", results, "--rank", 3, "--out", tmp_path / "o"),
                   "--rank 3:", "ranks 2 architectures")
    foreign = results_file(tmp_path, "0" * 64, None)
    one_line_error(run("--space", "nb201", "--from", foreign, "--out", tmp_path / "o"),
                   f"--from {foreign}", "sha256 000000000000...", "export with --space spaces/nb201.nas")
    assert not (tmp_path / "o").exists()


def test_out_is_a_file(tmp_path):
    (tmp_path / "f").write_text("keep me")
    one_line_error(run("--space", "nb201", "--arch", NB201_ARCH, "--out", tmp_path / "f"), "is a file")
    assert (tmp_path / "f").read_text() == "keep me"


def test_a_later_export_replaces_files_that_no_longer_belong(trained, tmp_path):
    base = ("--space", "nb201", *SETS, "--arch", NB201_ARCH, "--out", tmp_path)
    assert run(*base, "--supernet", trained, "--recal-batches", 0).exit_code == 0
    assert (tmp_path / "weights.pt").exists()
    assert run(*base, "--no-onnx").exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arch.json", "model.py"]
