"""The design card's commands, run as a newcomer types them (issue 13): a shipped space by its file name, on the
built-in digits, with the class count and a proxy resolution taken from the data."""
from __future__ import annotations

import json
import subprocess
import sys

# Tiny settings: the command is the card's, only its sizes shrink so the test stays a few seconds.
TINY = ("--train-steps", "2", "--evals", "3", "--recal-batches", "1", "--eval-images", "64", "--mc-samples", "2")


def search(cwd, *args, tiny=TINY):
    return subprocess.run([sys.executable, "-m", "fbndsl", "search", *args, *tiny], cwd=cwd, capture_output=True,
                          text=True, timeout=300)


def test_the_cards_mobilenet_search_runs_as_written(tmp_path):
    done = search(tmp_path, "--space", "mobilenet.nas", "--flops", "330M", "--out", "runs/m")
    assert done.returncode == 0, done.stderr
    assert "classes=10: from the data (digits has 10 classes; mobilenet declares 1000" in done.stderr
    assert "resolution=32: a proxy from the data (digits images are 32x32, far below the declared 224x224)" \
        in done.stderr
    results = json.loads((tmp_path / "runs/m/results.json").read_text())
    assert results["space"]["sets"] == {"classes": "10"}                    # bound: the network has 10 outputs
    assert results["settings"]["proxy"] == {"resolution": "32"}             # recorded, as a --set proxy is
    assert results["budget"]["at_resolution"] == 224                        # the budget at the declared one
    assert all(e["macs"] <= 330e6 for e in results["evaluated"])
    out = done.stdout
    assert "budget: <= 330.000M MACs at the space's declared input resolution 224x224" in out
    assert "summary:\n  trained:  a BN-only supernet (FBN-NAS), 2 steps on digits" in out
    assert "  measured: 3 distinct architectures within <= 330.000M MACs" in out
    assert "  winner:   better than the median on " in out
    assert "--set resolution=32 --out runs/m/winner" in out                 # the export at the trained resolution


def test_a_set_value_is_not_overridden_by_the_data(tmp_path):
    done = search(tmp_path, "--space", "mobilenet", "--set", "resolution=48", "--set", "classes=10", "--flops",
                  "330M", "--indicator", "params", "--out", "o", tiny=("--evals", "2"))
    assert done.returncode == 0, done.stderr
    assert "from the data" not in done.stderr
    assert json.loads((tmp_path / "o/results.json").read_text())["settings"]["proxy"] == {"resolution": "48"}


def test_training_binds_the_same_values_and_records_them(tmp_path):
    done = subprocess.run([sys.executable, "-m", "fbndsl", "train", "--space", "mobilenet", "--mode", "bn-only",
                           "--epochs", "1", "--steps", "1", "--recal-batches", "1", "--out", "run"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "classes=10: from the data" in done.stderr and "resolution=32: a proxy from the data" in done.stderr
    assert "budgets" not in done.stderr  # training alone has none
    config = json.loads((tmp_path / "run/config.json").read_text())
    assert config["config"]["sets"] == [["classes", "10"], ["resolution", "32"]]
