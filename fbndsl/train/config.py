"""`TrainConfig`: every setting of a training run, checked when it is made (no torch needed).

A config is a frozen dataclass so that a run is described by one value: it is written to the run's
`config.json`, and `--resume` refuses to continue a run whose settings differ. Mistakes are `UserError`
one-liners that name the command-line flag and the fix, because the CLI builds its config from the flags.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from enum import Enum

from ..data.spec import parse_data_spec
from ..diagnostics import UserError


class Mode(Enum):
    BN_ONLY = "bn-only"            # FBN-NAS / BN-NAS: only BatchNorm's gamma and beta learn
    SINGLE_STAGE = "single-stage"  # BigNAS: sandwich rule, in-place distillation, ...
    FULL = "full"                  # SPOS: every weight, one uniformly sampled path per step


class SamplerKind(Enum):
    UNIFORM = "uniform"  # SPOS: each choice uniformly and independently, one path per step
    FAIR = "fair"        # FairNAS strict fairness: m paths per step that use every value equally often


DEVICES = ("auto", "cpu", "cuda")

# Only BatchNorm's affine parameters learn in bn-only mode: a few thousand numbers, each scaling a whole channel
# of a frozen random feature, so steps much larger than full training's are stable and needed. Measured on the
# built-in digits (nb201, C=8, N=1, its largest cell, 4 epochs, training accuracy): LR 0.1 -> 15%, 0.5 -> 25%,
# 1.0 -> 33%, 2.0 -> 39%, 5.0 -> 55%; 1.0 is a conservative choice for deeper spaces.
DEFAULT_LR = {Mode.BN_ONLY: 1.0, Mode.SINGLE_STAGE: 0.1, Mode.FULL: 0.1}
# BatchNorm affine parameters are not decayed in bn-only mode (they are all there is to learn).
DEFAULT_WEIGHT_DECAY = {Mode.BN_ONLY: 0.0, Mode.SINGLE_STAGE: 5e-4, Mode.FULL: 5e-4}

# Settings that may change when a run is resumed: they do not change what is computed (except that another
# device rounds differently: a run resumed on another device is no longer bit-identical to one on a single one).
RESUMABLE_CHANGES = ("device", "quiet", "checkpoint_every", "log_every")

_SINGLE_STAGE_SWITCHES = ("sandwich", "distill", "multires", "zero_init")


@dataclass(frozen=True)
class TrainConfig:
    """The settings of one run. `lr` and `weight_decay` of None take the mode's default (`DEFAULT_LR`)."""

    mode: Mode | str
    epochs: int = 1
    steps: int | None = None           # stop after this many steps in all (smoke runs); the LR schedule fits them
    batch_size: int = 64
    lr: float | None = None
    weight_decay: float | None = None
    momentum: float = 0.9
    seed: int = 0
    device: str = "auto"
    data: str = "digits"               # a --data spec, recorded in config.json
    sets: tuple[tuple[str, str], ...] = ()  # the space's --set overrides, recorded in config.json
    sampler: SamplerKind | str = SamplerKind.UNIFORM
    num_random: int = 2                # single-stage: random children besides the smallest and largest
    sandwich: bool = True
    distill: bool = True
    multires: bool = True
    zero_init: bool = True
    lr_decay: bool = True
    checkpoint_every: int | None = None  # also at every epoch's end
    recal_batches: int = 20            # BN recalibration batches before each final evaluation
    eval_archs: int = 3                # architectures evaluated at the end (bn-only, full)
    log_every: int = 20                # steps between metrics records
    quiet: bool = False

    def __post_init__(self) -> None:
        self._set("mode", _enum(Mode, self.mode, "--mode"))
        self._set("sampler", _enum(SamplerKind, self.sampler, "--sampler"))
        self._set("sets", tuple(sorted((str(k), str(v)) for k, v in self.sets)))
        self._check_counts()
        self._check_rates()
        if self.device not in DEVICES:
            raise UserError(f"--device {_shown(self.device)}: expected one of {', '.join(DEVICES)}")
        parse_data_spec(self.data)  # the data package's one-line error for a bad --data
        self._check_mode_switches()
        if self.lr is None:
            self._set("lr", DEFAULT_LR[self.mode])
        if self.weight_decay is None:
            self._set("weight_decay", DEFAULT_WEIGHT_DECAY[self.mode])

    def _set(self, name: str, value) -> None:
        object.__setattr__(self, name, value)

    def _check_counts(self) -> None:
        _at_least("--epochs", self.epochs, 1)
        _at_least("--batch-size", self.batch_size, 2, " (BatchNorm needs two samples per batch)")
        _at_least("--num-random", self.num_random, 0)
        _at_least("--recal-batches", self.recal_batches, 1)
        _at_least("eval_archs", self.eval_archs, 1)
        _at_least("log_every", self.log_every, 1)
        _is_int("--seed", self.seed)
        if self.steps is not None:
            _at_least("--steps", self.steps, 1)
        if self.checkpoint_every is not None:
            _at_least("--checkpoint-every", self.checkpoint_every, 1)

    def _check_rates(self) -> None:
        for flag, value, low in (("--lr", self.lr, None), ("--weight-decay", self.weight_decay, 0.0),
                                 ("momentum", self.momentum, 0.0)):
            if value is None:
                continue
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if not ok or (value <= 0 if low is None else value < low):
                bound = "a positive number" if low is None else "a number >= 0"
                raise UserError(f"{flag} {_shown(value)}: expected {bound}, e.g. {flag} 0.1")

    def _check_mode_switches(self) -> None:
        """Technique switches of another mode are mistakes, not silently ignored flags."""
        if self.mode is not Mode.SINGLE_STAGE:
            for name in _SINGLE_STAGE_SWITCHES:
                if not getattr(self, name):
                    raise UserError(f"--no-{name.replace('_', '-')} applies to --mode single-stage only; drop it")
            if self.num_random != 2:
                raise UserError("--num-random applies to --mode single-stage only; drop it")
        elif self.sampler is not SamplerKind.UNIFORM:
            raise UserError("--sampler applies to --mode bn-only and full; single-stage samples its children by "
                            "the sandwich rule (see --no-sandwich)")

    def to_json(self) -> dict:
        """Plain values (enums by their flag spelling), as written to config.json."""
        out = asdict(self)
        out["mode"], out["sampler"] = self.mode.value, self.sampler.value
        out["sets"] = [list(kv) for kv in self.sets]
        return out


def _shown(value) -> str:
    """A value as the flag was typed, or quoted when it is not plain text (a config.json edited by hand may hold
    a newline, which would break the one-line error)."""
    text = str(value)
    return text if text.isprintable() and text.strip() == text and text else repr(value)


def _enum(kind: type[Enum], value, flag: str):
    if isinstance(value, kind):
        return value
    try:
        return kind(value)
    except ValueError:
        raise UserError(f"{flag} {_shown(value)}: expected one of {', '.join(k.value for k in kind)}") from None


def _is_int(flag: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UserError(f"{flag} {value!r}: expected an integer")


def _at_least(flag: str, value, low: int, why: str = "") -> None:
    _is_int(flag, value)
    if value < low:
        raise UserError(f"{flag} {_shown(value)}: must be at least {low}{why}")


def flag_of(key: str, value) -> str:
    """How a config.json key is spelt on the command line, for messages: sandwich=False -> --no-sandwich."""
    if isinstance(value, bool) and key in _SINGLE_STAGE_SWITCHES + ("lr_decay",):
        return f"--{key.replace('_', '-')}" if value else f"--no-{key.replace('_', '-')}"
    return f"--{key.replace('_', '-')} {value}"
