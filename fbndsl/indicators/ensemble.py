"""Rank ensembles (`--indicator cpi+synflow+naswot`, `2*cpi+synflow`), and `parse_indicator`, which reads either.

An `Ensemble` scores an architecture by the weighted mean of its members' ranks over the pool, lower is better,
as CPI is the (equal-weight) mean of its three components' ranks; a member CPI contributes the rank of its CPI
score. It offers what the search reads from an `Indicator` (`value`, `components`, `higher_is_better`,
`needs_trained_supernet`, `description`), so a search ranks by either alike; `ranking.scores` computes it.

Torch-free, like `kinds`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..diagnostics import UserError
from .kinds import Indicator, indicator_named

SYNTAX = "combine indicators as NAME+NAME, with integer weights as 2*NAME+NAME"
_WEIGHTED = re.compile(r"^\s*(?:(\d+)\s*\*)?\s*([^*]*?)\s*$")


@dataclass(frozen=True)
class Ensemble:
    members: tuple[tuple[Indicator, int], ...]  # (indicator, weight >= 1), in the order given

    def __post_init__(self) -> None:
        for indicator, weight in self.members:
            if not isinstance(indicator, Indicator):
                raise UserError(f"an ensemble member must be an Indicator, not {indicator!r}")
            if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
                raise UserError(f"the weight of '{indicator.value}' must be an integer of at least 1, not {weight!r}")
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
        """The canonical text: members in the order given, a weight of 1 left out ("2*cpi+synflow")."""
        return "+".join(i.value if w == 1 else f"{w}*{i.value}" for i, w in self.members)

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
        return f"rank ensemble: the weighted mean of the ranks over the pool of {weights} (1 = best)"

    @property
    def weight(self) -> int:
        """The sum of the weights (the divisor of the weighted mean)."""
        return sum(w for _, w in self.members)


def parse_indicator(text: str | Indicator | Ensemble) -> Indicator | Ensemble:
    """An `Indicator` for a single name (case-insensitive), an `Ensemble` for a `+`-joined list of names, each
    with an optional integer weight `W*`; a bad text is a one-line UserError naming the valid indicators."""
    if isinstance(text, (Indicator, Ensemble)):
        return text
    text = str(text)
    if "+" not in text and "*" not in text:
        return indicator_named(text)
    return Ensemble(tuple(_member(part, text) for part in text.split("+")))


def _member(part: str, whole: str) -> tuple[Indicator, int]:
    match = _WEIGHTED.match(part)
    if not match or not match.group(2):
        raise UserError(f"bad indicator '{whole}': '{part.strip()}' is not NAME or W*NAME (W a positive "
                        f"integer); {SYNTAX}; valid indicators: {', '.join(i.value for i in Indicator)}")
    weight = int(match.group(1)) if match.group(1) else 1
    return indicator_named(match.group(2)), weight
