"""What `train` returns: the trained supernet, the metrics it wrote, and the final evaluations."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import TrainConfig


@dataclass
class TrainResult:
    supernet: Any                     # fbndsl.lower.Supernet, on the run's device
    config: TrainConfig
    run_dir: Path
    steps: int                        # optimiser steps done in all (a resumed run counts the earlier ones)
    seconds: float                    # training time in all
    metrics: list[dict] = field(default_factory=list)  # the train/epoch records this call wrote
    evals: list[dict] = field(default_factory=list)    # one per evaluated architecture
    rank: int = 0                     # the process's global rank under torchrun: rank 0 wrote run_dir

    def summary(self) -> str:
        space = self.supernet.space
        lines = [f"trained '{space.name}' ({self.config.mode.value}, {self.steps} steps, {self.seconds:.1f} s) "
                 f"in {self.run_dir}"]
        for e in self.evals:
            lines.append(f"  {e['role']:<9} test acc {e['acc']:.4f}  loss {e['loss']:.4f}  "
                         f"{e['macs'] / 1e6:.3f}M MACs  {e['params'] / 1e3:.1f}K params")
            lines.append(f"    {e['arch']}")
        return "\n".join(lines)
