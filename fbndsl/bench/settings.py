"""The settings of one NAS-Bench-201 evaluation, and the two presets: `--quick` and the full run.

Both are sized for a shared 2-core CPU (docs/nb201.md, "Settings"): quick finishes within 15 minutes on one thread,
training both supernets included; the full run trains each supernet for BN-NAS' 10 epochs, measures 1,200
architectures and runs searches that each cost under 30 minutes, supernet training included (the issue's bound).
Nothing here is tuned to the ground truth.

Where the data is and where results and supernets go has no default here: the package reads and writes only
where it is told (the command line picks its defaults, none of them inside the repository).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from ..diagnostics import UserError

SPACE = "nb201"


@dataclass(frozen=True)
class Measuring:
    """IndicatorContext.build's batch settings: BN recalibration batches, held-out images, Monte-Carlo passes."""

    recal_batches: int
    eval_images: int
    mc_samples: int
    batch_size: int = 64
    naswot_batch: int = 64

    def options(self) -> dict[str, int]:
        return asdict(self)


# FBN-NAS's own settings: 20 recalibration batches, 10 Monte-Carlo passes, 1,000 held-out images (~35 s per
# NAS-Bench-201 architecture at N=5 on one CPU thread): `--paper-measuring`.
PAPER_MEASURING = Measuring(recal_batches=20, eval_images=1000, mc_samples=10)
# Both presets: about a tenth of the images (1.6 s per architecture of the N=1 proxy, every indicator); expressivity
# is then a coarser accuracy. FBN-NAS's would make the full run's 1,200 architectures take hours here.
CPU_MEASURING = Measuring(recal_batches=4, eval_images=256, mc_samples=4)
# Both presets train and measure a proxy of the benchmark's network (see QUICK below); `--set N=5` measures its own.
PROXY = (("N", "1"),)


@dataclass(frozen=True)
class Settings:
    quick: bool = False
    epochs: int = 10              # BN-NAS trains the BatchNorms of its supernet for 10 epochs
    steps: int | None = None      # stop each supernet's training after this many optimiser steps
    archs: int = 1000             # K architectures of the evaluation set: the figures and Table 1
    calibration: int = 200        # architectures of the calibration set: every choice (docs/nb201.md, "Protocol")
    seed: int = 0
    evals: int = 200              # the search's budget of evaluated architectures (protocol v6; 100 before)
    search_seeds: int = 3
    refine_top: int = 0           # the search's K best re-ranked by gradient explosion (v4-6: protocol.REFINE_TOP)
    data: str = field(kw_only=True)          # the training data spec, e.g. cifar10:PATH
    out: Path = field(kw_only=True)          # where report.json goes
    supernet_dir: Path = field(kw_only=True)  # where the supernets' run directories go, reused by reruns
    measuring: Measuring = CPU_MEASURING
    sampler: str = "fair"         # FairNAS: every candidate trained equally often, so no BatchNorm is favoured
    sets: tuple[tuple[str, str], ...] = PROXY  # overrides of spaces/nb201.nas
    device: str = "cpu"

    def __post_init__(self) -> None:
        for flag, value, low in (("--epochs", self.epochs, 1), ("--archs", self.archs, 2),
                                 ("--calibration", self.calibration, 2), ("--evals", self.evals, 1),
                                 ("--search-seeds", self.search_seeds, 1), ("--steps", self.steps, 1),
                                 ("--refine-top", self.refine_top, 0)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < low):
                raise UserError(f"{flag} {value!r}: expected an integer of at least {low}")

    def with_sets(self, sets: Mapping[str, str]) -> Settings:
        """These settings with `sets` added to (or changing) their overrides, e.g. --quick --set N=5."""
        return replace(self, sets=tuple(sorted((dict(self.sets) | dict(sets)).items())))

    def to_json(self) -> dict:
        out = asdict(self)
        out["out"], out["supernet_dir"] = str(self.out), str(self.supernet_dir)
        out["sets"] = dict(self.sets)
        return out

    @classmethod
    def from_json(cls, given: Mapping) -> Settings:
        """The settings `to_json` wrote (a report's "settings"): what the studies of perf/ and
        `nb201.zero_cost_context` measure a report's networks again with."""
        known = {f.name for f in fields(cls)} & set(given)
        plain = {k: given[k] for k in known - {"out", "supernet_dir", "sets", "measuring"}}
        return cls(**plain, out=Path(given["out"]), supernet_dir=Path(given["supernet_dir"]),
                   sets=tuple(given["sets"].items()), measuring=Measuring(**given["measuring"]))


# Quick, sized by measurement on one thread of our shared 2-core machine (docs/nb201.md, "Cost"). It trains and
# measures on a proxy of the benchmark's network: N=1 cell per stage instead of 5 (the same 15,625 cells, the
# same skeleton, a third of the depth). The reason is the training, not the ground truth: at N=5 a BN-only
# supernet trained with random paths stays at chance for the hundreds of steps a CPU can give it (training
# loss 2.30 = ln 10 after 300 uniform steps at LR 0.1, 1.0 or Adam 0.01, while one fixed cell learns), and
# every indicator that reads the trained supernet is then noise. At N=1 the same training leaves chance within a
# hundred steps (training accuracy 24% after 900 uniform steps). Each supernet gets 300 FairNAS steps (5 paths
# of 64 images each, about 0.7 s a step at N=1: 2 epochs of the 9k training images); the full run trains the same
# proxy for 10 epochs (1,400 steps, 10 to 14 minutes a supernet).
QUICK = dict(quick=True, epochs=3, steps=300, archs=100, calibration=100, evals=30)


def make_settings(quick: bool = False, *, data: str, out: Path, supernet_dir: Path, **given) -> Settings:
    """The preset (quick or full) reading `data`, writing into `out` and `supernet_dir`, with the other given
    values (those not None) on top; `sets` are merged into the preset's."""
    paths = Settings(data=data, out=Path(out), supernet_dir=Path(supernet_dir))
    base = replace(paths, **QUICK) if quick else paths
    given = {k: v for k, v in given.items() if v is not None}
    return replace(base.with_sets(given.pop("sets", ())), **given)

