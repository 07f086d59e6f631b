"""Indicators without torch: the enum, parsing, ranks with ties and NaN, CPI over a pool computed by hand."""
from __future__ import annotations

import math
import subprocess
import sys

import pytest

from fbndsl import UserError
from fbndsl.indicators import Aggregate, Ensemble, Indicator, base_indicators, order, parse_indicator, ranks, scores

E, T, U, R = Indicator.EXPRESSIVITY, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS
NAN = math.nan


def test_importing_search_does_not_import_torch():
    code = "import sys, fbndsl.search, fbndsl.indicators; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_directions_components_and_needs():
    lower_better = {i for i in Indicator if not i.higher_is_better}
    assert lower_better == {Indicator.CPI, T, U, Indicator.MIN_DEPTH, Indicator.MIN_MIXING}
    assert Indicator.CPI.components == (T, U, R)  # the linear-region reading of expressivity (FBN-NAS 5.3)
    assert R.higher_is_better and not T.higher_is_better and not U.higher_is_better
    assert Indicator.NASWOT.components == (Indicator.NASWOT,)
    trained = {i for i in Indicator if i.needs_trained_supernet}
    assert trained == {Indicator.CPI, E, T, U, Indicator.REGIONS, Indicator.GAMMA}
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
    assert base_indicators(["macs", "cpi", "uncertainty"]) == (T, U, R, Indicator.MACS)
    assert base_indicators(["regions", "expressivity", "cpi"]) == (E, T, U, R)


def test_ranks_ties_share_the_average_rank():
    assert ranks([3.0, 1.0, 3.0, 2.0], higher_is_better=True) == [1.5, 4.0, 1.5, 3.0]
    assert ranks([3.0, 1.0, 3.0, 2.0], higher_is_better=False) == [3.5, 1.0, 3.5, 2.0]
    assert ranks([5.0, 5.0, 5.0], higher_is_better=True) == [2.0, 2.0, 2.0]
    assert ranks([], higher_is_better=True) == []


def test_nan_ranks_last_in_either_direction():
    assert ranks([NAN, 1.0, NAN, 2.0], higher_is_better=True) == [3.5, 2.0, 3.5, 1.0]
    assert ranks([NAN, 1.0, NAN, 2.0], higher_is_better=False) == [3.5, 1.0, 3.5, 2.0]
    assert ranks([-math.inf, NAN, math.inf], higher_is_better=True) == [2.0, 3.0, 1.0]


POOL = [{E: 0.9, T: 1.0, U: 0.2, R: 20.0},
        {E: 0.8, T: 2.0, U: 0.1, R: 40.0},
        {E: 0.9, T: 0.5, U: 0.3, R: 20.0},
        {E: 0.7, T: 2.0, U: 0.1, R: 10.0}]
ACCURACY_READING = "expressivity+trainability+uncertainty"


def test_cpi_over_a_pool_by_hand():
    # trainability ranks (lower better): 2, 3.5, 1, 3.5; uncertainty (lower): 3, 1.5, 4, 1.5;
    # regions (higher): 2.5, 1, 2.5, 4. Expressivity plays no part.
    expected = [(2 + 3 + 2.5) / 3, (3.5 + 1.5 + 1) / 3, (1 + 4 + 2.5) / 3, (3.5 + 1.5 + 4) / 3]
    assert scores(POOL, Indicator.CPI) == pytest.approx(expected, abs=1e-12)
    assert order(POOL, Indicator.CPI) == [1, 0, 2, 3]  # 2, 2.5, 2.5, 3: the tie between 0 and 2 in pool order
    no_expressivity = [{c: r[c] for c in (T, U, R)} for r in POOL]
    assert scores(no_expressivity, Indicator.CPI) == pytest.approx(expected, abs=1e-12)
    with pytest.raises(KeyError, match="record 0 has no 'regions' value"):
        scores([{E: r[E], T: r[T], U: r[U]} for r in POOL], Indicator.CPI)


def test_the_accuracy_reading_is_an_ensemble_of_expressivity_trainability_uncertainty():
    # expressivity ranks (higher better): 1.5, 3, 1.5, 4; trainability (lower): 2, 3.5, 1, 3.5;
    # uncertainty (lower): 3, 1.5, 4, 1.5
    expected = [(1.5 + 2 + 3) / 3, (3 + 3.5 + 1.5) / 3, (1.5 + 1 + 4) / 3, (4 + 3.5 + 1.5) / 3]
    reading = parse_indicator(ACCURACY_READING)
    assert reading.components == (E, T, U) and reading.value == ACCURACY_READING
    assert scores(POOL, reading) == pytest.approx(expected, abs=1e-12)
    assert order(POOL, reading) == [0, 2, 1, 3]


