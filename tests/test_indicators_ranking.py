"""Indicators without torch: the enum, parsing, ranks with ties and NaN, CPI over a pool computed by hand."""
from __future__ import annotations

import math
import subprocess
import sys

import pytest

from fbndsl import UserError
from fbndsl.indicators import Indicator, base_indicators, order, parse_indicator, ranks, scores

E, T, U = Indicator.EXPRESSIVITY, Indicator.TRAINABILITY, Indicator.UNCERTAINTY
NAN = math.nan


def test_importing_search_does_not_import_torch():
    code = "import sys, fbndsl.search, fbndsl.indicators; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_directions_components_and_needs():
    lower_better = {i for i in Indicator if not i.higher_is_better}
    assert lower_better == {Indicator.CPI, Indicator.UNCERTAINTY}
    assert Indicator.CPI.components == (E, T, U)
    assert Indicator.NASWOT.components == (Indicator.NASWOT,)
    trained = {i for i in Indicator if i.needs_trained_supernet}
    assert trained == {Indicator.CPI, E, T, U, Indicator.GAMMA}
    assert all(i.description and "\n" not in i.description for i in Indicator)


def test_parse_indicator():
    assert parse_indicator("CPI") is Indicator.CPI
    assert parse_indicator(" naswot ") is Indicator.NASWOT
    assert parse_indicator(Indicator.MACS) is Indicator.MACS


def test_bad_indicator_name_is_a_one_line_user_error():
    with pytest.raises(UserError) as e:
        parse_indicator("nasowt")
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("unknown indicator 'nasowt' (did you mean 'naswot'?); valid indicators: cpi, ")
    assert all(i.value in msg for i in Indicator)


def test_base_indicators_expand_cpi_in_enum_order():
    assert base_indicators(["macs", "cpi", "uncertainty"]) == (E, T, U, Indicator.MACS)


def test_ranks_ties_share_the_average_rank():
    assert ranks([3.0, 1.0, 3.0, 2.0], higher_is_better=True) == [1.5, 4.0, 1.5, 3.0]
    assert ranks([3.0, 1.0, 3.0, 2.0], higher_is_better=False) == [3.5, 1.0, 3.5, 2.0]
    assert ranks([5.0, 5.0, 5.0], higher_is_better=True) == [2.0, 2.0, 2.0]
    assert ranks([], higher_is_better=True) == []


def test_nan_ranks_last_in_either_direction():
    assert ranks([NAN, 1.0, NAN, 2.0], higher_is_better=True) == [3.5, 2.0, 3.5, 1.0]
    assert ranks([NAN, 1.0, NAN, 2.0], higher_is_better=False) == [3.5, 1.0, 3.5, 2.0]
    assert ranks([-math.inf, NAN, math.inf], higher_is_better=True) == [2.0, 3.0, 1.0]


POOL = [{E: 0.9, T: 1.0, U: 0.2},
        {E: 0.8, T: 2.0, U: 0.1},
        {E: 0.9, T: 0.5, U: 0.3},
        {E: 0.7, T: 2.0, U: 0.1}]


def test_cpi_over_a_pool_by_hand():
    # expressivity ranks (higher better): 1.5, 3, 1.5, 4; trainability (higher): 3, 1.5, 4, 1.5;
    # uncertainty (lower): 3, 1.5, 4, 1.5
    expected = [(1.5 + 3 + 3) / 3, (3 + 1.5 + 1.5) / 3, (1.5 + 4 + 4) / 3, (4 + 1.5 + 1.5) / 3]
    assert scores(POOL, Indicator.CPI) == pytest.approx(expected, abs=1e-12)
    assert order(POOL, Indicator.CPI) == [1, 3, 0, 2]


def test_cpi_is_relative_to_the_pool():
    assert scores(POOL[:2], Indicator.CPI) == pytest.approx([(1 + 2 + 2) / 3, (2 + 1 + 1) / 3])
    assert scores(POOL, Indicator.CPI)[:2] != scores(POOL[:2], Indicator.CPI)


def test_order_raw_indicators_and_stable_ties():
    assert scores(POOL, E) == [0.9, 0.8, 0.9, 0.7]
    assert order(POOL, E) == [0, 2, 1, 3]        # tie between 0 and 2 kept in pool order
    assert order(POOL, U) == [1, 3, 0, 2]        # lower is better
    with_nan = POOL + [{E: NAN, T: NAN, U: NAN}]
    assert order(with_nan, E)[-1] == 4 and order(with_nan, U)[-1] == 4
    assert order(with_nan, Indicator.CPI)[-1] == 4


def test_a_missing_value_is_named():
    with pytest.raises(KeyError, match="record 0 has no 'naswot' value"):
        scores(POOL, Indicator.NASWOT)
