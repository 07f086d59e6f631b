"""Budgets: amounts with K/M/G suffixes, the feasibility check against the space's exact range."""
from __future__ import annotations

import pytest

import fbndsl
from fbndsl import UserError
from fbndsl.cost.model import Cost
from fbndsl.search.budget import Budget, parse_amount


@pytest.mark.parametrize("text, value", [
    ("330M", 330_000_000), ("330m", 330_000_000), ("1.5G", 1_500_000_000), ("1.5g", 1_500_000_000),
    ("5k", 5_000), ("2.5K", 2_500), ("12345", 12_345), (" 7 M ", 7_000_000), ("0.25M", 250_000), (".5G", 500_000_000),
    (42, 42)])
def test_amounts_parse(text, value):
    assert parse_amount(text, "--flops") == value


@pytest.mark.parametrize("text, message", [
    ("abc", "--flops abc: expected a number with an optional K, M or G suffix, e.g. --flops 330M"),
    ("5T", "--flops 5T: expected a number with an optional K, M or G suffix"),
    ("-5M", "--flops -5M: expected a number"),
    ("1.0000005K", "--flops 1.0000005K: is 1000.0005 operations, not a whole number"),
    ("0", "--flops 0: must be positive"),
    ("", "--flops : expected a number")])
def test_bad_amounts_are_one_line_errors(text, message):
    with pytest.raises(UserError) as info:
        parse_amount(text, "--flops")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_budget_allows_by_both_bounds():
    budget = Budget.parse(flops="1M", params="10K")
    assert budget == Budget(1_000_000, 10_000)
    assert budget.allows(Cost(1_000_000, 10_000)) and not budget.allows(Cost(1_000_001, 1))
    assert not budget.allows(Cost(1, 10_001)) and Budget().allows(Cost(10**12, 10**9))
    assert budget.describe() == "<= 1.000M MACs and <= 10.000K params"


def test_an_infeasible_budget_names_the_space_range():
    space = fbndsl.compile("nb201")
    with pytest.raises(UserError) as info:
        Budget.parse(flops="5M").check_feasible(space)
    assert str(info.value) == ("--flops 5.000M: below the cheapest architecture of 'nb201'; its MACs range from "
                               "7.783M to 220.120M (7,783,050 .. 220,119,690)")
    with pytest.raises(UserError, match=r"--params 50.000K: below .* params range from 73.306K to 1.532M"):
        Budget.parse(params="50K").check_feasible(space)
    Budget.parse(flops="7783050", params="73306").check_feasible(space)  # the cheapest itself fits
