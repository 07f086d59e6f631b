"""Canonical forms (`ir/canonical.py`): two architectures are one network exactly when they compute the same function
with the same parameters. Checked against facts computed apart from the IR: NAS-Bench-201's cells worked out by hand
rules (below), the benchmark's own count of 6,466, hand-made pairs, and the cost model."""
from __future__ import annotations

import itertools
from collections import defaultdict

import pytest
from conftest import SKIPPING_DEPTH, compile_text

import fbndsl
from fbndsl.ir.canonical import DIGEST_CHARS, Canonical

NB201_OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
EDGES = ((1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2))  # (to, from)
LABELS = tuple(f"cell.n{j}.n{i}" for j, i in EDGES)


@pytest.fixture(scope="module")
def nb201():
    # the skeleton does not change the count (C=16, N=5 gives the same 5,650 networks, checked by hand: 45 s)
    return fbndsl.compile("nb201", C=8, N=1)


@pytest.fixture(scope="module")
def classes(nb201):
    """Every NAS-Bench-201 architecture, grouped by its canonical form."""
    groups = defaultdict(list)
    for arch in nb201.enumerate():
        groups[nb201.canonical(arch)].append(arch)
    return groups


def _ops(arch) -> dict:
    return {edge: arch[label] for edge, label in zip(EDGES, LABELS)}


def cell_network(ops: dict):
    """The network a NAS-Bench-201 cell is, by the benchmark's cell rules, with no IR involved.

    A node's value is a sorted tuple of terms (a sum; () is zeros). 'none' adds nothing, 'skip_connect' adds its
    input's terms, pooling of zeros is zeros, and ReLU-conv-BN of zeros is the BatchNorm's bias (a learned constant).
    A term carries the edge it is computed on, so that one convolution read twice is told from two: the network is
    the output's value together with the multiset of the operators it computes."""
    value = {0: (("in",),)}
    for j in (1, 2, 3):
        terms = []
        for i in range(j):
            op, v = ops[(j, i)], value[i]
            if op == "none" or (op == "avg_pool_3x3" and not v):
                continue
            if op == "skip_connect":
                terms += v
            else:
                terms.append(((j, i), "bias of zeros" if not v else op, v))
        value[j] = tuple(sorted(terms, key=repr))

    def strip(v):
        return tuple(sorted((t if t == ("in",) else (t[1], strip(t[2])) for t in v), key=repr))

    computed = {}

    def collect(v):
        for t in v:
            if t != ("in",):
                computed[t[0]] = (t[1], strip(t[2]))
                collect(t[2])

    collect(value[3])
    return strip(value[3]), tuple(sorted(computed.values(), key=repr))


def xautodl_unique_str(ops: dict) -> str:
    """NAS-Bench-201's own `CellStructure.to_unique_str(consider_zero=True)` (xautodl), rewritten: the
    benchmark's API (`get_unique_str`) and its count of 6,466 "isomorphic" cells come from it."""
    nodes = {0: "0"}
    for j in (1, 2, 3):
        parts = []
        for i in range(j):
            op = ops[(j, i)]
            if op == "none" or nodes[i] == "#":
                parts.append("#")
            elif op == "skip_connect":
                parts.append(nodes[i])
            else:
                parts.append(f"({nodes[i]})@{op}")
        nodes[j] = "+".join(sorted(parts))
    return nodes[3]


def test_nb201_has_5650_networks_where_the_benchmark_counts_6466(nb201, classes):
    """Pinned: 15,625 architectures are 5,650 networks. The benchmark's 6,466 comes from a string that misses
    some identities of its own rules (docs/search.md, "Distinct networks"): an operator reading a node that is a
    sum of zeros is not taken as zeros (6,466 -> 6,285 when it is), a zero in a sum still counts (-> 5,390 without),
    and a sum within a sum is sorted as one string (-> 4,930 flattened). Its rules differ from ours twice: a
    ReLU-conv-BN of zeros is zeros there but the BatchNorm's learned bias here, and one convolution read twice is
    two convolutions there (4,930 -> 5,650)."""
    every = list(itertools.product(NB201_OPS, repeat=6))
    assert len({xautodl_unique_str(dict(zip(EDGES, ops))) for ops in every}) == 6466
    assert nb201.size == 15_625 and len(classes) == 5_650


def test_nb201_classes_are_the_cells_networks(classes):
    """The same partition as the hand rules: not only the same count."""
    by_rule = defaultdict(set)
    for form, archs in classes.items():
        for arch in archs:
            by_rule[cell_network(_ops(arch))].add(form)
    assert all(len(forms) == 1 for forms in by_rule.values())
    assert len(by_rule) == len(classes)


def _wasted(ops: dict) -> bool:
    """Does the cell compute an operator the output ignores, or one that reads only zeros?"""
    zero = {0: False}
    for j in (1, 2, 3):
        zero[j] = all(ops[(j, i)] == "none" or zero[i] for i in range(j))
    reaches = {3: True}
    for i in (2, 1, 0):
        reaches[i] = any(ops[(j, i)] != "none" and not zero[i] and reaches[j] for j in range(i + 1, 4))
    return any(op != "none" and (zero[i] or not reaches[j]) for (j, i), op in ops.items())


