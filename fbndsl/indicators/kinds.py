"""The indicators a search can rank architectures by (`Indicator`), and how their names are read.

The FBN-NAS composite performance indicator (CPI) combines three measurements on a BN-only-trained fair
supernet: expressivity, trainability and uncertainty. The paper reads expressivity two ways, as held-out accuracy
(`expressivity`) and as the linear-region score on the trained supernet (`regions`); CPI uses the second
(`CPI_COMPONENTS`, chosen on a calibration set). The baselines (BN-NAS' gamma, NASWOT, synflow, jacob_cov,
SNIP, MeCo, AZ-NAS' isotropy and progressivity, parameter count, MACs) and the structural `min_depth` and
`min_mixing` go through the same `measure`, so one run compares them all. docs/indicators.md gives every
definition and formula.

This module imports no torch (`fbndsl search --help` must start fast); `measure.measure` computes them.
`ensemble.py` combines them into rank ensembles and reads an indicator's text (`parse_indicator`).
"""
from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from ..diagnostics import UserError, did_you_mean


class Indicator(Enum):
    CPI = "cpi"
    EXPRESSIVITY = "expressivity"
    TRAINABILITY = "trainability"
    UNCERTAINTY = "uncertainty"
    REGIONS = "regions"
    GAMMA = "gamma"
    NASWOT = "naswot"
    SYNFLOW = "synflow"
    JACOB_COV = "jacob_cov"
    SNIP = "snip"
    MECO = "meco"
    ISOTROPY = "isotropy"
    PROGRESSIVITY = "progressivity"
    PARAMS = "params"
    MACS = "macs"
    MIN_DEPTH = "min_depth"
    MIN_MIXING = "min_mixing"

    @property
    def higher_is_better(self) -> bool:
        """CPI is an average rank (1 = best), trainability a BatchNorm scale (FBN-NAS Eq. 6: smaller, flatter),
        uncertainty a variance, min_depth and min_mixing counts of layers (a shorter path, as residual connections
        make): lower is better for those five."""
        return self not in (Indicator.CPI, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.MIN_DEPTH,
                            Indicator.MIN_MIXING)

    @property
    def components(self) -> tuple[Indicator, ...]:
        """The measured indicators this one is made of: CPI's three (`CPI_COMPONENTS`), else itself."""
        if self is Indicator.CPI:
            return CPI_COMPONENTS
        return (self,)

    @property
    def structural(self) -> bool:
        """Whether it reads the architecture alone (no network built, no image): free to measure for any search."""
        return self in _STRUCTURAL

    @property
    def needs_trained_supernet(self) -> bool:
        return self in _TRAINED or self is Indicator.CPI

    @property
    def reads_layer_maps(self) -> bool:
        """Whether it reads the layers' outputs of the network at initialisation (`LAYER_MAPS`)."""
        return self in _LAYER_MAPS

    @property
    def description(self) -> str:
        return _DESCRIPTIONS[self]


# CPI's expressivity is FBN-NAS' second reading, the linear-region score on the trained supernet (its section 5.3),
# not the accuracy of section 4: the reading the calibration set of `fbndsl bench nb201` preferred (calibration
# Kendall tau 0.675 against 0.497; docs/nb201.md, "Figures measured"). The accuracy reading stays available as
# the rank ensemble `expressivity+trainability+uncertainty`.
CPI_COMPONENTS = (Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS)

# In a mapping of measuring seconds (`measure(..., seconds=)`), the key of the one BatchNorm recalibration all
# the trained-supernet indicators of an architecture share.
RECALIBRATION = "recalibration"
# ... and of the one pass over the layers' outputs of the network at initialisation, with the entropy of each, that
# isotropy and progressivity share.
LAYER_MAPS = "layer maps"

_TRAINED = frozenset({Indicator.EXPRESSIVITY, Indicator.TRAINABILITY, Indicator.UNCERTAINTY, Indicator.REGIONS,
                      Indicator.GAMMA})

