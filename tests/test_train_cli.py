"""`fbndsl train`: smoke runs of the three modes on the built-in digits, the run directory, and one-line
errors (exit status 1, no traceback) for every kind of mistake."""
from __future__ import annotations

import hashlib
import json

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402
from conftest import SPACES  # noqa: E402

from fbndsl.cli import main  # noqa: E402

SMALL = ["--space", "nb201", "--set", "C=4", "--set", "N=1", "--data", "digits", "--epochs", "1", "--steps", "3",
         "--batch-size", "16", "--quiet"]


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    text = result.output.strip()
    for fragment in fragments:
        assert fragment in text, text
    return text


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """One smoke run of each mode (3 optimiser steps), shared by the tests below."""
    root = tmp_path_factory.mktemp("runs")
    out = {}
    for mode, extra in (("bn-only", ["--sampler", "fair"]), ("single-stage", []), ("full", [])):
        result = run("train", *SMALL, "--mode", mode, "--out", str(root / mode), *extra)
        out[mode] = (root / mode, result)
    return out


@pytest.mark.parametrize("mode", ["bn-only", "single-stage", "full"])
def test_smoke_run_writes_the_run_directory(runs, mode):
    path, result = runs[mode]
    assert result.exit_code == 0, result.output
    assert {p.name for p in path.iterdir()} == {"checkpoint.pt", "space.nas", "config.json", "metrics.jsonl"}
    source = (SPACES / "nb201.nas").read_text(encoding="utf-8")
    assert (path / "space.nas").read_text(encoding="utf-8") == source
    config = json.loads((path / "config.json").read_text())
    assert config["config"]["mode"] == mode and config["config"]["steps"] == 3
    assert config["space"]["sha256"] == hashlib.sha256(source.encode()).hexdigest()
    assert config["space"]["params"]["C"] == 4 and config["fbndsl_version"]
    records = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    trained = [r for r in records if r["kind"] in ("train", "epoch")]
    assert trained and trained[-1]["step"] == 3
    assert {"epoch", "step", "loss", "acc", "lr", "images_per_s", "time"} <= set(trained[-1])
    evals = [r for r in records if r["kind"] == "eval"]
    assert len(evals) == (2 if mode == "single-stage" else 3)
    assert all(0.0 <= e["acc"] <= 1.0 and e["recal_batches"] == 20 for e in evals)
    state = torch.load(path / "checkpoint.pt", weights_only=True)
    assert state["step"] == 3 and state["epoch"] == 0 and state["step_in_epoch"] == 3
    assert "test acc" in result.output and "trained 'nb201'" in result.output


def test_progress_lines_when_stderr_is_not_a_tty(tmp_path):
    result = CliRunner().invoke(main, ["train", *SMALL[:-1], "--mode", "full", "--out", str(tmp_path / "r")])
    assert result.exit_code == 0
    assert "end of epoch 1/1  step 3/3  loss" in result.output and "\r" not in result.output
    assert "training: 1/3 [" in result.output and "training: 3/3 [" in result.output  # the first line, the last


def test_an_existing_run_is_not_overwritten(runs, tmp_path):
    path, _ = runs["full"]
    r = run("train", *SMALL, "--mode", "full", "--out", str(path))
    one_line_error(r, "already holds a run (checkpoint.pt); pass --resume", "or choose another --out")
    # refused before the data loads: a data folder that is not there is never read
    missing = [*SMALL[:SMALL.index("--data") + 1], f"cifar10:{tmp_path / 'absent'}", *SMALL[SMALL.index("--data") + 2:]]
    r = run("train", *missing, "--mode", "full", "--out", str(path))
    one_line_error(r, "already holds a run (checkpoint.pt); pass --resume", "or choose another --out")


def test_resume_refuses_other_settings_or_another_space(runs, tmp_path):
    path, _ = runs["full"]
    r = run("train", *SMALL, "--mode", "full", "--lr", "0.2", "--out", str(path), "--resume")
    one_line_error(r, "--resume:", "was started with --lr 0.1, not --lr 0.2")
    r = run("train", *[a if a != "C=4" else "C=8" for a in SMALL], "--mode", "full", "--out", str(path), "--resume")
    one_line_error(r, "--resume: the space's params differ")
    other = tmp_path / "nb201.nas"
    other.write_text((SPACES / "nb201.nas").read_text() + "\n# edited\n")
    r = run("train", *SMALL, "--space", str(other), "--mode", "full", "--out", str(path), "--resume")
    one_line_error(r, "--resume: the space's source differs")
    r = run("train", *SMALL, "--mode", "full", "--out", str(tmp_path / "fresh"), "--resume")
    one_line_error(r, "holds no checkpoint.pt to resume; drop --resume")


def test_resume_of_a_finished_run_evaluates_again(runs):
    path, _ = runs["bn-only"]
    before = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    again = run("train", *SMALL, "--mode", "bn-only", "--sampler", "fair", "--out", str(path), "--resume")
    assert again.exit_code == 0, again.output
    after = [json.loads(line) for line in (path / "metrics.jsonl").read_text().splitlines()]
    evals = [[(r["arch"], r["acc"], r["loss"]) for r in recs if r["kind"] == "eval"] for recs in (before, after)]
    assert len(evals[1]) == 3 and evals[0] == evals[1]  # replaced, not appended; and the same numbers


@pytest.mark.parametrize("args, fragments", [
    (["--data", "imagenet"], ["data 'imagenet': unknown data source"]),
    (["--data", "cifar10:/nonexistent/cifar"], ["/nonexistent/cifar does not exist"]),
    (["--mode", "bogus"], ["Invalid value for '--mode'", "'bogus' is not one of"]),
    (["--epochs", "0"], ["--epochs 0: must be at least 1"]),
    (["--batch-size", "1"], ["--batch-size 1: must be at least 2"]),
    (["--batch-size", "5000"], ["--batch-size 5000: larger than the training set of digits"]),
    (["--no-sandwich"], ["--no-sandwich applies to --mode single-stage only"]),
    (["--set", "C"], ["--set C: expected NAME=VALUE"]),
    (["--space", "nope.nas"], ["nope.nas"]),
    (["--set", "classes=7"], ["the network outputs 7 classes but digits has 10; pass --set classes=10"]),
    (["--device", "gpu"], ["Invalid value for '--device'"]),
])
def test_bad_inputs_exit_1_without_traceback(tmp_path, args, fragments):
    settings = {"--space": "nb201", "--mode": "full", "--data": "digits", "--epochs": "1", "--steps": "1",
                "--batch-size": "16"}
    for flag in args[::2]:
        settings.pop(flag, None)
    given = [x for kv in settings.items() for x in kv]
    r = run("train", *given, *args, "--quiet", "--out", str(tmp_path / "r"))
    text = one_line_error(r, *fragments)
    if "Invalid value" not in text:  # click's own usage errors carry a usage line; ours are one line
        assert len(text.splitlines()) == 1, text


def test_help_lists_every_option():
    r = run("train", "--help")
    for flag in ("--space", "--mode", "--data", "--epochs", "--steps", "--out", "--set", "--batch-size", "--lr",
                 "--seed", "--device", "--resume", "--quiet", "--sampler", "--num-random", "--no-sandwich",
                 "--no-distill", "--no-multires", "--no-zero-init", "--no-lr-decay", "--checkpoint-every"):
        assert flag in r.output
