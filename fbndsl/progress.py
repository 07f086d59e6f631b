"""What a person sees while long work runs (training, measuring, searching): a bar, plain lines, or nothing.

On a terminal a tqdm bar shows the count, the rate and the time left, redrawn by tqdm at most every
`REFRESH` seconds. Elsewhere (a log file, a pipe, CI) a redrawn line would be a mess of '\\r', so each update
that is due becomes one plain line, formatted by tqdm alike: the first, then at most one every `LOG_EVERY`
seconds, and the last. Quiet work prints nothing at all.

A postfix (a loss, an architecture's MACs) is passed as a function, called only when a line is drawn: reading
a loss from the GPU waits for the device, which must not happen after every step.
"""
from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

REFRESH = 0.2     # seconds between two redraws of a bar on a terminal
LOG_EVERY = 10.0  # seconds between two plain lines in a log
LINE = "{desc}: {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {rate_fmt}{postfix}]"  # a bar without the bar

Postfix = Callable[[], str]


class Progress:
    """`total` steps of work named `what`, `initial` of them done before (a resumed run). One is shown at a
    time on a stream: a new one ends the one before, should that have stopped short of its total (an
    exhaustive search under a budget measures fewer architectures than it could have)."""

    _shown: Progress | None = None

    def __init__(self, total: int, what: str, *, unit: str = "it", initial: int = 0, quiet: bool = False,
                 stream: TextIO | None = None):
        self.stream = sys.stderr if stream is None else stream
        self.quiet, self.n = quiet, initial
        self._view = None
        if not quiet:
            _end_the_one_shown_on(self.stream)  # first: tqdm would draw a second bar below one still open
            self._view = _view_for(self.stream)(total, what, unit, initial, self.stream)
            Progress._shown = self

    def update(self, n: int = 1, postfix: Postfix | None = None) -> None:
        self.n += n
        if self._view is not None:
            self._view.update(n, postfix)

    def message(self, text: str) -> None:
        say(text, self.quiet, self.stream)

    def close(self) -> None:
        if self._view is not None:
            self._view.close()
            self._view = None
        if Progress._shown is self:
            Progress._shown = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def end_progress(stream: TextIO | None = None) -> None:
    """End the bar shown on `stream` (stderr), if one is: before a command prints its result on the same
    terminal, as work that stopped short of its total (an exhaustive search) leaves its bar open."""
    _end_the_one_shown_on(sys.stderr if stream is None else stream)


def say(text: str, quiet: bool = False, stream: TextIO | None = None) -> None:
    """One line beside the progress: above a bar on a terminal (tqdm redraws the bar below it)."""
    if not quiet:
        tqdm.write(text, file=sys.stderr if stream is None else stream)


class Counted:
    """A callback `(*item, done, total)` for work that reports each item as it is done (the search's
    `on_entry`, `on_refined`): the bar starts at the first call, as only then is the total known, and ends at
    the last. `describe(*item)` is the postfix."""

    def __init__(self, what: str, describe: Callable[..., str] | None = None, *, unit: str = "it",
                 quiet: bool = False, stream: TextIO | None = None):
        self.what, self.describe, self.unit, self.quiet, self.stream = what, describe, unit, quiet, stream
        self.progress: Progress | None = None

    def __call__(self, *args) -> None:
        *item, done, total = args
        if self.progress is None:  # the clock starts now: the first item's time is unknown, so it is not counted
            self.progress = Progress(total, self.what, unit=self.unit, initial=done, quiet=self.quiet,
                                     stream=self.stream)
        self.progress.update(done - self.progress.n, self.describe and (lambda: self.describe(*item)))
        if done >= total:
            self.close()

    def close(self) -> None:
        if self.progress is not None:
            self.progress.close()


def _view_for(stream: TextIO) -> type:
    return _Bar if _isatty(stream) else _Lines


class _Bar:
    """tqdm's bar. It redraws on the update that comes `REFRESH` seconds after its last draw (`miniters=1`: no
    count of updates skipped unchecked), so the postfix is asked for on exactly the updates that draw."""

    def __init__(self, total: int, what: str, unit: str, initial: int, stream: TextIO):
        self.bar = tqdm(total=total, desc=what, unit=unit, initial=initial, file=stream, mininterval=REFRESH,
                        miniters=1, dynamic_ncols=True, leave=True)

    def update(self, n: int, postfix: Postfix | None) -> None:
        if postfix is not None and self.bar._time() - self.bar.last_print_t >= REFRESH:
            self.bar.set_postfix_str(postfix(), refresh=False)
        self.bar.update(n)

    def close(self) -> None:
        self.bar.close()


class _Lines:
    """Plain lines for a log: the first update, then one every `LOG_EVERY` seconds, and the last."""

    def __init__(self, total: int, what: str, unit: str, initial: int, stream: TextIO):
        self.total, self.what, self.unit, self.initial, self.stream = total, what, unit, initial, stream
        self.n = initial
        self.start = time.monotonic()
        self.last: float | None = None  # when the last line was written
        self.written_at = initial       # the count that line showed
        self.postfix = ""

    def update(self, n: int, postfix: Postfix | None) -> None:
        self.n += n
        now = time.monotonic()
        if self.last is None or now - self.last >= LOG_EVERY or self.n >= self.total:
            self.postfix = postfix() if postfix is not None else ""
            self.write(now)

    def write(self, now: float) -> None:
        self.last, self.written_at = now, self.n
        line = tqdm.format_meter(self.n, self.total, now - self.start, prefix=self.what, unit=self.unit,
                                 bar_format=LINE, postfix=self.postfix or None, initial=self.initial)
        self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        """The last line, unless it is written already (the work reached its total, or stopped short)."""
        if self.n != self.written_at:
            self.write(time.monotonic())


def _end_the_one_shown_on(stream: TextIO) -> None:
    # Only on the same stream: another (a test's captured stderr, since closed) is no longer anyone's to write.
    shown = Progress._shown
    if shown is not None and shown.stream is stream:
        shown.close()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
