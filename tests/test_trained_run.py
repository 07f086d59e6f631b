"""`load_run`: a supernet back from its run directory, with the very weights training left."""
import json

import pytest
import torch

import fbndsl
from fbndsl.diagnostics import UserError
from fbndsl.train import TrainConfig, load_run, train


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    space = fbndsl.compile("nb201", C=4, N=1, fairness="off")
    result = train(space, TrainConfig(mode="bn-only", epochs=1, steps=3, quiet=True), out_dir=out)
    return out, result


def test_loaded_supernet_has_the_trained_weights(run):
    out, result = run
    space, supernet, config = load_run(out)
    assert space.fairness.mode.value == "off"  # recorded in config.json, not assumed
    assert config.mode.value == "bn-only" and config.steps == 3
    saved = torch.load(out / "checkpoint.pt", weights_only=True)["model"]
    loaded = supernet.state_dict()
    assert set(loaded) == set(saved)
    for name, value in loaded.items():
        assert torch.equal(value, saved[name]), name
    # the final evaluation recalibrated BatchNorm statistics after the checkpoint, but not the parameters
    for name, value in supernet.named_parameters():
        assert torch.equal(value, dict(result.supernet.named_parameters())[name].cpu()), name


def test_missing_or_edited_run_is_a_one_line_error(run, tmp_path):
    with pytest.raises(UserError, match="no such run directory"):
        load_run(tmp_path / "nope")
    (tmp_path / "config.json").write_text("{", encoding="utf-8")
    with pytest.raises(UserError, match="not valid JSON"):
        load_run(tmp_path)
    out, _ = run
    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("config.json", "checkpoint.pt"):
        (edited / name).write_bytes((out / name).read_bytes())
    (edited / "space.nas").write_text((out / "space.nas").read_text() + "\n# edited\n", encoding="utf-8")
    with pytest.raises(UserError, match="sha256 differs"):
        load_run(edited)
    record = json.loads((out / "config.json").read_text())
    assert record["space"]["fairness"] == "off"
