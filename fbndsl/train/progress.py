"""What a person sees while a run trains: a live line on a terminal, plain lines in a log, or nothing.

On a TTY the line is rewritten in place ('\\r') at most every `REFRESH` seconds, so printing never slows
training; when stderr is a file or a pipe (CI logs, nohup) each metrics record becomes one plain line.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

REFRESH = 0.2  # seconds between rewrites of the live line


def describe(rec: dict, epochs: int, total: int) -> str:
    return (f"epoch {rec['epoch'] + 1}/{epochs}  step {rec['step']}/{total}  loss {rec['loss']:.4f}  "
            f"acc {rec['acc']:.3f}  lr {rec['lr']:.4g}  {rec['images_per_s']:.0f} img/s")


class Progress:
    def __init__(self, epochs: int, total: int, quiet: bool = False, stream: TextIO | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.epochs, self.total, self.quiet = epochs, total, quiet
        self.live = not quiet and _isatty(self.stream)
        self._last = 0.0
        self._width = 0

    def step(self, numbers: Callable[[], dict]) -> None:
        """A live update after an optimiser step (TTY only). `numbers()` makes the record; it is called only
        when the line is due, since reading a loss waits for the device."""
        now = time.monotonic()
        if self.live and now - self._last >= REFRESH:
            self._last = now
            self._rewrite(describe(numbers(), self.epochs, self.total))

    def record(self, rec: dict) -> None:
        """A metrics record: the live line on a TTY, one plain line otherwise; epoch ends stay on screen."""
        if self.quiet:
            return
        text = describe(rec, self.epochs, self.total)
        if self.live:
            self._rewrite(text)
            if rec.get("kind") == "epoch":
                self.stream.write("\n")
                self._width = 0
        else:
            self.stream.write(("end of " if rec.get("kind") == "epoch" else "") + text + "\n")
        self.stream.flush()

    def message(self, text: str) -> None:
        if self.quiet:
            return
        if self.live and self._width:
            self.stream.write("\n")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def _rewrite(self, text: str) -> None:
        pad = max(0, self._width - len(text))
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()
        self._width = len(text)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
