"""The protocol of `fbndsl bench nb201` (docs/nb201.md, "Protocol"): two disjoint sets of distinct networks, and
choices made by a fixed rule from calibration figures alone."""
from __future__ import annotations

import math

import pytest

import fbndsl
from fbndsl.bench.protocol import Choice, draw_sets, judge, ranking_names
from fbndsl.bench.stats import kendall_tau


@pytest.fixture(scope="module")
def small():
    return fbndsl.compile("nb201", C=4, N=1)


def test_sets_are_distinct_disjoint_networks_fixed_by_the_seed(small):
    sets = draw_sets(small, 30, 40, seed=3)
    forms = [small.canonical(a) for a in (*sets.calibration, *sets.evaluation)]
    assert len(sets.calibration) == 30 and len(sets.evaluation) == 40 and len(set(forms)) == 70
    assert draw_sets(small, 30, 40, seed=3) == sets and draw_sets(small, 30, 40, seed=4) != sets


def test_a_larger_calibration_set_extends_the_smaller_one(small):
    assert draw_sets(small, 10, 20, seed=0).calibration[:5] == draw_sets(small, 5, 20, seed=0).calibration


def test_a_choice_is_the_highest_calibration_tau_ties_to_the_earlier_nan_never():
    assert Choice("x", ("a", "b", "c"), (0.1, 0.3, 0.2)).chosen == "b"
    assert Choice("x", ("a", "b"), (0.3, 0.3)).chosen == "a"
    assert Choice("x", ("a", "b"), (math.nan, -0.5)).chosen == "b"


def test_judge_ranks_a_mean_of_ranks_within_each_set():
    """Two indicators whose ranks exactly disagree on every record: their mean of ranks is constant (tau NaN), and
    each alone is +1 / -1 against a truth that follows the first."""
    from fbndsl.indicators.kinds import Indicator

    records = [{Indicator.NASWOT: float(i), Indicator.SYNFLOW: float(-i)} for i in range(6)]
    truth = [float(i) for i in range(6)]
    assert judge("naswot", records, truth, records, truth).evaluation.kendall_tau == pytest.approx(1.0)
    assert judge("synflow", records, truth, records, truth).calibration.kendall_tau == pytest.approx(-1.0)
    assert math.isnan(judge("naswot+synflow", records, truth, records, truth).evaluation.kendall_tau)
    assert kendall_tau([1, 2, 3], [1, 2, 3]) == pytest.approx(1.0)


def test_every_pair_of_zero_cost_proxies_is_judged():
    names = ranking_names()
    assert "naswot+synflow" in names and "jacob_cov+snip" in names and len(names) == len(set(names))
    assert "product(naswot+synflow)" in names and "product(meco+params)" in names


def test_a_ranking_costs_its_indicators_and_the_recalibration_they_share():
    from fbndsl.bench.pool import Pool
    from fbndsl.indicators import Indicator, parse_indicator
    from fbndsl.indicators.kinds import LAYER_MAPS, RECALIBRATION

    part = {Indicator.NASWOT: 0.2, Indicator.SYNFLOW: 0.4, Indicator.TRAINABILITY: 0.1, Indicator.UNCERTAINTY: 0.3,
            Indicator.REGIONS: 0.5, RECALIBRATION: 1.0, Indicator.ISOTROPY: 0.01, Indicator.PROGRESSIVITY: 0.02,
            LAYER_MAPS: 0.1}
    pool = Pool(("a", "b"), ({}, {}), (2.5, 2.5), (part, {**part, Indicator.NASWOT: 0.4}))
    assert pool.seconds_of(parse_indicator("naswot+synflow")) == pytest.approx(0.7)  # no recalibration
    assert pool.seconds_of(Indicator.CPI) == pytest.approx(1.9)                      # its three, recalibrated once
    assert math.isnan(pool.seconds_of(Indicator.SNIP))                               # not timed
    assert pool.seconds_of(parse_indicator("isotropy+progressivity")) == pytest.approx(0.13)  # one layer-map pass
    assert pool.seconds_of(parse_indicator("product(cpi+isotropy)")) == pytest.approx(2.01)   # and a recalibration
