"""Budgets: `--flops 330M` (MACs) and `--params 5M`, checked with the analytic cost model.

A budget is checked on `space.cost(arch)` (microseconds, no network built) before an architecture is ever
evaluated, so an infeasible architecture costs nothing but a table look-up. The amounts are those of the
space's declared input resolution, whatever resolution the supernet was trained at (see `driver`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ..cost.model import Cost, format_count
from ..diagnostics import UserError

SUFFIXES = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9}
_AMOUNT = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([KMG]?)\s*$", re.IGNORECASE)


def parse_amount(text: str | int, flag: str) -> int:
    """'330M' -> 330_000_000, '1.5g' -> 1_500_000_000, '5000' -> 5000 (suffixes K/M/G, any case)."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = Decimal(text)
    else:
        match = _AMOUNT.match(str(text))
        if not match:
            raise UserError(f"{flag} {text}: expected a number with an optional K, M or G suffix, e.g. {flag} 330M")
        try:
            value = Decimal(match.group(1)) * SUFFIXES[match.group(2).upper()]
        except InvalidOperation:  # unreachable through the pattern, kept for a clear message
            raise UserError(f"{flag} {text}: not a number") from None
    if value != value.to_integral_value():
        raise UserError(f"{flag} {text}: is {value.normalize():f} operations, not a whole number; give fewer decimals")
    if value <= 0:
        raise UserError(f"{flag} {text}: must be positive")
    return int(value)


@dataclass(frozen=True)
class Budget:
    """Upper bounds on MACs and parameters; None is no bound."""

    macs: int | None = None
    params: int | None = None

    def __post_init__(self) -> None:
        for name in ("macs", "params"):
            value = getattr(self, name)
            assert value is None or (isinstance(value, int) and value > 0), (name, value)

    @staticmethod
    def parse(flops: str | int | None = None, params: str | int | None = None) -> "Budget":
        return Budget(None if flops is None else parse_amount(flops, "--flops"),
                      None if params is None else parse_amount(params, "--params"))

    def allows(self, cost: Cost) -> bool:
        return (self.macs is None or cost.macs <= self.macs) and (self.params is None or cost.params <= self.params)

    def check_feasible(self, space) -> None:
        """A one-line error when even the space's cheapest architecture is over the budget."""
        ranges = space.cost_range()
        for flag, name, limit in (("--flops", "macs", self.macs), ("--params", "params", self.params)):
            low, high = ranges[name]
            if limit is not None and limit < low:
                raise UserError(f"{flag} {format_count(limit)}: below the cheapest architecture of '{space.name}'; "
                                f"its {'MACs' if name == 'macs' else 'params'} range from {format_count(low)} to "
                                f"{format_count(high)} ({low:,} .. {high:,})")

    def describe(self) -> str:
        parts = [f"{format_count(v)} {what}" for what, v in (("MACs", self.macs), ("params", self.params))
                 if v is not None]
        return " and ".join(f"<= {p}" for p in parts) if parts else "none"

    def to_json(self) -> dict:
        return {"macs": self.macs, "params": self.params}
