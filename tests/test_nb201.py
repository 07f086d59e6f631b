"""NAS-Bench-201: size, notation round trip, and the cost model against the benchmark's own counter."""
from __future__ import annotations

import csv

import pytest
from conftest import NB201_CSV

needs_csv = pytest.mark.skipif(not NB201_CSV.is_file(), reason="../shared/data/nb201/nb201.csv not present")


def test_size_is_5_to_the_6(nb201):
    assert nb201.size == 15_625
    assert sum(1 for _ in nb201.enumerate()) == 15_625


def test_choices_are_the_six_edges(nb201):
    assert [c.label for c in nb201.choices] == [
        "cell.n1.n0", "cell.n2.n0", "cell.n2.n1", "cell.n3.n0", "cell.n3.n1", "cell.n3.n2"]
    assert nb201.choices[0].values == ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")


def test_official_string_round_trip(nb201):
    text = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    arch = nb201.parse_arch(text)
    assert arch["cell.n2.n1"] == "avg_pool_3x3"
    assert nb201.format_arch(arch, "nb201") == text
    assert nb201.parse_arch(arch.text()) == arch


@needs_csv
def test_cost_matches_the_benchmark_for_all_15625_archs(nb201):
    rows = list(csv.DictReader(NB201_CSV.open()))
    assert len(rows) == 15_625
    seen = set()
    for row in rows:
        arch = nb201.parse_arch(row["arch_str"])
        assert nb201.format_arch(arch, "nb201") == row["arch_str"]
        cost = nb201.cost(arch)
        assert f"{cost.macs / 1e6:.5f}" == f"{float(row['cifar10_flops_M']):.5f}", row["arch_str"]
        assert f"{cost.params / 1e6:.6f}" == f"{float(row['cifar10_params_M']):.6f}", row["arch_str"]
        seen.add(arch)
    assert seen == set(nb201.enumerate())


@needs_csv
def test_imagenet16_and_cifar100_heads(nb201):
    """The same cell at 16x16 input and 120 classes, or 100 classes: only --set changes."""
    from conftest import SPACES

    import fbndsl

    inet = fbndsl.compile(SPACES / "nb201.nas", classes=120, resolution=16)
    c100 = fbndsl.compile(SPACES / "nb201.nas", classes=100)
    for row in list(csv.DictReader(NB201_CSV.open()))[::97]:
        for space, key in ((inet, "imagenet16_120"), (c100, "cifar100")):
            cost = space.cost(space.parse_arch(row["arch_str"]))
            assert f"{cost.macs / 1e6:.5f}" == f"{float(row[key + '_flops_M']):.5f}"
            assert f"{cost.params / 1e6:.6f}" == f"{float(row[key + '_params_M']):.6f}"


def test_extremes(nb201):
    assert nb201.min_arch().text() == ",".join(f"{c.label}=none" for c in nb201.choices)
    assert nb201.max_arch().text() == ",".join(f"{c.label}=nor_conv_3x3" for c in nb201.choices)
    assert nb201.cost_range() == {"macs": (7_783_050, 220_119_690), "params": (73_306, 1_531_546)}


def test_fairness_inserts_bn_after_skip_and_pool_only(nb201):
    report = nb201.fairness
    assert report.candidates == 30
    assert {(f.key, f.op) for f in report.unfair} == {("skip_connect", "identity"), ("avg_pool_3x3", "avg_pool")}
    assert report.inserted == 2 * 6 * 15  # two candidates per edge, six edges, fifteen cells
