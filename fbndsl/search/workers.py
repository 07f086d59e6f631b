"""`Workers`: a search's measurements shared out among the processes of a torchrun launch.

`torchrun --nproc-per-node W -m fbndsl search ...` starts W processes. Rank 0 alone runs the strategy, keeps the
pool and writes results.json; every rank, rank 0 included, measures. Each round (`Workers.map`) rank 0 broadcasts
the round's items; each rank claims the next unclaimed item, the dearest first by its predicted cost (its MACs),
until none is left; rank 0 gathers the results in the round's order. The other ranks `serve` rounds until rank 0
says the search is over.

A measurement is a function of the architecture, the seed and the fixed batches of the indicators' context
(`IndicatorContext`), not of what a process measured before; so which rank measures an architecture changes no
value, and W processes measure exactly what one does (with the same torch threads each: float sums depend on
them). Which rank measures which item is decided as the round runs, not in advance: the first free process takes
the next item (an atomic counter on the launch's key-value store, rank 0's). Fixed shares, balanced by MACs,
were measured at 1.60 to 1.80 times one process's speed on 2 processes of our 2-core machine, whose processes
each ran 10 % slower or faster for seconds at a time; claiming reached 2.0 (docs/search.md, "Several processes").

A rank that dies mid-round (killed, out of memory) breaks the round's collective on every other rank: rank 0
raises `WorkerLost`, whose message says that results.json holds every complete round and `--resume` continues
(with any number of processes); the others exit quietly.
"""
from __future__ import annotations

import itertools
import os
import signal
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from ..diagnostics import UserError
from ..train.distributed import Launch, PeerError

# How long the other ranks wait for rank 0 between rounds: while it trains the supernet alone (`fbndsl search`
# trains on rank 0, so that every process measures on the weights one process would have), and while it ranks.
# A rank that dies is noticed at once (its connections close); this bounds only a rank that hangs.
WAIT = timedelta(days=7)
_ROUNDS = itertools.count()  # on rank 0: numbers each round's counter on the store


class Task(Enum):
    MEASURE = "measure"   # arch -> the indicator values (`driver.measurer`)
    REFINE = "refine"     # arch -> its refined value (`driver.refiner_for`: accuracy trained alone, or explosion)


class WorkerLost(UserError):
    """A process of the launch stopped during a round: the round's results are lost, the earlier ones kept."""


class Stopped(KeyboardInterrupt):
    """SIGTERM, under `sigterm_stops`: a `kill`, or torchrun stopping every process after one of them failed."""


@contextmanager
def sigterm_stops():
    """SIGTERM raises `Stopped` (an interruption, as Ctrl-C is) instead of ending the process at once, so that the
    search writes results.json with every evaluation made before it exits."""
    def stop(signum, frame):
        raise Stopped

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread: leave the signal alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@dataclass(frozen=True)
class Failure:
    """A rank's error while computing its share, sent to rank 0 in place of its results."""

    message: str
    user: bool  # a UserError (printed as such by rank 0), or a bug of ours (its traceback)


@dataclass
class Workers:
    launch: Launch
    tasks: Mapping[Task, Callable[[Any], Any]]
    weight: Callable[[Any], float] = field(default=lambda item: 1.0)  # an item's predicted cost: dearest first
    rounds: int = 0  # rounds completed, on every rank

    def map(self, task: Task, items: Sequence) -> list:
        """`tasks[task]` of each of `items`, in order: computed here alone, or shared among the launch's ranks
        (called on rank 0; the others `serve`)."""
        if not self.launch.several:
            return [self.tasks[task](item) for item in items]
        assert self.launch.main, "rank 0 hands out the rounds"
        items, key = list(items), f"fbndsl/round/{os.getpid()}/{next(_ROUNDS)}"
        self._broadcast((task, items, key))
        gathered = self._gather(self._compute(task, items, key))
        _forget(key)
        self.rounds += 1
        return _in_order(gathered, len(items))

    def serve(self) -> None:
        """On a rank other than 0: compute the items this rank claims in every round until rank 0 stops."""
        assert not self.launch.main
        while (message := self._broadcast(None)) is not None:
            self._gather(self._compute(*message))
            self.rounds += 1

    def stop(self) -> None:
        """On rank 0, at the end (errors included): release the ranks that `serve`."""
        if self.launch.several:
            self._broadcast(None, at_end=True)

    def _compute(self, task: Task, items: list, key: str) -> dict[int, Any] | Failure:
        """The items this rank claimed, the dearest first: item index -> result; or its first error."""
        order = sorted(range(len(items)), key=lambda i: (-self.weight(items[i]), i))
        out: dict[int, Any] = {}
        try:
            for i in _claims(key, order, self.launch):
                out[i] = self.tasks[task](items[i])
            return out
        except UserError as exc:
            return Failure(str(exc), user=True)
        except Exception:  # a bug of ours: rank 0 reports it with this rank's traceback
            return Failure(traceback.format_exc(), user=False)

    # -- the collectives ------------------------------------------------------------------------------------
    def _broadcast(self, message, at_end: bool = False):
        import torch.distributed as dist

        box = [message]
        try:
            dist.broadcast_object_list(box, src=0)
        except Exception as exc:  # noqa: BLE001 (gloo and NCCL raise several kinds when a peer is gone)
            if at_end:
                return None  # the search is over and written: a rank already gone changes nothing
            self._lost(exc)
        return box[0]

    def _gather(self, results):
        import torch.distributed as dist

        gathered = [None] * self.launch.world if self.launch.main else None
        try:
            dist.gather_object(results, gathered, dst=0)
        except Exception as exc:  # noqa: BLE001
            self._lost(exc)
        return gathered

    def _lost(self, exc: Exception):
        if not self.launch.main:
            raise PeerError("rank 0 stopped") from None
        raise WorkerLost(f"a worker process stopped during round {self.rounds + 1} of measuring "
                         f"({type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''})")


def _in_order(gathered: list, count: int) -> list:
    out: dict[int, Any] = {}
    for rank, part in enumerate(gathered):
        if isinstance(part, Failure):
            if part.user:
                raise UserError(part.message)
            raise RuntimeError(f"worker rank {rank} failed:\n{part.message}")
        out.update(part)
    assert sorted(out) == list(range(count)), (sorted(out), count)
    return [out[i] for i in range(count)]


def _claims(key: str, order: Sequence[int], launch: Launch) -> Iterator[int]:
    """The items of `order` this rank takes, one at a time, each when it is free: an atomic counter `key` on the
    launch's store hands every position of `order` to exactly one rank."""
    store = _store()
    if store is None:  # a torch without the default store: fixed shares, every W-th item of `order`
        yield from order[launch.rank::launch.world]
        return
    while (position := store.add(key, 1) - 1) < len(order):
        yield order[position]


def _store():
    """The process group's key-value store (rank 0 serves it), or None where torch does not expose it."""
    try:
        from torch.distributed.distributed_c10d import _get_default_store
    except ImportError:
        return None
    return _get_default_store()


def _forget(key: str) -> None:
    """Drop a finished round's counter from the store (every rank has claimed past its end: the round is gathered)."""
    store = _store()
    if store is not None:
        store.delete_key(key)
