"""Random architectures within a budget (`fbndsl.search.feasible`): plain uniform draws under a loose budget, and
under a tight one, which rejection cannot meet, a descent and a walk whose draws are still uniform over the
architectures the budget admits (checked against the exact distribution, enumerated)."""
from __future__ import annotations

import collections
import functools
import random

import pytest
from conftest import compile_text
from test_search_strategies import ELASTIC

import fbndsl
from fbndsl import UserError
from fbndsl.indicators.kinds import Indicator
from fbndsl.search import feasible
from fbndsl.search.budget import Budget
from fbndsl.search.driver import search


@pytest.fixture(scope="module")
def nb201():
    return fbndsl.compile("nb201", C=4, N=1)


def within(space, budget):
    return lambda arch: budget.allows(space.cost(arch))


def test_a_loose_budget_gets_the_first_uniform_draw_that_fits(nb201):
    """No change from rejection sampling where rejection works: the same architecture from the same stream."""
    budget = Budget(macs=nb201.cost(nb201.max_arch()).macs // 2)
    fits = functools.partial(feasible.admits, nb201, budget)
    plain = random.Random(7)
    expected = next(a for a in iter(lambda: nb201.sample(plain), None) if fits(a))
    assert feasible.sample_feasible(nb201, budget, fits, random.Random(7)) == expected


def test_mobilenet_at_330M_draws_varied_architectures_within_it():
    """The papers' budget: not one random MobileNet architecture in 10,000 meets it (they cluster near 600M)."""
    space = fbndsl.compile("mobilenet")
    budget = Budget(macs=330_000_000)
    fits = functools.partial(feasible.admits, space, budget)
    rng = random.Random(0)
    assert not any(fits(space.sample(rng)) for _ in range(2_000))
    archs = [feasible.sample_feasible(space, budget, fits, rng) for _ in range(8)]
    assert all(fits(a) for a in archs)
    assert len(set(archs)) == 8
    macs = sorted(space.cost(a).macs for a in archs)
    assert macs[0] < 0.95 * budget.macs  # the walk leaves the budget's edge, where the descent stops
    varied = [c.label for c in space.choices if len({a[c.label] for a in archs}) > 1]
    assert len(varied) >= len(space.choices) - 2


def exact_marginals(space, archs) -> dict[str, collections.Counter]:
    counts = {c.label: collections.Counter() for c in space.choices}
    for arch in archs:
        for label, value in arch.items():
            counts[label][str(value)] += 1 / len(archs)
    return counts


def assert_marginals_close(space, drawn, admitted, tolerance):
    want, got = exact_marginals(space, admitted), exact_marginals(space, drawn)
    for label in want:
        for value in set(want[label]) | set(got[label]):
            assert abs(want[label][value] - got[label][value]) < tolerance, (label, value, want[label], got[label])


@pytest.mark.parametrize("case", ["nb201", "elastic"])
def test_draws_under_a_tight_budget_are_uniform_over_what_it_admits(monkeypatch, nb201, case):
    """Rejection switched off, so every draw is a descent and a walk. A descent alone would pile up at the
    budget's edge: each choice's share among the draws matches its share among all admitted architectures."""
    space = nb201 if case == "nb201" else compile_text(ELASTIC, "elastic.nas")
    costs = {a: space.cost(a).macs for a in space.enumerate()}
    limit = sorted(costs.values())[len(costs) // 20]  # the cheapest 5% or so
    admitted = [a for a, m in costs.items() if m <= limit]
    budget = Budget(macs=limit)
    monkeypatch.setattr(feasible, "REJECTION_TRIES", 0)
    rng = random.Random(3)
    drawn = [feasible.sample_feasible(space, budget, within(space, budget), rng) for _ in range(400)]
    assert all(costs[a] <= limit for a in drawn)
    n = len(admitted)
    assert len(set(drawn)) >= 0.9 * n * (1 - (1 - 1 / n) ** len(drawn))  # as many distinct as uniform draws give
    assert_marginals_close(space, drawn, admitted, tolerance=0.09)


def test_a_budget_no_draw_can_meet_is_a_clear_error(nb201):
    budget = Budget(macs=nb201.cost(nb201.max_arch()).macs)
    with pytest.raises(UserError, match="no architecture of 'nb201' within the budget .* raise the budget"):
        feasible.sample_feasible(nb201, budget, lambda arch: False, random.Random(0))


def test_a_search_under_a_tight_budget_runs():
    """bignas at 2% above its cheapest architecture: one in millions of its architectures, searched all the same."""
    bignas = fbndsl.compile("bignas")
    budget = Budget(macs=int(bignas.cost(bignas.min_arch()).macs * 1.02))
    result = search(bignas, indicator="params", strategy="evolution", budget=budget, evals=6,
                    evaluate=lambda a: {Indicator.PARAMS: float(bignas.cost(a).params)})
    assert len(result.evaluated) == 6 and all(e.macs <= budget.macs for e in result.evaluated)


def test_a_search_stops_rejecting_once_its_budget_has_defeated_rejection(monkeypatch):
    """10,000 rejected draws cost 0.8 s on MobileNet: paid once per search, not once per architecture."""
    from fbndsl.search import loop as search_loop

    space = fbndsl.compile("mobilenet")
    calls = []
    real = feasible.by_rejection
    monkeypatch.setattr(search_loop, "by_rejection", lambda *a, **k: calls.append(1) or real(*a, **k))
    searching = search_loop.SearchLoop(space, Budget(macs=330_000_000), lambda a: {}, lambda entries: [], evals=5)
    archs = [searching.random_feasible() for _ in range(3)]
    assert len(calls) == 1 and all(searching.feasible(a) for a in archs)
