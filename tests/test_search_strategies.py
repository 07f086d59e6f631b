"""Search strategies on synthetic scores (no network, no torch): each finds a known optimum; aging evolution
ages; coarse-to-fine's grid moves each elastic dimension as one; mutations respect conditional choices; no
strategy ever has an architecture over the budget evaluated."""
from __future__ import annotations

import json
import random

import pytest
from conftest import ROOT, SKIPPING_DEPTH, compile_text

import fbndsl
from fbndsl import UserError
from fbndsl.indicators.ensemble import Ensemble, parse_indicator
from fbndsl.indicators.kinds import Indicator
from fbndsl.indicators.ranking import order, scores
from fbndsl.search import plot
from fbndsl.search.budget import Budget
from fbndsl.search.driver import DEFAULT_INDICATOR, DEFAULT_PICK, pick_for, search
from fbndsl.search.loop import SearchLoop
from fbndsl.search.objective import goodness
from fbndsl.search.strategies import CoarseToFine, Evolution, Exhaustive, RandomSampling, make
from fbndsl.search.strategies.coarse_to_fine import grid_points
from fbndsl.search.strategies.dimensions import Dimension, Position, dimensions
from fbndsl.search.strategies.mutation import complete, mutate

ELASTIC = """
param classes = 10
op layer(c, k) = conv(c, k = k) -> bn -> relu
network elastic {
  input(3, resolution in {16, 24, 32})
  stem: conv(out in {8, 16}, k = 3) -> bn -> relu
  stage s1(c in {8, 12, 16}, k in {3, 5}) { repeat depth in {1..3}: layer(c, k) }
  stage s2(c in {16, 24}, k in {3, 5, 7}) { repeat depth in {1..2}: layer(c, k) }
  head: global_pool -> linear(classes)
}
"""

# 2 x 2 x 3 = 12 architectures: few enough for random sampling to cover
SMALL = """
param classes = 10
op cand(c) = choose(c3: conv(c, k = 3) -> bn, c1: conv(c, k = 1) -> bn, identity)
network small {
  input(3, resolution in {16, 32})
  stem: conv(8, 3) -> bn
  stage s1(c in {8, 16}) { conv(c, 1) -> bn  cand(c) }
  head: global_pool -> linear(classes)
}
"""


@pytest.fixture(scope="module")
def nb201():
    return fbndsl.compile("nb201", C=4, N=1)


@pytest.fixture(scope="module")
def elastic():
    return compile_text(ELASTIC, "elastic.nas")


@pytest.fixture(scope="module")
def tiny_search():
    return fbndsl.compile(ROOT / "examples" / "tiny_search" / "space.nas")


def matching(target):
    """A synthetic score: how many choices agree with `target` (its unique optimum, within any budget it fits)."""
    def score(arch):
        return {Indicator.PARAMS: float(sum(arch.get(label) == value for label, value in target.items()))}

    return score


def run(space, strategy, score, **kw):
    return search(space, indicator=Indicator.PARAMS, strategy=strategy, evaluate=score, **kw)


def test_random_sampling_covers_a_small_space(tmp_path):
    space = compile_text(SMALL, "small.nas")
    assert space.size == 12
    target = space.sample(seed=5)
    result = run(space, RandomSampling(), matching(target), evals=12, seed=1)
    assert len(result.evaluated) == 12 and result.best.entry.arch == target


