"""Training settings, LR schedules and path samplers: pure Python, no torch needed."""
from __future__ import annotations

import io
import random
from collections import Counter

import pytest
from conftest import compile_text

import fbndsl
from fbndsl.diagnostics import UserError
from fbndsl.train import Mode, TrainConfig
from fbndsl.train.progress import TrainingProgress
from fbndsl.train.sampling import FairSampler, SandwichSampler, UniformSampler, make_sampler
from fbndsl.train.schedule import DECAY_FRACTION, FLOOR, lr_at

# Two always-active choices with 2 and 4 values, and a conditional one (a kernel of the second layer, which
# exists only at depth 2).
ELASTIC = """
network elastic {
  input(3, 16)
  stem: conv(out in {4, 8}, k = 3) -> bn -> relu
  stage s(c in {4, 8, 12, 16}) { repeat depth in {1..2} as i: conv(c, k in {1, 3}) -> bn }
  head: global_pool -> linear(10)
}
"""


@pytest.fixture(scope="module")
def nb201_small():
    return fbndsl.compile("nb201", C=4, N=1)


# -- config -----------------------------------------------------------------------------------------
def test_defaults_are_resolved_per_mode():
    assert TrainConfig(mode="full").lr == 0.1 and TrainConfig(mode="single-stage").lr == 0.1
    bn = TrainConfig(mode="bn-only")
    assert bn.mode is Mode.BN_ONLY and bn.lr > 0.1 and bn.weight_decay == 0.0
    assert TrainConfig(mode="full", lr=0.3).lr == 0.3
    assert TrainConfig(mode="full").to_json()["mode"] == "full"


@pytest.mark.parametrize("kwargs, message", [
    (dict(epochs=0), "--epochs 0: must be at least 1"),
    (dict(batch_size=1), "--batch-size 1: must be at least 2 (BatchNorm needs two samples per batch)"),
    (dict(steps=0), "--steps 0: must be at least 1"),
    (dict(lr=-1.0), "--lr -1.0: expected a positive number"),
    (dict(device="tpu"), "--device tpu: expected one of auto, cpu, cuda"),
    (dict(data="imagenet"), "data 'imagenet': unknown data source"),
    (dict(checkpoint_every=0), "--checkpoint-every 0: must be at least 1"),
    (dict(sandwich=False), "--no-sandwich applies to --mode single-stage only; drop it"),
    (dict(zero_init=False), "--no-zero-init applies to --mode single-stage only"),
    (dict(num_random=3), "--num-random applies to --mode single-stage only"),
])
def test_bad_settings_are_one_line_errors_naming_the_flag(kwargs, message):
    with pytest.raises(UserError) as err:
        TrainConfig(mode="full", **kwargs)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_sampler_is_not_a_single_stage_setting():
    with pytest.raises(UserError, match="--sampler applies to --mode bn-only and full"):
        TrainConfig(mode="single-stage", sampler="fair")
    with pytest.raises(UserError, match="--mode nope: expected one of bn-only, single-stage, full"):
        TrainConfig(mode="nope")


# -- LR schedules -----------------------------------------------------------------------------------
def test_cosine_schedule_of_bn_only_and_full():
    cfg = TrainConfig(mode="full", lr=0.2)
    assert lr_at(cfg, 0, 100) == pytest.approx(0.2)
    assert lr_at(cfg, 50, 100) == pytest.approx(0.1)
    assert lr_at(cfg, 100, 100) == pytest.approx(0.0, abs=1e-12)
    lrs = [lr_at(cfg, s, 100) for s in range(100)]
    assert lrs == sorted(lrs, reverse=True)


def test_single_stage_decays_exponentially_to_a_constant_five_percent():
    cfg = TrainConfig(mode="single-stage", lr=0.4)
    total = 200
    end = round(DECAY_FRACTION * total)
    assert lr_at(cfg, 0, total) == pytest.approx(0.4)
    assert lr_at(cfg, end, total) == pytest.approx(0.4 * FLOOR) == pytest.approx(0.02)
    assert all(lr_at(cfg, s, total) == pytest.approx(0.02) for s in range(end, total))
    # exponential: equal steps multiply the LR by equal factors
    ratios = [lr_at(cfg, s + 1, total) / lr_at(cfg, s, total) for s in range(end)]
    assert max(ratios) == pytest.approx(min(ratios)) and ratios[0] < 1


def test_no_lr_decay_is_constant_in_every_mode():
    for mode in ("full", "bn-only", "single-stage"):
        cfg = TrainConfig(mode=mode, lr=0.3, lr_decay=False)
        assert {lr_at(cfg, s, 50) for s in range(50)} == {0.3}