def test_cpi_is_relative_to_the_pool():
    # trainability 1.0, 2.0: ranks 1, 2; uncertainty 0.2, 0.1: 2, 1; regions 20, 40: 2, 1
    assert scores(POOL[:2], Indicator.CPI) == pytest.approx([(1 + 2 + 2) / 3, (2 + 1 + 1) / 3])
    assert scores(POOL, Indicator.CPI)[:2] != scores(POOL[:2], Indicator.CPI)


def test_order_raw_indicators_and_stable_ties():
    assert scores(POOL, E) == [0.9, 0.8, 0.9, 0.7]
    assert order(POOL, E) == [0, 2, 1, 3]        # tie between 0 and 2 kept in pool order
    assert order(POOL, U) == [1, 3, 0, 2]        # lower is better
    assert order(POOL, R) == [1, 0, 2, 3]        # higher is better
    with_nan = POOL + [{E: NAN, T: NAN, U: NAN, R: NAN}]
    assert order(with_nan, E)[-1] == 4 and order(with_nan, U)[-1] == 4 and order(with_nan, R)[-1] == 4
    assert order(with_nan, Indicator.CPI)[-1] == 4


def test_a_missing_value_is_named():
    with pytest.raises(KeyError, match="record 0 has no 'naswot' value"):
        scores(POOL, Indicator.NASWOT)


# -- rank ensembles -------------------------------------------------------------------------------------------
N, S = Indicator.NASWOT, Indicator.SYNFLOW


def test_parse_an_ensemble_to_its_canonical_text():
    e = parse_indicator(" 2 * CPI + synflow")
    assert e == Ensemble(((Indicator.CPI, 2), (S, 1)))
    assert e.value == "2*cpi+synflow" and parse_indicator(e.value) == e
    assert parse_indicator("synflow+naswot").value == "synflow+naswot"  # members in the order given
    assert e.components == (T, U, R, S)  # CPI expanded, in enum order
    assert parse_indicator("naswot+cpi+expressivity").components == (E, T, U, R, N)
    assert parse_indicator("regions+cpi+trainability").components == (T, U, R)  # duplicates dropped
    assert not e.higher_is_better and e.needs_trained_supernet
    assert not parse_indicator("naswot+synflow").needs_trained_supernet
    assert "\n" not in e.description and "cpi" in e.description
    assert base_indicators([e, "macs"]) == (T, U, R, S, Indicator.MACS)
    assert hash(e) == hash(parse_indicator("2*cpi+synflow"))  # a dict key, as the top-k columns use it


@pytest.mark.parametrize("text, start", [
    ("cpi+", "bad indicator 'cpi+': '' is not NAME or W*NAME (W a positive integer); combine indicators as "
             "NAME+NAME (the mean of their ranks) or product(NAME+NAME) (the product of their normalised ranks), "
             "with integer weights as 2*NAME+NAME; valid indicators: cpi, "),
    ("product(cpi+naswot", "bad indicator 'product(cpi+naswot': parentheses belong only around a product"),
    ("cpi+(naswot)", "bad indicator 'cpi+(naswot)': parentheses belong only around a product"),
    ("product(naswot)", "an ensemble needs two or more indicators, not 'product(naswot)'"),
    ("product(cpi+)", "bad indicator 'product(cpi+)': '' is not NAME or W*NAME"),
    ("x*cpi+naswot", "bad indicator 'x*cpi+naswot': 'x*cpi' is not NAME or W*NAME"),
    ("naswot+nasowt", "unknown indicator 'nasowt' (did you mean 'naswot'?); valid indicators: cpi, "),
    ("2*cpi", "an ensemble needs two or more indicators, not '2*cpi'"),
    ("naswot+naswot", "'naswot' appears more than once in 'naswot+naswot'; give it a weight instead (2*naswot)"),
    ("0*cpi+naswot", "the weight of 'cpi' must be an integer of at least 1, not 0"),
])
def test_a_bad_ensemble_is_a_one_line_user_error(text, start):
    with pytest.raises(UserError) as e:
        parse_indicator(text)
    assert str(e.value).startswith(start) and "\n" not in str(e.value)
    assert "NAME+NAME" in str(e.value) or "weight" in str(e.value)


