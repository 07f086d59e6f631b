"""`fbndsl bench nb201`: the ground-truth readers (CSV; the official file through NASBench201API, on a small file
in the API's own format built here), the rank statistics on hand-computed cases, the Table-1 counts, and a smoke
run of the whole evaluation on a tiny setting."""
from __future__ import annotations

import csv
import json
import math
import random

import pytest
from click.testing import CliRunner

import fbndsl
from fbndsl.bench import Truth, correlation, count_operators, kendall_tau, spearman_rho, top_archs
from fbndsl.diagnostics import UserError
from fbndsl.indicators.kinds import Indicator

ARCH_A = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
ARCH_B = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
TINY = {"C": "4", "N": "1"}


def write_csv(path, rows, header=("index", "arch_str", "cifar10_test_acc")):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


# -- the CSV ---------------------------------------------------------------------------------------------------

def test_csv_truth_by_architecture(tmp_path, nb201):
    truth = Truth.from_csv(write_csv(tmp_path / "t.csv", [(0, ARCH_A, "93.66"), (1, ARCH_B, "10.0")]))
    assert truth.of(nb201, nb201.parse_arch(ARCH_A)) == 93.66
    assert truth.accuracy == {ARCH_A: 93.66, ARCH_B: 10.0}


@pytest.mark.parametrize("make, message", [
    (lambda p: p / "missing.csv",
     "{p}: no such file; --truth takes the NAS-Bench-201 CSV (columns arch_str, cifar10_test_acc)"),
    (lambda p: write_csv(p / "t.csv", [(0, ARCH_A, "1")], header=("index", "arch_str", "acc")),
     "{p}: no column cifar10_test_acc (it has index, arch_str, acc)"),
    (lambda p: write_csv(p / "t.csv", [(0, ARCH_A, "93.1"), (1, ARCH_B, "n/a")]),
     "{p}:3: cifar10_test_acc 'n/a' is not a number"),
    (lambda p: write_csv(p / "t.csv", []), "{p}: has a header but no rows"),
])
def test_csv_errors_are_one_line(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(UserError) as err:
        Truth.from_csv(path)
    assert str(err.value) == message.format(p=path)


def test_an_architecture_without_truth_is_named(tmp_path, nb201):
    truth = Truth.from_csv(write_csv(tmp_path / "t.csv", [(0, ARCH_A, "93.66")]))
    with pytest.raises(UserError, match=r"no ground truth for \|none~0\|"):
        truth.of(nb201, nb201.parse_arch(ARCH_B))


# -- the official file through NASBench201API --------------------------------------------------------------------

def api_results(index: int, arch: str, test_accs: dict[int, float], epochs: int):
    """An ArchResults state dict as the benchmark file stores it: one 'cifar10' trial per seed."""
    from nas_201_api import ArchResults, ResultsCount

    results = ArchResults(index, arch)
    for seed, acc in test_accs.items():
        trial = ResultsCount("cifar10", None, {e: 50.0 + e for e in range(epochs)}, {e: 1.0 for e in range(epochs)},
                             0.5, 80.0, {"arch_str": arch, "channel": 16, "num_cells": 5, "class_num": 10}, seed,
                             epochs, None)
        keys = [f"ori-test@{e}" for e in range(epochs)]
        trial.update_eval({k: acc - (epochs - 1 - e) for e, k in enumerate(keys)},  # the last epoch's is `acc`
                          dict.fromkeys(keys, 0.3), dict.fromkeys(keys, 1.0))
        results.update("cifar10", seed, trial)
    return results.state_dict()


def write_api_file(path, archs: dict[str, dict[int, float]]):
    import torch

    data = {"meta_archs": list(archs), "evaluated_indexes": list(range(len(archs))),
            "arch2infos": {i: {"less": api_results(i, a, {111: 1.0}, 12), "full": api_results(i, a, accs, 200)}
                           for i, (a, accs) in enumerate(archs.items())}}
    torch.save(data, path)
    return path


def test_api_adapter_reads_the_mean_test_accuracy_at_200_epochs(tmp_path, nb201):
    pytest.importorskip("nas_201_api")
    path = write_api_file(tmp_path / "NAS-Bench-201-tiny.pth", {ARCH_A: {777: 93.0, 888: 94.0}, ARCH_B: {777: 10.0}})
    truth = Truth.from_api(path)
    assert truth.accuracy == {ARCH_A: 93.5, ARCH_B: 10.0}  # the mean over seeds, not the 12-epoch 'less' results
    assert truth.of(nb201, nb201.parse_arch(ARCH_B)) == 10.0


def test_api_file_with_pickled_objects_is_refused_unexecuted(tmp_path):
    """The API's own classes pickled as objects (not state dicts): loading would import and build them."""
    pytest.importorskip("nas_201_api")
    import torch
    from nas_201_api import ArchResults

    path = tmp_path / "objects.pth"
    torch.save({"meta_archs": [ARCH_A], "evaluated_indexes": [0],
                "arch2infos": {0: {"less": ArchResults(0, ARCH_A), "full": ArchResults(0, ARCH_A)}}}, path)
    with pytest.raises(UserError, match=r"objects.pth: refused: it holds more than tensors and plain containers"):
        Truth.from_api(path)


def test_api_file_that_is_not_the_benchmark(tmp_path):
    import torch

    torch.save({"meta_archs": []}, tmp_path / "x.pth")
    with pytest.raises(UserError, match="not a NAS-Bench-201 benchmark file"):
        Truth.from_api(tmp_path / "x.pth")
    with pytest.raises(UserError, match="no such file; --api takes the official NAS-Bench-201 file"):
        Truth.from_api(tmp_path / "none.pth")


def test_api_without_the_package_says_how_to_install_it(tmp_path, monkeypatch):
    import sys

    import torch

    torch.save({"meta_archs": [], "arch2infos": {}, "evaluated_indexes": []}, tmp_path / "x.pth")
    monkeypatch.setitem(sys.modules, "nas_201_api", None)  # import fails as if not installed
    with pytest.raises(UserError, match=r"pip install nas-bench-201"):
        Truth.from_api(tmp_path / "x.pth")


# -- statistics, computed by hand ------------------------------------------------------------------------------

def test_kendall_and_spearman_without_ties():
    # pairs: 5 concordant, 1 discordant (2,3): tau = 4/6; rho = 1 - 6 * (1 + 1) / (4 * 15) = 0.8
    assert kendall_tau([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(2 / 3)
    assert spearman_rho([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    assert kendall_tau([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_kendall_tau_b_and_spearman_with_ties():
    x, y = [1, 2, 2, 3], [1, 2, 3, 3]
    # 6 pairs: 4 concordant, 0 discordant, 1 tied in x only, 1 tied in y only:
    # tau-b = (4 - 0) / sqrt((6 - 1) * (6 - 1)) = 0.8   (tau-a would be 4/6)
    assert kendall_tau(x, y) == pytest.approx(0.8)
    # average ranks x: 1, 2.5, 2.5, 4; y: 1, 2, 3.5, 3.5; Pearson of them: 3.75 / sqrt(4.5 * 4.5)
    assert spearman_rho(x, y) == pytest.approx(3.75 / 4.5)


def test_constant_input_is_undefined_not_an_error():
    assert math.isnan(kendall_tau([1, 1, 1], [1, 2, 3]))
    assert math.isnan(spearman_rho([1, 2, 3], [5, 5, 5]))


def test_correlation_flips_lower_is_better_and_ranks_nan_last():
    truth = [90.0, 80.0, 70.0, 60.0]
    assert correlation([1.0, 2.0, 3.0, 4.0], False, truth).kendall_tau == pytest.approx(1.0)   # uncertainty-like
    assert correlation([4.0, 3.0, 2.0, 1.0], True, truth).spearman_rho == pytest.approx(1.0)
    # NaN ranks last, as the search ranks it; -inf is just the smallest value
    assert correlation([math.inf, 3.0, -math.inf, math.nan], True, truth).kendall_tau == pytest.approx(1.0)


# -- Table 1 ---------------------------------------------------------------------------------------------------

def test_count_operators_over_every_edge(nb201):
    archs = [nb201.parse_arch(ARCH_A), nb201.parse_arch(ARCH_B)]
    assert count_operators(nb201, archs) == {"none": 6, "skip_connect": 2, "nor_conv_1x1": 0, "nor_conv_3x3": 3,
                                             "avg_pool_3x3": 1}


def test_top_archs_by_indicator(nb201):
    archs = ["a", "b", "c", "d"]
    records = [{Indicator.GAMMA: v} for v in (0.5, 2.0, 1.0, 2.0)]
    assert top_archs(archs, records, Indicator.GAMMA, k=3) == ["b", "d", "c"]  # a tie keeps the sampled order
    unc = [{Indicator.UNCERTAINTY: v} for v in (0.5, 2.0, 1.0, 2.0)]
    assert top_archs(archs, unc, Indicator.UNCERTAINTY, k=2) == ["a", "c"]     # lower is better


# -- the evaluation, on a tiny setting -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tiny_truth(tmp_path_factory):
    """A made-up accuracy for each of the 15,625 cells (the tiny space has the same cell)."""
    space = fbndsl.compile("nb201")
    rng = random.Random(1)
    rows = [(i, space.format_arch(a, "nb201"), f"{rng.uniform(10, 94):.2f}") for i, a in enumerate(space.enumerate())]
    return Truth.from_csv(write_csv(tmp_path_factory.mktemp("truth") / "t.csv", rows))


def tiny_settings(out):
    from fbndsl.bench.settings import Measuring, Settings

    # the last step (off by default from version 7) asked for, so that the smoke run reports it too
    return Settings(epochs=1, steps=2, archs=5, calibration=6, evals=4, search_seeds=2, refine_top=10, data="digits",
                    out=out, supernet_dir=out / "supernets",
                    measuring=Measuring(recal_batches=2, eval_images=16, mc_samples=2, batch_size=16, naswot_batch=8),
                    sets=tuple(TINY.items()))


def test_gamma_needs_no_recalibration(tmp_path):
    """`gamma_context`'s claim: a one-batch context gives gamma exactly as the full one."""
    from fbndsl.bench.nb201 import context, gamma_context, load_data
    from fbndsl.indicators import measure
    from fbndsl.train import TrainConfig, train

    settings = tiny_settings(tmp_path)
    space, data = fbndsl.compile("nb201", fairness="off", **TINY), load_data(settings)
    config = TrainConfig(mode="bn-only", steps=2, data="digits", quiet=True, eval_archs=1, recal_batches=1)
    net = train(space, config, data.train, tmp_path / "run").supernet
    arch = space.parse_arch(ARCH_A)
    full = measure(context(space, net, data.held_out, settings), arch, [Indicator.GAMMA])
    assert measure(gamma_context(space, net, data.held_out, settings), arch, [Indicator.GAMMA]) == full


def test_smoke_run_reports_every_figure_and_reuses_its_supernets(tmp_path, tiny_truth):
    from fbndsl.bench.nb201 import run
    from fbndsl.bench.protocol import CANDIDATES, CPI_READINGS
    from fbndsl.search.driver import pick_for

    settings = tiny_settings(tmp_path / "out")
    report = run(settings, tiny_truth, echo=lambda line: None)
    lines = report.lines()
    assert lines[-1].startswith("nb201: ") and "Kendall tau" in lines[-1] and "% (FBN-NAS 93.79%)" in lines[-1]
    data = json.loads(report.write().read_text())
    assert set(data["correlations"]) == {i.value for i in Indicator}
    assert set(data["rankings"]) >= {*CANDIDATES, "naswot+synflow", *(i.value for i in Indicator)}
    assert all(r["calibration"]["n"] == 6 and r["evaluation"]["n"] == 5 for r in data["rankings"].values())
    cost = {name: r["seconds_per_arch"] for name, r in data["rankings"].items()}
    assert 0 < cost["naswot"] < cost["naswot+synflow"] and cost["trainability"] < cost["cpi"]
    chosen = [c["chosen"] for c in data["choices"]]
    assert chosen[0] in CPI_READINGS and chosen[1] in CANDIDATES and chosen[1] in lines[-1]
    calibration = {a["arch"] for a in data["calibration_archs"]}
    assert len(calibration) == 6 and not calibration & {a["arch"] for a in data["archs"]}
    assert all(set(c) == {"kendall_tau", "spearman_rho", "n"} and c["n"] == 5 for c in data["correlations"].values())
    assert set(data["claim1_table1"]) == {"insert", "off"}
    assert all(sum(c.values()) == 5 * 6 for c in data["claim1_table1"].values())  # top 10 of 5 archs, 6 edges each
    assert [r["seed"] for r in data["search"]["runs"]] == [0, 1]
    assert all(tiny_truth.accuracy[r["nb201"]] == r["cifar10_test_acc"] for r in data["search"]["runs"])
    assert all(r["ranked_first_acc"] in tiny_truth.accuracy.values() for r in data["search"]["runs"])
    assert data["search"]["pick"] == pick_for(chosen[1]).value  # the chosen ranking's pick (version 11)
    assert any("its 10 best re-ranked by the product of their rank and their gradient explosion's rank at N=5" in line
               for line in lines)
    assert len(data["archs"]) == 5 and data["figure"] == lines[-1]
    header = next(i for i, line in enumerate(lines) if line.startswith("  ranking ") and line.endswith("s/arch"))
    table = lines[header:header + 1 + len(data["rankings"])]
    assert len({len(line) for line in table}) == 1, table  # the longest ranking's name keeps the columns aligned
    assert [s["steps"] for s in data["supernets"]] == [2, 2]

    checkpoints = [s.run_dir / "checkpoint.pt" for s in report.supernets]
    written = [c.stat().st_mtime_ns for c in checkpoints]
    again = run(settings, tiny_truth, echo=lambda line: None)  # same settings: the trained supernets are reused
    assert [c.stat().st_mtime_ns for c in checkpoints] == written
    as_json = lambda r: {k: c.to_json() for k, c in r.correlations.items()}  # NaN (a constant column) as None
    assert as_json(again) == as_json(report) and again.table1 == report.table1


def test_cli_bad_truth_is_one_line_exit_1(tmp_path):
    from fbndsl.cli import main

    result = CliRunner().invoke(main, ["bench", "nb201", "--quick", "--truth", str(tmp_path / "no.csv")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {tmp_path / 'no.csv'}: no such file; --truth takes the NAS-Bench-201 CSV "
        f"(columns arch_str, cifar10_test_acc)"]


def test_cli_truth_and_api_together_is_an_error(tmp_path):
    from fbndsl.cli import main

    result = CliRunner().invoke(main, ["bench", "nb201", "--truth", "a.csv", "--api", "b.pth"])
    assert result.exit_code == 1 and "give one source of ground truth" in result.output


def test_both_presets_measure_an_n1_proxy_and_set_adds_to_it(tmp_path):
    from fbndsl.bench.report import proxy
    from fbndsl.bench.settings import CPU_MEASURING, make_settings
    from fbndsl.bench.supernets import run_dir

    paths = dict(data="digits", out=tmp_path / "out", supernet_dir=tmp_path / "supernets")
    quick, full = make_settings(quick=True, **paths), make_settings(**paths)
    assert dict(quick.sets) == dict(full.sets) == {"N": "1"} and "N=1 (a proxy" in proxy(quick.sets)
    assert quick.measuring == full.measuring == CPU_MEASURING
    assert (full.epochs, full.steps, full.archs, full.calibration, full.evals) == (10, None, 1000, 200, 200)
    assert quick.refine_top == full.refine_top == 0  # the last step is off from version 7
    assert dict(make_settings(quick=True, sets=(("C", "8"),), **paths).sets) == {"C": "8", "N": "1"}
    assert dict(make_settings(quick=True, sets=(("N", "5"),), **paths).sets) == {"N": "5"}
    assert "as the benchmark's" in proxy(())
    assert proxy((("N", "5"),)) == " as the benchmark's (C=16, N=5)"  # --quick --set N=5 is no proxy
    assert proxy((("N", "5"), ("C", "8"))) == " with C=8 (a proxy: the ground truth is the benchmark's C=16, N=5)"
    # the proxy's supernet trains into its own directory; a value cannot climb out of --supernet-dir
    assert run_dir(quick, fbndsl.Fairness.INSERT).name == "insert-e3-steps300-N1-fair-seed0-val"
    odd = make_settings(quick=True, sets=(("N", "../x"),), **{**paths, "supernet_dir": tmp_path})
    assert run_dir(odd, fbndsl.Fairness.OFF).parent == tmp_path


def test_a_reports_settings_read_back_as_written(tmp_path):
    """`Settings.from_json` inverts `to_json`, the report's "settings": the studies of perf/ measure with them."""
    import json

    from fbndsl.bench.settings import PAPER_MEASURING, Settings, make_settings

    paths = dict(data="digits", out=tmp_path / "out", supernet_dir=tmp_path / "supernets")
    for settings in (make_settings(quick=True, **paths),
                     make_settings(sets=(("N", "5"),), measuring=PAPER_MEASURING, seed=3, **paths)):
        assert Settings.from_json(json.loads(json.dumps(settings.to_json()))) == settings


def test_the_package_has_no_default_paths():
    """Data, results and supernets go where the caller says: nothing defaults into a checkout."""
    from fbndsl.bench.settings import Settings, make_settings

    with pytest.raises(TypeError):
        Settings()
    with pytest.raises(TypeError):
        make_settings(quick=True)


def test_the_supernets_are_the_compilers_fairness_modes():
    from fbndsl.bench.supernets import SUPERNETS, title

    assert SUPERNETS == (fbndsl.Fairness.INSERT, fbndsl.Fairness.OFF)
    assert [title(f) for f in SUPERNETS] == ["fairness on", "fairness off"]


def test_cli_says_when_it_uses_a_checkout_default(tmp_path, monkeypatch):
    """Run from a checkout (../shared/data beside the current directory), --truth defaults to its CSV, said on
    stderr; elsewhere, a one-line error asks for --truth."""
    from fbndsl.cli import main

    checkout = tmp_path / "repo"
    checkout.mkdir()
    monkeypatch.chdir(checkout)
    nowhere = CliRunner().invoke(main, ["bench", "nb201", "--quick"])
    assert nowhere.exit_code == 1 and nowhere.output.strip().splitlines() == [
        "error: --truth: not given, and its default ../shared/data/nb201/nb201.csv does not exist here (it does in "
        "a checkout with ../shared/data beside it); give --truth"]
    (tmp_path / "shared" / "data" / "nb201").mkdir(parents=True)
    write_csv(tmp_path / "shared" / "data" / "nb201" / "nb201.csv", [(0, ARCH_A, "93.66")])
    no_data = CliRunner().invoke(main, ["bench", "nb201", "--quick"])
    assert no_data.exit_code == 1 and no_data.output.strip().splitlines() == [
        "using --truth ../shared/data/nb201/nb201.csv (the default in a checkout with ../shared/data beside it)",
        "error: --data: not given, and its default ../shared/data/cifar10-10k/cifar-10-batches-py does not exist "
        "here (it does in a checkout with ../shared/data beside it); give --data"]


def test_cli_defaults_write_under_runs_not_into_the_repository(tmp_path, monkeypatch):
    import fbndsl.cli.bench as command
    from fbndsl.cli import main

    checkout = tmp_path / "repo"
    checkout.mkdir()
    (tmp_path / "shared" / "data" / "cifar10-10k" / "cifar-10-batches-py").mkdir(parents=True)
    (tmp_path / "shared" / "data" / "nb201").mkdir()
    write_csv(tmp_path / "shared" / "data" / "nb201" / "nb201.csv", [(0, ARCH_A, "93.66")])
    monkeypatch.chdir(checkout)
    seen = []
    monkeypatch.setattr(command, "run_nb201", lambda settings, truth, threads: seen.append(settings))
    for args, out in ((["--quick"], "runs/nb201-quick"), ([], "runs/nb201"), (["--paper-measuring"], "runs/nb201")):
        result = CliRunner().invoke(main, ["bench", "nb201", *args])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [
            f"using {flag} {path} (the default in a checkout with ../shared/data beside it)"
            for flag, path in (("--truth", "../shared/data/nb201/nb201.csv"),
                               ("--data", "../shared/data/cifar10-10k/cifar-10-batches-py"))]
        settings = seen.pop()
        assert (str(settings.out), str(settings.supernet_dir)) == (out, "runs/nb201-supernets")
        assert settings.data == "cifar10:../shared/data/cifar10-10k/cifar-10-batches-py"
        assert (settings.measuring.mc_samples, settings.measuring.eval_images) == \
            ((10, 1000) if "--paper-measuring" in args else (4, 256))