def test_the_cost_model_agrees(nb201, classes):
    """Equal forms cost the same, except for what the cost model counts as the benchmarks do (docs/cost.md): an
    operator that is computed for nothing (its output reaches only 'none' edges, or it reads only zeros). Among
    the architectures that compute nothing for nothing, one network has one cost; wasted work only adds to it."""
    checked = 0
    for archs in classes.values():
        costs = {a: (nb201.cost(a).macs, nb201.cost(a).params) for a in archs}
        lean = {costs[a] for a in archs if not _wasted(_ops(a))}
        assert len(lean) <= 1
        if lean:
            macs, params = lean.pop()
            assert all(m >= macs and p >= params for m, p in costs.values())
            checked += 1
    assert checked > 5_000


def _nb201(space, text):
    return space.canonical(space.parse_arch(text))


def test_an_edge_whose_output_reaches_nothing_changes_nothing(nb201):
    # node 1 feeds only 'none' edges: whatever edge 0 -> 1 computes is lost
    a = _nb201(nb201, "|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|none~1|nor_conv_1x1~2|")
    b = _nb201(nb201, "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|none~1|nor_conv_1x1~2|")
    assert a == b and hash(a) == hash(b) and a.digest() == b.digest()
    assert nb201.cost(nb201.parse_arch("|nor_conv_3x3~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|none~1|"
                                       "nor_conv_1x1~2|")).macs > nb201.cost(nb201.parse_arch(
                                           "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|nor_conv_3x3~0|none~1|"
                                           "nor_conv_1x1~2|")).macs  # the benchmarks' count still differs


def test_the_order_of_a_sums_terms_changes_nothing(nb201):
    # node 1 is node 0 (a skip): node 2 sums conv3x3(x) and conv1x1(x) either way round
    a = _nb201(nb201, "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|none~0|none~1|skip_connect~2|")
    b = _nb201(nb201, "|skip_connect~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|none~0|none~1|skip_connect~2|")
    assert a == b


def test_other_operators_make_other_networks(nb201):
    a = _nb201(nb201, "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
    b = _nb201(nb201, "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|+|avg_pool_3x3~0|none~1|nor_conv_3x3~2|")
    c = _nb201(nb201, "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|")
    assert len({a, b, c}) == 3 and len({a.digest(), b.digest(), c.digest()}) == 3


def test_one_convolution_read_twice_is_not_two_convolutions(nb201):
    shared = _nb201(nb201, "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|none~0|skip_connect~1|skip_connect~2|")
    two = _nb201(nb201, "|nor_conv_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|skip_connect~1|none~2|")
    assert shared != two and shared.size < two.size


def test_the_form_is_a_small_stable_value(nb201):
    arch = nb201.parse_arch("|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|")
    again = fbndsl.compile("nb201", C=8, N=1)  # another compile of the same space: the same form
    form = nb201.canonical(arch)
    assert isinstance(form, Canonical) and form == again.canonical(dict(arch)) and len(form.digest()) == DIGEST_CHARS
    assert int(form.digest(), 16) >= 0 and str(form) == form.digest()


def test_a_layer_that_skips_is_no_layer():
    """Elastic depth: the second layer's choice exists only at depth 2; a depth-2 network whose second layer is
    the identity is the depth-1 network (the fairness BatchNorm after the identity is a training device)."""
    space = compile_text(SKIPPING_DEPTH, "tiny.nas")
    one = space.canonical({"resolution": 8, "s.c": 8, "s.depth": 1, "s.1": "conv"})
    skipped = space.canonical({"resolution": 8, "s.c": 8, "s.depth": 2, "s.1": "conv", "s.2": "skip"})
    two = space.canonical({"resolution": 8, "s.c": 8, "s.depth": 2, "s.1": "conv", "s.2": "conv"})
    wider = space.canonical({"resolution": 8, "s.c": 16, "s.depth": 1, "s.1": "conv"})
    larger = space.canonical({"resolution": 16, "s.c": 8, "s.depth": 1, "s.1": "conv"})
    assert one == skipped and len({one, two, wider, larger}) == 4
    forms = {space.canonical(a) for a in space.enumerate()}
    # per resolution and width: conv, skip, conv-conv; conv-skip and skip-conv are conv, skip-skip is skip
    assert space.size == 24 and len(forms) == 12


def test_elastic_widths_depths_and_resolutions_are_other_networks():
    """BigNAS: every architecture that differs from another in one width, depth, kernel or resolution is another
    network (nothing in it is ever lost: no 'none', no identity alternative)."""
    space = fbndsl.compile("bignas")
    base = space.min_arch()
    seen = {space.canonical(base)}
    for c in space.choices:
        for value in c.values:
            if value != base[c.label]:
                changed = dict(base) | {c.label: value}
                seen.add(space.canonical(space.arch(changed)))
    assert len(seen) == 1 + sum(len(c.values) - 1 for c in space.choices)