def test_a_product_of_ranks_parses_to_its_canonical_text():
    e = parse_indicator(" Product ( 2 * CPI + synflow ) ")
    assert e == Ensemble(((Indicator.CPI, 2), (S, 1)), Aggregate.PRODUCT) != parse_indicator("2*cpi+synflow")
    assert e.value == "product(2*cpi+synflow)" and parse_indicator(e.value) == e
    assert e.components == (T, U, R, S) and not e.higher_is_better and e.needs_trained_supernet
    assert "product" in e.description and "\n" not in e.description


def test_rankings_alike_ignore_member_order_only():
    from fbndsl.indicators.ensemble import ranks_alike

    product = parse_indicator("product(2*naswot+synflow+meco)")
    assert ranks_alike(product, parse_indicator("product(meco+2*naswot+synflow)"))
    assert ranks_alike(Indicator.MECO, parse_indicator("MeCo")) and not ranks_alike(Indicator.MECO, product)
    for other in ("product(naswot+synflow+meco)", "2*naswot+synflow+meco", "product(2*naswot+synflow)"):
        assert not ranks_alike(product, parse_indicator(other)), other
    rows = [{Indicator.NASWOT: c, S: s, Indicator.MECO: m} for c, s, m in ((1, 9, 2), (3, 1, 5), (2, 4, 4), (5, 2, 1))]
    assert order(rows, product) == order(rows, parse_indicator("product(meco+synflow+2*naswot)"))


def test_a_product_is_minus_the_log_of_the_weighted_geometric_mean_of_the_normalised_ranks():
    """Normalised rank q = (n + 1 - r) / n: 1 for the best of n, 1/n for the last. A network last by one member
    (record 0) falls behind one never worse than third (record 1), though the mean of ranks ties them."""
    pool = [{N: n, S: s} for n, s in zip([4.0, 3.0, 2.0, 1.0], [1.0, 2.0, 4.0, 3.0])]
    # naswot ranks 1, 2, 3, 4 (q 1, 3/4, 1/2, 1/4); synflow ranks 4, 3, 1, 2 (q 1/4, 1/2, 1, 3/4)
    q = [(1, 1 / 4), (3 / 4, 1 / 2), (1 / 2, 1), (1 / 4, 3 / 4)]
    expected = [-(math.log(a) + math.log(b)) / 2 for a, b in q]
    assert scores(pool, parse_indicator("product(naswot+synflow)")) == pytest.approx(expected, abs=1e-12)
    assert scores(pool, parse_indicator("naswot+synflow")) == [2.5, 2.5, 2.0, 3.0]
    assert order(pool, parse_indicator("product(naswot+synflow)")) == [2, 1, 0, 3]
    weighted = [-(2 * math.log(a) + math.log(b)) / 3 for a, b in q]
    assert scores(pool, parse_indicator("product(2*naswot+synflow)")) == pytest.approx(weighted, abs=1e-12)
    first_everywhere = [{N: 9.0, S: 9.0}, *pool]
    assert scores(first_everywhere, parse_indicator("product(naswot+synflow)"))[0] == 0.0


def test_an_ensemble_is_the_weighted_mean_of_its_members_ranks():
    pool = [{**r, N: n, S: s} for r, n, s in zip(POOL, [1.0, 2.0, 3.0, 4.0], [4.0, 3.0, 2.0, 1.0])]
    cpi = ranks(scores(pool, Indicator.CPI), higher_is_better=False)  # CPI 7.5/3, 6/3, 7.5/3, 9/3: 2.5, 1, 2.5, 4
    assert cpi == [2.5, 1.0, 2.5, 4.0]
    # synflow ranks (higher better) 1, 2, 3, 4: (2 * 2.5 + 1) / 3, (2 * 1 + 2) / 3, (2 * 2.5 + 3) / 3, (2 * 4 + 4) / 3
    expected = [2.0, 4 / 3, 8 / 3, 4.0]
    assert scores(pool, parse_indicator("2*cpi+synflow")) == pytest.approx(expected, abs=1e-12)
    assert order(pool, parse_indicator("2*cpi+synflow")) == [1, 0, 2, 3]
    # naswot ranks 4, 3, 2, 1 and synflow 1, 2, 3, 4: every mean is 2.5, ties keep the pool's order
    assert scores(pool, parse_indicator("naswot+synflow")) == [2.5] * 4
    assert order(pool, parse_indicator("naswot+synflow")) == [0, 1, 2, 3]