# -- samplers -----------------------------------------------------------------------------------------
def test_fair_step_uses_every_value_of_every_choice_equally_often(nb201_small):
    sampler = FairSampler(nb201_small, random.Random(3))
    for _ in range(3):
        paths = sampler.draw()
        assert len(paths) == 5
        for c in nb201_small.choices:
            assert Counter(p[c.label] for p in paths) == Counter({v: 1 for v in c.values})
        assert all(nb201_small.arch(p) == p for p in paths)


def test_fair_step_with_fewer_values_cycles_and_respects_conditions():
    space = compile_text(ELASTIC, name="elastic.nas")
    sampler = FairSampler(space, random.Random(0))
    assert sampler.width() == 4
    for _ in range(5):
        paths = sampler.draw()
        assert len(paths) == 4 and all(space.arch(p) == p for p in paths)  # every path a valid architecture
        for c in space.choices:
            if c.cond:  # s.1.k: used only where depth 2 makes it active
                assert all((c.label in p) == (p["s.depth"] == 2) for p in paths)
            else:
                counts = Counter(p[c.label] for p in paths)
                assert set(counts) == set(c.values) and len(set(counts.values())) == 1


def test_uniform_sampler_is_one_seeded_path(nb201_small):
    a = [UniformSampler(nb201_small, random.Random(7)).draw() for _ in range(2)]
    assert a[0] == a[1] and len(a[0]) == 1
    assert a[0][0] == nb201_small.sample(random.Random(7))


def test_sandwich_is_largest_smallest_and_n_random(nb201_small):
    rng = random.Random(0)
    children = SandwichSampler(nb201_small, rng, num_random=3).draw()
    assert children[:2] == [nb201_small.max_arch(), nb201_small.min_arch()] and len(children) == 5
    expected = random.Random(0)
    assert children[2:] == [nb201_small.sample(expected) for _ in range(3)]
    no_sandwich = SandwichSampler(nb201_small, random.Random(0), num_random=2, sandwich=False).draw()
    assert no_sandwich[0] == nb201_small.max_arch() and len(no_sandwich) == 3
    cfg = TrainConfig(mode="single-stage")
    assert len(make_sampler(nb201_small, cfg, random.Random(0)).draw()) == 4


# -- progress -----------------------------------------------------------------------------------------
class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


REC = {"kind": "train", "epoch": 0, "step": 4, "loss": 1.25, "acc": 0.5, "lr": 0.1, "images_per_s": 321.0}


def test_progress_on_a_terminal_is_a_bar_over_the_steps_with_the_epochs_above_it():
    out = FakeTerminal()
    progress = TrainingProgress(epochs=2, total=10, stream=out)
    with progress.running(step=0):
        for _ in range(4):
            progress.step(lambda: REC)
        progress.record(REC)  # in metrics.jsonl; the bar shows it
        progress.record(dict(REC, kind="epoch"))  # an epoch's line stays on screen, above the bar
    shown = out.getvalue()
    assert shown.startswith("\rtraining:   0%|") and "4/10 [" in shown and "step/s" in shown
    assert "\rend of epoch 1/2  step 4/10  loss 1.2500  acc 0.500  lr 0.1  321 img/s\n" in shown
    assert shown.count("end of epoch") == 1 and shown.endswith("\n")


def test_progress_in_a_log_is_plain_lines_and_quiet_is_silent():
    out = io.StringIO()
    progress = TrainingProgress(epochs=1, total=10, stream=out)
    with progress.running(step=0):
        progress.step(lambda: REC)  # the first line, with the numbers
        progress.step(lambda: pytest.fail("a line every few seconds in a log: not due yet"))
        progress.record(REC)
        progress.record(dict(REC, kind="epoch"))
    lines = out.getvalue().splitlines()
    assert [line.split(" [")[0] for line in lines] == ["training: 1/10", "end of epoch 1/1  step 4/10  loss 1.2500  "
                                                       "acc 0.500  lr 0.1  321 img/s", "training: 2/10"]
    assert lines[0].endswith(", epoch 1/1  loss 1.2500  acc 0.500]") and "\r" not in out.getvalue()
    silent = FakeTerminal()
    quiet = TrainingProgress(epochs=1, total=10, quiet=True, stream=silent)
    with quiet.running(step=0):
        quiet.step(lambda: pytest.fail("quiet: no numbers read"))
        quiet.record(dict(REC, kind="epoch"))
    quiet.message("resuming")
    assert silent.getvalue() == ""
