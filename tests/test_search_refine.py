"""Refinement (`--refine-top`): one architecture trained BN-only alone, its accuracy, and the search that ranks
its top-K by it, records it in results.json and reuses it on --resume; the same with `--refine-by explosion`
(the K listed by the product of their rank and their gradient explosion's rank, read at `--refine-set`'s depth)."""
from __future__ import annotations

import json
import random
from dataclasses import replace

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

import fbndsl  # noqa: E402
from fbndsl import UserError  # noqa: E402
from fbndsl.cli import main  # noqa: E402
from fbndsl.data import load  # noqa: E402
from fbndsl.indicators.context import held_out  # noqa: E402
from fbndsl.indicators.kinds import Indicator  # noqa: E402
from fbndsl.lower.batchnorm import batchnorms  # noqa: E402
from fbndsl.search import refine  # noqa: E402
from fbndsl.search.budget import Budget  # noqa: E402
from fbndsl.search.driver import search  # noqa: E402
from fbndsl.search.objective import Ranked, best_k, refined_first  # noqa: E402
from fbndsl.search.refinement import Refinement  # noqa: E402
from fbndsl.search.strategies.base import Entry  # noqa: E402
from fbndsl.train import Mode  # noqa: E402
from fbndsl.train.setup import build_supernet  # noqa: E402

CONV3 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
SEARCH = dict(indicator="naswot", strategy="random", budget=Budget.parse(flops="2M"), evals=5, top=3, seed=1,
              refine_top=2, refine_steps=2)


@pytest.fixture(scope="module")
def space():
    return fbndsl.compile("nb201", C=4, N=1)


@pytest.fixture(scope="module")
def digits():
    return load("digits", augment=True, seed=0)


def test_refined_accuracy_is_a_deterministic_fraction_that_leaves_the_random_state_alone(space, digits):
    arch = space.parse_arch(CONV3)
    images = held_out(digits, 100)
    random.seed(7)
    torch.manual_seed(7)
    before = (random.random(), torch.rand(1))
    random.seed(7)
    torch.manual_seed(7)
    first = refine.refined_accuracy(space, arch, digits, images, steps=3, seed=0, device="cpu")
    second = refine.refined_accuracy(space, arch, digits, images, steps=3, seed=0, device="cpu")
    assert (random.random(), torch.rand(1)) == before  # build_supernet's seeding did not leak out
    assert first == second and 0.0 <= first <= 1.0
    assert first in {k / 100 for k in range(101)}  # a fraction of the 100 held-out images


def test_refined_gives_the_same_accuracy_and_the_mean_of_the_steps_training_losses(space, digits, monkeypatch):
    arch = space.parse_arch(CONV3)
    images = held_out(digits, 100)
    seen, real = [], refine.single_path_step

    def step(*args):
        stats = real(*args)
        seen.append(float(stats.loss))
        return stats

    monkeypatch.setattr(refine, "single_path_step", step)
    both = refine.refined(space, arch, digits, images, steps=3, seed=0, device="cpu", mode=Mode.FULL)
    assert len(seen) == 3 and both.mean_loss == pytest.approx(sum(seen) / 3)
    assert both.accuracy == refine.refined_accuracy(space, arch, digits, images, steps=3, seed=0, device="cpu",
                                                    mode=Mode.FULL)


def test_only_the_architectures_batchnorms_learn(space, digits):
    arch = space.parse_arch(CONV3)
    net, config = refine.refined_network(space, arch, digits, steps=3, seed=0, device=torch.device("cpu"))
    initial, _ = build_supernet(space, config, torch.device("cpu"))
    bn_names = {name for name, m in net.named_modules() if m in set(batchnorms(net))}
    after, before = dict(net.named_parameters()), dict(initial.named_parameters())
    changed = {name for name in after if not torch.equal(after[name], before[name])}
    assert changed and all(name.rsplit(".", 1)[0] in bn_names for name in changed)  # no convolution, no linear
    on_path = {name for name in after if name.rsplit(".", 1)[0] in bn_names and "nor_conv_3x3" in name}
    off_path = {name for name in after if any(op in name for op in ("nor_conv_1x1", "skip_connect", "avg_pool"))}
    assert on_path and on_path <= changed
    assert off_path and not off_path & changed


