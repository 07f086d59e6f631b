"""What the data decides about a space (`fbndsl.fit`): its class count and a proxy input resolution."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

import fbndsl
from fbndsl.fit import fit_to_data, resolution_param

DIGITS = SimpleNamespace(name="digits", num_classes=10, resolution=32)


def test_an_imagenet_space_takes_the_class_count_and_a_proxy_resolution_from_the_data():
    fit = fit_to_data(fbndsl.compile("mobilenet"), DIGITS, {}, budgets=True)
    assert dict(fit.sets) == {"classes": "10", "resolution": "32"} and fit.proxy == "resolution"
    assert fit.notes == (
        "classes=10: from the data (digits has 10 classes; mobilenet declares 1000; --set classes=N overrides)",
        "resolution=32: a proxy from the data (digits images are 32x32, far below the declared 224x224); the "
        "supernet trains and is measured at 32x32; MACs and budgets stay at the declared resolution; "
        "--set resolution=N overrides")


def test_training_alone_does_not_mention_budgets():
    fit = fit_to_data(fbndsl.compile("resnet18"), DIGITS, {}, budgets=False)
    assert dict(fit.sets) == {"classes": "10", "resolution": "32"}
    assert "budgets" not in fit.notes[1]


def test_a_set_value_wins_over_the_data():
    fit = fit_to_data(fbndsl.compile("mobilenet", classes=7, resolution=64), DIGITS,
                      {"classes": "7", "resolution": "64"}, budgets=True)
    assert dict(fit.sets) == {} and fit.notes == () and fit.proxy is None


def test_a_space_that_already_fits_is_left_alone():
    fit = fit_to_data(fbndsl.compile("nb201"), DIGITS, {}, budgets=True)
    assert dict(fit.sets) == {} and fit.notes == ()


@pytest.mark.parametrize("resolution, bound", [(16, True), (17, False), (28, False)])
def test_the_resolution_is_a_proxy_only_at_half_the_declared_side_or_below(resolution, bound):
    data = SimpleNamespace(name="d", num_classes=10, resolution=resolution)
    fit = fit_to_data(fbndsl.compile("nb201"), data, {}, budgets=True)
    assert dict(fit.sets) == ({"resolution": str(resolution)} if bound else {})


def test_an_elastic_or_computed_resolution_is_not_the_datas_to_change(tmp_path):
    # bignas: `input(3, resolution in {192, ..})`: its classes are bound, its resolutions are choices
    fit = fit_to_data(fbndsl.compile("bignas"), DIGITS, {}, budgets=True)
    assert dict(fit.sets) == {"classes": "10"} and fit.proxy is None
    path = tmp_path / "t.nas"
    path.write_text("param base = 112\nnetwork t {\n  input(3, 2 * base)\n  head: global_pool -> linear(10)\n}\n")
    assert resolution_param(fbndsl.compile(str(path))) is None
    assert dict(fit_to_data(fbndsl.compile(str(path)), DIGITS, {}, budgets=True).sets) == {}


def test_a_head_without_a_classes_param_is_not_rewritten(tmp_path):
    path = tmp_path / "t.nas"
    path.write_text("param resolution = 32\nnetwork t {\n  input(3, resolution)\n"
                    "  head: global_pool -> linear(1000)\n}\n")
    assert dict(fit_to_data(fbndsl.compile(str(path)), DIGITS, {}, budgets=True).sets) == {}