_STRUCTURAL = frozenset({Indicator.PARAMS, Indicator.MACS, Indicator.MIN_DEPTH, Indicator.MIN_MIXING})
_LAYER_MAPS = frozenset({Indicator.ISOTROPY, Indicator.PROGRESSIVITY})


def shared_steps(base: Iterable[Indicator]) -> tuple[str, ...]:
    """The keys (in `measure(..., seconds=)`) of the steps that measuring these base indicators shares: the
    recalibration when one reads the trained supernet, the layer maps when one reads them."""
    base = tuple(base)
    needed = {RECALIBRATION: any(i.needs_trained_supernet for i in base),
              LAYER_MAPS: any(i.reads_layer_maps for i in base)}
    return tuple(step for step, wanted in needed.items() if wanted)


_DESCRIPTIONS = {
    Indicator.CPI: "FBN-NAS composite: mean rank of regions (expressivity), trainability, uncertainty (1 = best)",
    Indicator.EXPRESSIVITY: "top-1 accuracy on held-out images with the supernet's weights, BN recalibrated",
    Indicator.TRAINABILITY: "mean |gamma| / sigma over the subnet's BatchNorms (lower is better: a flatter landscape)",
    Indicator.UNCERTAINTY: "Monte-Carlo BatchNorm predictive variance on held-out images (lower is better)",
    Indicator.REGIONS: "FBN-NAS' second expressivity: NASWOT's linear-region score on the trained supernet (BN train)",
    Indicator.GAMMA: "BN-NAS: mean |gamma| of the BatchNorm after each chosen operator",
    Indicator.NASWOT: "NASWOT: log-determinant of the ReLU activation-code kernel at initialisation",
    Indicator.SYNFLOW: "synflow: synaptic flow through |weights| at initialisation",
    Indicator.JACOB_COV: "jacob_cov: minus the eigenvalue penalty of the input-Jacobian correlations at initialisation",
    Indicator.SNIP: "SNIP: sum of |w * dL/dw| over conv and linear weights at initialisation (one labelled batch)",
    Indicator.MECO: "MeCo: sum over layers of the least eigenvalue of one image's channel correlations at init",
    Indicator.ISOTROPY: "AZ-NAS' expressivity: sum over layers of the entropy of their channel covariance's "
                        "eigenvalues at init",
    Indicator.PROGRESSIVITY: "AZ-NAS' progressivity: the least gain of that entropy from one layer to the next at init",
    Indicator.PARAMS: "parameter count (analytic cost model)",
    Indicator.MACS: "multiply-accumulates (analytic cost model, at the arch's resolution)",
    Indicator.MIN_DEPTH: "the fewest weighted layers on any path from input to output (lower is better: residual "
                         "connections shorten it)",
    Indicator.MIN_MIXING: "the fewest weighted or pooling layers on any path from input to output (lower is "
                          "better: only an identity shortcut shortens it)",
}
assert set(_DESCRIPTIONS) == set(Indicator)


def indicator_named(text: str | Indicator) -> Indicator:
    """One indicator from its name (case-insensitive); a bad name is a one-line UserError listing the valid ones.
    `ensemble.parse_indicator` reads a name or a rank ensemble of names (`cpi+synflow`)."""
    if isinstance(text, Indicator):
        return text
    name = str(text).strip().lower()
    try:
        return Indicator(name)
    except ValueError:
        names = [i.value for i in Indicator]
        hint = did_you_mean(name, names)
        raise UserError(f"unknown indicator '{text}'" + (f" ({hint})" if hint else "")
                        + f"; valid indicators: {', '.join(names)}; combine them as NAME+NAME, 2*NAME+NAME or "
                          "product(NAME+NAME)") from None


def base_indicators(indicators: Iterable) -> tuple[Indicator, ...]:
    """The indicators to measure for `indicators` (indicators, rank ensembles, or single names): CPI and ensembles
    expanded to their components, duplicates dropped, in the enum's order (so a record's keys never depend on
    how the request was spelled)."""
    wanted = {c for i in indicators for c in (indicator_named(i) if isinstance(i, str) else i).components}
    return tuple(i for i in Indicator if i in wanted)