def test_in_full_mode_every_weight_of_the_path_learns_and_no_other(space, digits):
    arch = space.parse_arch(CONV3)
    net, config = refine.refined_network(space, arch, digits, steps=3, seed=0, device=torch.device("cpu"),
                                         mode=Mode.FULL)
    assert config.mode is Mode.FULL and config.steps == 3
    initial, _ = build_supernet(space, config, torch.device("cpu"))
    after, before = dict(net.named_parameters()), dict(initial.named_parameters())
    changed = {name for name in after if not torch.equal(after[name], before[name])}
    convs = {name for name in after if "nor_conv_3x3" in name and name.endswith("weight") and after[name].dim() == 4}
    assert convs and convs <= changed  # the path's convolutions train, not only its BatchNorms
    assert not {name for name in changed if any(op in name for op in ("nor_conv_1x1", "skip_connect", "avg_pool"))}


def counting(monkeypatch):
    """Counts the calls of `refined_accuracy`, which still measures."""
    calls, real = [], refine.refined_accuracy

    def counted(space, arch, *args, **kwargs):
        calls.append(arch)
        return real(space, arch, *args, **kwargs)

    monkeypatch.setattr(refine, "refined_accuracy", counted)
    return calls


def test_a_search_ranks_its_refined_best_first_and_a_resume_reuses_them(space, tmp_path, monkeypatch):
    calls = counting(monkeypatch)
    result = search(space, data="digits", out_dir=tmp_path, **SEARCH)
    best = best_k(result.evaluated, Indicator.NASWOT, 2)
    assert len(calls) == 2 and set(calls) == {e.arch for e in best} == set(result.refined)
    accuracies = [result.refined[r.entry.arch] for r in result.top[:2]]
    assert accuracies == sorted(accuracies, reverse=True) and result.best is result.top[0]
    assert [r.rank for r in result.top] == [1, 2, 3] and result.top[2].entry.arch not in result.refined
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["settings"]["refine_top"] == 2 and record["settings"]["refine_steps"] == 2
    assert record["refined"] == {a.text(): v for a, v in result.refined.items()}
    assert [row.get("refined") for row in record["top"]] == [*accuracies, None]
    assert [row["arch"] for row in record["top"]] == [r.entry.arch.text() for r in result.top]

    resumed = search(space, data="digits", out_dir=tmp_path, resume=True, **SEARCH)
    assert len(calls) == 2  # nothing trained again
    assert resumed.refined == result.refined and [r.entry for r in resumed.top] == [r.entry for r in result.top]
    with pytest.raises(UserError, match=r"--refine-steps 2, not 3; resume with the same settings") as info:
        search(space, data="digits", out_dir=tmp_path, resume=True, **(SEARCH | {"refine_steps": 3}))
    assert "\n" not in str(info.value)


def ranked(arch_texts, space):
    archs = [space.parse_arch(t) for t in arch_texts]
    return [Ranked(i, Entry(a, 1, 1, {}), {}, {}) for i, a in enumerate(archs, 1)]


def test_refined_rows_come_first_by_accuracy_ties_in_the_indicators_order(space):
    texts = [CONV3.replace("nor_conv_3x3~2", op + "~2") for op in ("nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3",
                                                                     "skip_connect")]
    top = ranked(texts, space)
    refined = {top[0].entry.arch: 0.3, top[1].entry.arch: 0.5, top[2].entry.arch: 0.3}
    out = refined_first(top, refined)
    assert [r.entry.arch for r in out] == [top[i].entry.arch for i in (1, 0, 2, 3)]
    assert [r.rank for r in out] == [1, 2, 3, 4]


def test_explosion_lists_the_k_by_the_product_of_their_two_ranks_ties_in_the_rankings_order(space):
    texts = [CONV3.replace("nor_conv_3x3~2", op + "~2") for op in ("nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3",
                                                                     "skip_connect", "none")]
    top = ranked(texts, space)
    # ranking's ranks 1..4; explosion ranks 4, 1, 2, 3 (lower is better): products 4, 2, 6, 12
    refined = {top[i].entry.arch: v for i, v in enumerate((0.9, 0.2, 0.5, 0.7))}
    out = Refinement.EXPLOSION.first(top, refined)
    assert [r.entry.arch for r in out] == [top[i].entry.arch for i in (1, 0, 2, 3, 4)]
    assert [r.rank for r in out] == [1, 2, 3, 4, 5]
    # a tie of products (1 x 2 = 2 x 1) keeps the ranking's order; a NaN explosion ranks last among the K
    refined = {top[0].entry.arch: 0.5, top[1].entry.arch: 0.1, top[2].entry.arch: float("nan")}
    out = Refinement.EXPLOSION.first(top, refined)
    assert [r.entry.arch for r in out] == [top[i].entry.arch for i in (0, 1, 2, 3, 4)]
    assert Refinement.ACCURACY.first(top, {top[1].entry.arch: 0.9, top[0].entry.arch: 0.1})[0] == replace(top[1],
                                                                                                          rank=1)