def test_evolution_finds_the_optimum(nb201):
    target = nb201.parse_arch("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
    result = run(nb201, Evolution(population=20, sample=5), matching(target), evals=300, seed=1)
    assert result.best.entry.arch == target
    random_result = run(nb201, RandomSampling(), matching(target), evals=300, seed=1)
    assert random_result.top[0].values[Indicator.PARAMS] < 6  # what evolution found is not luck of sampling


def test_exhaustive_finds_the_optimum_within_the_budget(nb201):
    budget = Budget(macs=1_500_000)
    target = nb201.parse_arch("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
                              "nor_conv_3x3~2|")
    result = run(nb201, Exhaustive(), matching(target), budget=budget)
    feasible = [a for a in nb201.enumerate() if nb201.cost(a).macs <= budget.macs and nb201.reads_input(a)]
    # one architecture per network: the first of each in the order of enumeration
    first: dict = {}
    for a in feasible:
        first.setdefault(nb201.canonical(a), a)
    assert len(first) < len(feasible) and [e.arch for e in result.evaluated] == list(first.values())
    best_score = max(matching(target)(a)[Indicator.PARAMS] for a in feasible)
    assert result.top[0].values[Indicator.PARAMS] == best_score


def test_archs_whose_output_ignores_the_input_are_never_evaluated(nb201):
    """NAS-Bench-201 cells whose output node reads only 'none' edges compute a constant: not real networks."""
    dead = nb201.parse_arch("|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|none~0|none~1|none~2|")
    assert not nb201.reads_input(dead)
    result = run(nb201, Exhaustive(), matching(dead), budget=Budget(macs=1_500_000))
    assert all(nb201.reads_input(e.arch) for e in result.evaluated)
    assert dead not in {e.arch for e in result.evaluated}


def test_coarse_to_fine_finds_a_grid_point(elastic):
    groups = dimensions(elastic)
    target = elastic.arch(complete(elastic, {**_at(groups, Position.LARGEST), "resolution": 16}, random.Random(0)))
    result = run(elastic, CoarseToFine(), matching(target), evals=200, seed=0)  # 100 for the grid: all of it
    assert result.best.entry.arch == target and target in {e.arch for e in result.evaluated[:81]}


def test_coarse_to_fine_finds_a_neighbour_of_the_grid(elastic):
    """The fine stage: the optimum differs from the best skeletons in two choices."""
    groups = dimensions(elastic)
    point = _at(groups, Position.LARGEST) | {"s1.k": 3, "s2.depth": 1}
    target = elastic.arch(point)
    result = run(elastic, CoarseToFine(), matching(target), evals=80, seed=0)
    assert result.best.entry.arch == target


def _at(groups, position: Position) -> dict:
    return {c.label: sorted(c.values)[position.index(len(c.values))] for cs in groups.values() for c in cs}


def test_dimensions_come_from_the_ir(elastic, tiny_search):
    def labels(space):
        return {d: [c.label for c in cs] for d, cs in dimensions(space).items()}

    assert labels(elastic) == {Dimension.RESOLUTION: ["resolution"], Dimension.DEPTH: ["s1.depth", "s2.depth"],
                               Dimension.WIDTH: ["stem.out", "s1.c", "s2.c"], Dimension.KERNEL: ["s1.k", "s2.k"]}
    tiny = labels(tiny_search)
    assert tiny[Dimension.KERNEL] == [f"s{s}.{i}.mb.k" for s in (1, 2, 3) for i in range(3)]
    assert not any("se" in label for group in tiny.values() for label in group)  # a flag is no dimension
    bignas = labels(fbndsl.compile("bignas"))
    assert bignas[Dimension.DEPTH][:2] == ["mb1.depth", "mb2.depth"] and "mb3.k" in bignas[Dimension.KERNEL]
    assert "last.out" in bignas[Dimension.WIDTH] and bignas[Dimension.RESOLUTION] == ["resolution"]


def test_grid_points_move_each_dimension_as_one(elastic):
    groups = dimensions(elastic)
    points = grid_points(elastic)
    assert len(points) == len({tuple(sorted(p.items())) for p in points})
    # resolution 3 values, depth {3,2}, width {2,3,2}, kernel {2,3}: middle is a distinct position for each
    assert len(points) == 3 ** 4
    for point in points:
        for choices in groups.values():
            positions = {_position(c, point[c.label]) for c in choices}
            assert len(positions) == 1 or _middle_equals_smallest(choices, point), (point, positions)


def _position(c, value):
    values = sorted(c.values)
    return [p for p in Position if values[p.index(len(values))] == value][0]


def _middle_equals_smallest(choices, point):
    return all(sorted(c.values).index(point[c.label]) in (0, (len(c.values) - 1) // 2) for c in choices)


def test_coarse_stage_evaluates_grid_points_within_the_budget(elastic):
    budget = Budget(macs=20_000_000)
    seen = []
    result = run(elastic, CoarseToFine(coarse_share=0.5), lambda a: seen.append(a) or {Indicator.PARAMS: 0.0},
                 budget=budget, evals=40)
    grid = {elastic.arch(p) for p in grid_points(elastic)}
    coarse = seen[:20]
    assert all(a in grid for a in coarse)
    assert all(e.macs <= budget.macs for e in result.evaluated)
    feasible_grid = [a for a in grid if elastic.cost(a).macs <= budget.macs]
    assert len(feasible_grid) > 20  # the coarse stage had to choose: the cheapest and the dearest stay
    macs = sorted(elastic.cost(a).macs for a in feasible_grid)
    assert {elastic.cost(a).macs for a in coarse} >= {macs[0], macs[-1]}


class Recording(SearchLoop):
    """A SearchLoop that records each proposal's pool index and each mutated parent."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.proposed, self.parents = [], []

    def evaluate_round(self, archs, new=None):
        indices = super().evaluate_round(archs, new)
        self.proposed += indices
        return indices

    def mutate_feasible(self, arch, changes=1):
        self.parents.append((len(self.proposed), arch))
        return super().mutate_feasible(arch, changes)


def test_evolution_ages_out_the_oldest_not_the_worst(nb201):
    """The best architecture is drawn first; once P younger members have joined, it is never a parent again."""
    best = nb201.max_arch()
    score = lambda a: {Indicator.PARAMS: 100.0 if a == best else float(nb201.cost(a).params) / 1e6}
    first = iter([best])
    loop = Recording(nb201, Budget(), score, goodness(Indicator.PARAMS), evals=60, seed=3)
    original = loop.random_feasible
    loop.random_feasible = lambda: next(first, None) or original()
    Evolution(population=10, sample=10).run(loop)
    assert loop.pool[0].arch == best and len(loop.parents) >= 40
    for proposed_so_far, parent in loop.parents:
        alive = {loop.pool[i].arch for i in loop.proposed[max(0, proposed_so_far - 10):proposed_so_far]}
        assert parent in alive, "a parent must be one of the last P proposals"
    # with sample = population, the best alive member is always the parent: the best, while it lives
    assert [p for _, p in loop.parents[:1]] == [best]
    assert all(parent != best for n, parent in loop.parents if n > 10 and best not in
               {loop.pool[i].arch for i in loop.proposed[n - 10:n]})


def test_mutation_respects_conditional_choices(tiny_search):
    rng = random.Random(0)
    arch = tiny_search.sample(rng)
    for _ in range(300):
        child = mutate(tiny_search, arch, rng)
        assert tiny_search.arch(dict(child)) == child  # exactly the active choices, each a valid value
        assert sum(1 for label in child if label in arch and child[label] != arch[label]) <= 1
        arch = child


@pytest.mark.parametrize("strategy", ["random", "evolution", "coarse-to-fine", "exhaustive"])
def test_never_evaluates_an_architecture_over_the_budget(elastic, strategy):
    budget = Budget(macs=3_000_000, params=20_000)
    measured = []

    def score(arch):
        measured.append(elastic.cost(arch))
        return {Indicator.PARAMS: float(elastic.cost(arch).macs)}

    result = run(elastic, strategy, score, budget=budget, evals=None if strategy == "exhaustive" else 40, seed=2)
    assert measured and all(c.macs <= budget.macs and c.params <= budget.params for c in measured)
    assert len(measured) == len(result.evaluated)  # each architecture measured once


def test_strategies_refuse_spaces_they_cannot_search(nb201):
    with pytest.raises(UserError, match="no elastic dimension"):
        run(nb201, "coarse-to-fine", lambda a: {Indicator.PARAMS: 0.0})
    with pytest.raises(UserError, match="294,912,000 architectures, more than the 50,000"):
        run(fbndsl.compile("bignas"), "exhaustive", lambda a: {Indicator.PARAMS: 0.0})
    with pytest.raises(UserError, match="--strategy bogus: expected one of random, evolution"):
        make("bogus")


def test_the_top_k_is_the_pools_best_ranked_over_the_pool(nb201):
    """CPI ranks are relative: the top-k are the k best by CPI over every architecture evaluated, in that order,
    and their CPI and ranks compare them with the whole pool (the search returns the ranking's first over all it
    measured, not the first of the k ranked again among themselves)."""
    rng = random.Random(0)
    values = {}

    def score(arch):
        return values.setdefault(arch, {Indicator.TRAINABILITY: rng.random(), Indicator.UNCERTAINTY: rng.random(),
                                        Indicator.REGIONS: rng.random()})

    result = search(nb201, indicator=Indicator.CPI, strategy="random", evaluate=score, evals=30, top=4)
    pool = [e.values for e in result.evaluated]
    assert [r.rank for r in result.top] == [1, 2, 3, 4]
    assert [r.entry.arch for r in result.top] == [result.evaluated[i].arch for i in order(pool, Indicator.CPI)[:4]]
    cpis = [r.values[Indicator.CPI] for r in result.top]
    assert cpis == sorted(cpis) and cpis[0] == min(scores(pool, Indicator.CPI))
    assert list(result.top[0].values) == [Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS,
                                          Indicator.CPI]
    for r in result.top:  # over the pool, by hand: 1 + those better (lower T and U, higher R); CPI their mean
        better = [sum(o[Indicator.TRAINABILITY] < r.values[Indicator.TRAINABILITY] for o in pool),
                  sum(o[Indicator.UNCERTAINTY] < r.values[Indicator.UNCERTAINTY] for o in pool),
                  sum(o[Indicator.REGIONS] > r.values[Indicator.REGIONS] for o in pool)]
        assert [r.ranks[c] for c in (Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS)] == \
            [1 + b for b in better]
        assert r.values[Indicator.CPI] == pytest.approx(1 + sum(better) / 3, abs=1e-12)


def test_a_pick_lists_the_pool_by_another_ranking_of_what_was_measured(nb201, tmp_path, monkeypatch):
    """--pick: the search ranks by its indicator and returns the pool's first by the pick, equal ones in the
    indicator's order; the top-k shows both scores. A pick reading what the indicator does not measure is refused,
    and the default indicator's pick is the protocol's (docs/nb201.md, version 11)."""
    rng = random.Random(1)
    values = {}

    def score(arch):  # synflow in three levels: many ties, which the indicator's order breaks
        return values.setdefault(arch, {Indicator.SYNFLOW: float(rng.randrange(3)), Indicator.NASWOT: rng.random()})

    ranking, pick = parse_indicator("product(naswot+synflow)"), Indicator.SYNFLOW
    drawn = {}
    monkeypatch.setattr(plot, "draw", lambda path, entries, top, by, budget, title: drawn.update(by=by, title=title))
    result = search(nb201, indicator=ranking, pick=pick, strategy="random", evaluate=score, evals=30, top=6,
                    out_dir=tmp_path)
    assert drawn["by"] is pick and "returned by synflow" in drawn["title"]  # the plot's axis: the table's order
    assert json.loads((tmp_path / "results.json").read_text())["settings"]["pick"] == "synflow"
    pool = [e.values for e in result.evaluated]
    by_ranking = order(pool, ranking)
    expected = [i for i in by_ranking if pool[i][pick] == 2.0] + [i for i in by_ranking if pool[i][pick] == 1.0]
    assert [r.entry.arch for r in result.top] == [result.evaluated[i].arch for i in expected[:6]]
    assert result.pick is pick and list(result.top[0].values) == [Indicator.NASWOT, Indicator.SYNFLOW, ranking]
    unpicked = search(nb201, indicator=ranking, strategy="random", evaluate=score, evals=30, top=6)
    assert [r.entry.arch for r in unpicked.top] == [result.evaluated[i].arch for i in by_ranking[:6]]
    assert pick_for(ranking) == ranking and pick_for(DEFAULT_INDICATOR) == parse_indicator(DEFAULT_PICK)
    assert pick_for(DEFAULT_INDICATOR, "meco") is Indicator.MECO
    with_depth = parse_indicator("product(synflow+min_depth)")  # a structural member: read from the text alone
    assert pick_for(ranking, with_depth) == with_depth
    reordered = parse_indicator(DEFAULT_INDICATOR)  # the default's members in another order: the default still
    reordered = Ensemble(tuple(reversed(reordered.members)), reordered.aggregate)
    assert pick_for(reordered) == parse_indicator(DEFAULT_PICK)
    assert pick_for(Ensemble(reordered.members)) == Ensemble(reordered.members)  # a mean of them is another ranking
    with pytest.raises(UserError, match=r"--pick cpi\+naswot: reads trainability, uncertainty, regions, which "
                                        r"--indicator product\(naswot\+synflow\) does not measure; a pick ranks "
                                        r"what the search measured \(use its members: naswot, synflow; or params, "
                                        r"macs, min_depth, min_mixing, which read the architecture alone\)$"):
        search(nb201, indicator=ranking, pick="cpi+naswot", strategy="random", evaluate=score, evals=3)


# -- distinct networks: the search measures and lists each network once (docs/search.md, "Distinct networks") --

class Proposals(SearchLoop):
    """A SearchLoop that records every proposal and the pool index it was answered with."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.answers = []

    def evaluate_round(self, archs, new=None):
        read = []
        indices = super().evaluate_round((read.append(a) or a for a in archs), new)
        self.answers += zip(read, indices)
        return indices


@pytest.fixture(scope="module")
def nb201_c8():
    return fbndsl.compile("nb201", C=8, N=1)


def test_a_search_measures_each_network_once(nb201_c8):
    """Ranked by parameters, evolution keeps proposing cells that only add a convolution whose output reaches
    nothing (the cost model counts it): the same networks again, turned away before they are measured."""
    from fbndsl.search.driver import measurer

    space = nb201_c8
    measure = measurer(space, None, "digits", Indicator.PARAMS, seed=0, device="cpu")
    loop = Proposals(space, Budget(macs=20_000_000), measure, goodness(Indicator.PARAMS), evals=60, seed=0)
    Evolution().run(loop)
    forms = [space.canonical(e.arch) for e in loop.pool]
    assert len(loop.pool) == 60 and len(set(forms)) == 60
    repeats = [(arch, i) for arch, i in loop.answers if loop.pool[i].arch != arch]
    assert repeats, "the search proposed no other architecture of an evaluated network: the test tests nothing"
    assert all(space.canonical(arch) == forms[i] for arch, i in repeats)
    assert loop.measured == 60


def test_the_top_k_lists_distinct_networks(nb201_c8):
    """The README's job, with a zero-cost indicator: no network at two ranks."""
    result = search(nb201_c8, indicator=Indicator.PARAMS, strategy="evolution", budget=Budget(macs=20_000_000),
                    evals=60, top=10, seed=0)
    assert len({nb201_c8.canonical(e.arch) for e in result.evaluated}) == len(result.evaluated) == 60
    assert len({nb201_c8.canonical(r.entry.arch) for r in result.top}) == 10


def _params(space):
    return lambda arch: {Indicator.PARAMS: float(space.cost(arch).params)}


def test_an_interrupted_search_of_distinct_networks_resumes(nb201_c8, tmp_path):
    space, calls = nb201_c8, []
    settings = dict(indicator=Indicator.PARAMS, strategy="evolution", budget=Budget(macs=20_000_000), evals=40,
                    seed=4)
    reference = search(space, evaluate=_params(space), **settings)

    def interrupted(arch):
        if len(calls) == 15:
            raise KeyboardInterrupt
        calls.append(arch)
        return _params(space)(arch)

    with pytest.raises(KeyboardInterrupt):
        search(space, evaluate=interrupted, out_dir=tmp_path, **settings)
    resumed = search(space, evaluate=_params(space), out_dir=tmp_path, resume=True, **settings)
    assert resumed.measured == 40 - 15
    assert [e.arch for e in resumed.evaluated] == [e.arch for e in reference.evaluated]
    assert len({space.canonical(e.arch) for e in resumed.evaluated}) == 40


def test_a_network_recorded_under_another_architecture_is_not_measured_again(nb201_c8):
    """A results.json written before networks were told apart may hold one architecture of a network that the
    resumed search proposes as another: it takes the recorded values."""
    from fbndsl.search.strategies.base import Entry

    space = nb201_c8
    recorded = space.parse_arch("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|none~1|nor_conv_1x1~2|")
    proposed = space.parse_arch("|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|none~1|nor_conv_1x1~2|")
    assert recorded != proposed and space.canonical(recorded) == space.canonical(proposed)
    entry = Entry(recorded, 1, 2, {Indicator.PARAMS: 7.0})

    def never(arch):
        raise AssertionError(f"measured {arch.text()}")

    loop = SearchLoop(space, Budget(), never, goodness(Indicator.PARAMS), evals=5, recorded={recorded: entry})
    assert loop.evaluate(proposed) == 0 and loop.measured == 0
    assert loop.pool[0].arch == proposed and loop.pool[0].values == {Indicator.PARAMS: 7.0}
    assert loop.pool[0].params == space.cost(proposed).params  # its own cost
    assert not loop.is_new(recorded) and loop.evaluate(recorded) == 0 and len(loop.pool) == 1


@pytest.mark.parametrize("strategy", ["random", "evolution", "exhaustive"])
def test_a_space_of_few_networks_is_exhausted_not_searched_for_ever(strategy):
    """24 architectures, 12 networks (a second layer that skips is no layer): every strategy stops, having
    evaluated no network twice; random sampling and enumeration reach all 12 (evolution only those its mutations
    lead to)."""
    space = compile_text(SKIPPING_DEPTH, "tiny.nas")
    networks = {space.canonical(a) for a in space.enumerate()}
    assert space.size == 24 and len(networks) == 12
    result = run(space, strategy, _params(space), evals=None if strategy == "exhaustive" else 20, seed=0)
    found = [space.canonical(e.arch) for e in result.evaluated]
    assert len(set(found)) == len(found) and set(found) <= networks
    assert set(found) == networks or strategy == "evolution"
    assert result.exhausted or strategy == "exhaustive"
