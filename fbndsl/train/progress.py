"""What a person sees while a run trains: a bar over the run's optimiser steps (`fbndsl.progress`: tqdm on a
terminal, plain lines now and then in a log), one line at the end of each epoch, and messages; or nothing.

The bar's loss and accuracy are read only when the bar is redrawn, since reading them waits for the device.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from ..progress import Progress, say


def describe(rec: dict, epochs: int, total: int) -> str:
    return (f"epoch {rec['epoch'] + 1}/{epochs}  step {rec['step']}/{total}  loss {rec['loss']:.4f}  "
            f"acc {rec['acc']:.3f}  lr {rec['lr']:.4g}  {rec['images_per_s']:.0f} img/s")


def postfix(rec: dict, epochs: int) -> str:
    """The bar's part: the bar itself shows the step, the rate and the time left."""
    return f"epoch {rec['epoch'] + 1}/{epochs}  loss {rec['loss']:.4f}  acc {rec['acc']:.3f}"


class TrainingProgress:
    def __init__(self, epochs: int, total: int, quiet: bool = False, stream: TextIO | None = None):
        self.epochs, self.total, self.quiet, self.stream = epochs, total, quiet, stream
        self.bar: Progress | None = None

    @contextmanager
    def running(self, step: int) -> Iterator[None]:
        """The bar while the steps from `step` on run; ended however they end (an interrupted run included)."""
        self.bar = Progress(self.total, "training", unit="step", initial=step, quiet=self.quiet, stream=self.stream)
        try:
            yield
        finally:
            self.bar.close()
            self.bar = None

    def step(self, numbers: Callable[[], dict]) -> None:
        """After an optimiser step. `numbers()` makes a metrics record; it is called only when the bar is drawn."""
        if self.bar is not None:
            self.bar.update(1, lambda: postfix(numbers(), self.epochs))

    def record(self, rec: dict) -> None:
        """A metrics record: an epoch's end gets its line; the others are in metrics.jsonl and the bar."""
        if rec.get("kind") == "epoch":
            self.message("end of " + describe(rec, self.epochs, self.total))

    def message(self, text: str) -> None:
        say(text, self.quiet, self.stream)