def test_cli_refines_by_explosion_at_the_depth_it_is_told(tmp_path):
    out = tmp_path / "run"
    result = run(*TINY, "--refine-top", "2", "--refine-by", "explosion", "--refine-set", "N=2", "--out", str(out))
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.lstrip().startswith("rank"))
    assert header.split() == ["rank", "MACs", "params", "naswot", "explosion", "arch"]
    assert "rank by gradient explosion at initialisation at N=2 (column 'explosion', lower is better)" in result.output
    record = json.loads((out / "results.json").read_text())
    assert record["settings"]["refine_by"] == "explosion" and record["settings"]["refine_sets"] == {"N": "2"}
    assert "refine_steps" not in record["settings"] and len(record["refined"]) == 2
    assert all(v is None or v > 0 for v in record["refined"].values())
    one_line_error(run(*TINY, "--refine-top", "2", "--refine-by", "explosion", "--out", str(out), "--resume"),
                   "not (none)")


def run(*args):
    return CliRunner().invoke(main, ["search", *args], catch_exceptions=False)


TINY = ["--space", "nb201", "--set", "C=4", "--set", "N=1", "--flops", "2M", "--evals", "3", "--top", "2",
        "--indicator", "naswot", "--strategy", "random", "--device", "cpu", "--quiet"]


def one_line_error(result, fragment):
    assert result.exit_code == 1, result.output
    text = result.output.strip()
    assert "Traceback" not in text and "\n" not in text and fragment in text, text


def test_cli_refines_with_an_indicator_that_trains_nothing(tmp_path):
    out = tmp_path / "run"
    result = run(*TINY, "--refine-top", "1", "--refine-steps", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    header = next(line for line in result.output.splitlines() if line.lstrip().startswith("rank"))
    assert header.split() == ["rank", "MACs", "params", "naswot", "refined", "arch"]
    assert "refined: the 1 best each trained BN-only alone for 1 steps" in result.output
    record = json.loads((out / "results.json").read_text())
    assert list(record["refined"]) == [record["top"][0]["arch"]] and "refined" not in record["top"][1]
    one_line_error(run(*TINY, "--refine-top", "1", "--refine-steps", "2", "--out", str(out), "--resume"),
                   "--refine-steps 1, not 2")
    one_line_error(run(*TINY, "--out", str(out), "--resume"), "--refine-top 1, not (none)")


@pytest.mark.parametrize(("args", "fragment"), [
    (["--refine-top", "-1"], "--refine-top -1: expected a non-negative integer"),
    (["--refine-top", "1", "--refine-steps", "0"], "--refine-steps 0: expected a positive integer"),
    (["--refine-top", "two"], "'two' is not a valid integer"),
    (["--refine-top", "1", "--refine-by", "depth"], "--refine-by depth: expected one of accuracy, explosion"),
    (["--refine-by", "explosion"], "--refine-by: applies to refinement; give --refine-top K too"),
    (["--refine-top", "1", "--refine-set", "N=5"], "--refine-set: applies to --refine-by explosion"),
    (["--refine-top", "1", "--refine-by", "explosion", "--refine-steps", "5"],
     "--refine-steps: applies to --refine-by accuracy"),
    (["--refine-top", "1", "--refine-by", "explosion", "--refine-set", "N"], "--refine-set N: expected NAME=VALUE"),
    (["--refine-top", "1", "--refine-by", "explosion", "--refine-set", "N=x"], "--refine-set N=x: expected an integer"),
    (["--refine-top", "1", "--refine-by", "explosion", "--refine-set", "C=0"], "--refine-set C=0")])
def test_cli_refine_flags_are_checked(tmp_path, args, fragment):
    one_line_error(run(*TINY, *args, "--out", str(tmp_path / "o")), fragment)
