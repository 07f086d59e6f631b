"""Rank ensembles (`--indicator cpi+synflow+naswot`, `2*cpi+synflow`, `product(cpi+meco)`), and `parse_indicator`,
which reads either.

An `Ensemble` scores an architecture by its members' ranks over the pool, lower is better; a member CPI
contributes the rank of its CPI score. Two aggregations (`Aggregate`):
- the weighted mean of the ranks (`a+b`), as CPI is the equal-weight mean of its three components' ranks;
- the product of the normalised ranks (`product(a+b)`), AZ-NAS' non-linear aggregation (Lee and Ham, CVPR 2024,
  "AZ-NAS: Assembling Zero-Cost Proxies for Network Architecture Search"): a network ranked near the bottom by
  any one member falls far, which a mean forgives as long as the other members rank it well.
It offers what the search reads from an `Indicator` (`value`, `components`, `higher_is_better`,
`needs_trained_supernet`, `description`), so a search ranks by either alike; `ranking.scores` computes it.

Torch-free, like `kinds`.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from ..diagnostics import UserError
from .kinds import Indicator, indicator_named

SYNTAX = ("combine indicators as NAME+NAME (the mean of their ranks) or product(NAME+NAME) (the product of their "
          "normalised ranks), with integer weights as 2*NAME+NAME")
_WEIGHTED = re.compile(r"^\s*(?:(\d+)\s*\*)?\s*([^*]*?)\s*$")
_PRODUCT = re.compile(r"^\s*product\s*\((.*)\)\s*$", re.IGNORECASE | re.DOTALL)


class Aggregate(enum.Enum):
    """How an ensemble combines its members' ranks r (1 = best) over a pool of n; the score is lower-is-better."""

    MEAN = "mean"        # sum(w r) / sum(w)
    PRODUCT = "product"  # -sum(w log q) / sum(w), q = (n + 1 - r) / n: 1 for the best, 1/n for the last


@dataclass(frozen=True)
class Ensemble:
    members: tuple[tuple[Indicator, int], ...]  # (indicator, weight >= 1), in the order given
    aggregate: Aggregate = Aggregate.MEAN

    def __post_init__(self) -> None:
        for indicator, weight in self.members:
            if not isinstance(indicator, Indicator):
                raise UserError(f"an ensemble member must be an Indicator, not {indicator!r}")
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                raise UserError(f"the weight of '{indicator.value}' must be an integer of at least 1, not {weight!r}")
        if not isinstance(self.aggregate, Aggregate):
            raise UserError(f"an ensemble's aggregate must be an Aggregate, not {self.aggregate!r}")
        names = [i.value for i, _ in self.members]
        if len(names) < 2:
            raise UserError(f"an ensemble needs two or more indicators, not '{self.value}' (a single indicator "
                            f"ranks the same whatever its weight); {SYNTAX}")
        twice = next((n for n in names if names.count(n) > 1), None)
        if twice is not None:
            raise UserError(f"'{twice}' appears more than once in '{self.value}'; give it a weight instead "
                            f"(2*{twice})")

    @property
    def value(self) -> str:
        """The canonical text: members in the order given, a weight of 1 left out ("2*cpi+synflow"), a product
        in `product(...)`."""
        joined = "+".join(i.value if w == 1 else f"{w}*{i.value}" for i, w in self.members)
        return joined if self.aggregate is Aggregate.MEAN else f"product({joined})"

    @property
    def components(self) -> tuple[Indicator, ...]:
        """The base indicators to measure and to show: CPI expanded, duplicates dropped, in the enum's order."""
        wanted = {c for i, _ in self.members for c in i.components}
        return tuple(i for i in Indicator if i in wanted)

    @property
    def higher_is_better(self) -> bool:
        return False  # a mean rank: 1 = best

    @property
    def needs_trained_supernet(self) -> bool:
        return any(i.needs_trained_supernet for i, _ in self.members)

    @property
    def description(self) -> str:
        weights = ", ".join(f"{i.value} x{w}" for i, w in self.members)
        if self.aggregate is Aggregate.MEAN:
            return f"rank ensemble: the weighted mean of the ranks over the pool of {weights} (1 = best)"
        return (f"rank ensemble: the product of the normalised ranks over the pool of {weights}, as minus the log of "
                f"their weighted geometric mean (0 = first in every member)")

    @property
    def score_name(self) -> str:
        """What the score is, for tables and plot axes."""
        return "weighted mean rank" if self.aggregate is Aggregate.MEAN else "product of normalised ranks"

    @property
    def best_score(self) -> str:
        """The score of a network first by every member."""
        return "1" if self.aggregate is Aggregate.MEAN else "0"

    @property
    def kind(self) -> str:
        """In a few words, for summaries: "mean of ranks" or "product of ranks"."""
        return f"{self.aggregate.value} of ranks"

    @property
    def weight(self) -> int:
        """The sum of the weights (the divisor of the weighted mean)."""
        return sum(w for _, w in self.members)


def ranks_alike(a: Indicator | Ensemble, b: Indicator | Ensemble) -> bool:
    """Whether `a` and `b` are one ranking: the same indicator, or ensembles of the same aggregate whose members
    and weights differ at most in order (a mean or a product of ranks does not depend on it; only the rounding of
    a sum might, which `--resume` therefore still compares as written)."""
    if not (isinstance(a, Ensemble) and isinstance(b, Ensemble)):
        return a == b
    return a.aggregate is b.aggregate and sorted(a.members, key=_by_name) == sorted(b.members, key=_by_name)


def _by_name(member: tuple[Indicator, int]) -> str:
    return member[0].value


def parse_indicator(text: str | Indicator | Ensemble) -> Indicator | Ensemble:
    """An `Indicator` for a single name (case-insensitive), an `Ensemble` for a `+`-joined list of names, each
    with an optional integer weight `W*` (a mean of ranks), or for such a list in `product(...)` (a product of
    ranks); a bad text is a one-line UserError naming the valid indicators."""
    if isinstance(text, (Indicator, Ensemble)):
        return text
    text = str(text)
    product = _PRODUCT.match(text)
    if product:
        return Ensemble(_members(product.group(1), text), Aggregate.PRODUCT)
    if "(" in text or ")" in text:
        raise UserError(f"bad indicator '{text}': parentheses belong only around a product, "
                        f"product(NAME+NAME); {SYNTAX}")
    if "+" not in text and "*" not in text:
        return indicator_named(text)
    return Ensemble(_members(text, text))


def _members(text: str, whole: str) -> tuple[tuple[Indicator, int], ...]:
    return tuple(_member(part, whole) for part in text.split("+"))


def _member(part: str, whole: str) -> tuple[Indicator, int]:
    match = _WEIGHTED.match(part)
    if not match or not match.group(2):
        raise UserError(f"bad indicator '{whole}': '{part.strip()}' is not NAME or W*NAME (W a positive "
                        f"integer); {SYNTAX}; valid indicators: {', '.join(i.value for i in Indicator)}")
    weight = int(match.group(1)) if match.group(1) else 1
    return indicator_named(match.group(2)), weight
