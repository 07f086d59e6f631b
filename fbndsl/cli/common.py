"""What every `fbndsl` command shares: how a body's errors end the process (`run_command`), `--set` parsing
(`parse_sets`), the options several commands spell alike, and one-line usage errors.

Each command's module imports from here and from nowhere else in `fbndsl.cli`, so that the commands stay
independent of each other and of the group that registers them.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from ..diagnostics import UserError

# Options several commands share, spelt once.
SPACE_OPTION = click.option("--space", "space_path", required=True, metavar="SPACE.nas",
                            help="The space (a path or a shipped name).")
SETS_OPTION = click.option("--set", "sets", multiple=True, metavar="NAME=VALUE",
                           help="Override a `param` of the space.")


def run_command(body: Callable[[], object]) -> None:
    """Run a command body: user errors print as diagnostics with exit code 1, never a traceback; an
    interruption exits 130; anything else is our bug, exit 3 (a traceback only with FBNDSL_DEBUG)."""
    try:
        body()
    except UserError as exc:
        if not getattr(exc, "quiet", False):  # under torchrun, rank 0 alone prints an error every rank finds
            click.echo(exc.render(), err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # an internal error: a bug of ours, not the user's
        if os.environ.get("FBNDSL_DEBUG"):
            raise
        click.echo(f"internal compiler error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in fbndsl; rerun with FBNDSL_DEBUG=1 for a traceback and report it.", err=True)
        sys.exit(3)


def bind_to_data(space_path: str, space, data, overrides: dict[str, str], *, budgets: bool,
                 quiet: bool) -> dict[str, str]:
    """`overrides` with what the data decides about `space` (compiled from `space_path` with `overrides`) added
    (`fbndsl.fit`: the class count, a proxy input resolution), each said on one line of stderr unless `quiet`.
    A proxy resolution the space cannot take as a mere proxy (it does not compile there, or its choices change)
    is dropped, and that said instead."""
    from ..fit import fit_to_data
    from ..pipeline import compile as compile_space

    fit = fit_to_data(space, data, overrides, budgets=budgets)
    notes, bound = list(fit.notes), {**overrides, **fit.sets}
    if fit.proxy is not None and not _same_choices(space, lambda: compile_space(space_path, **bound)):
        bound.pop(fit.proxy)
        notes = [n for n in notes if not n.startswith(f"{fit.proxy}=")]
        notes.append(f"{fit.proxy}: kept as declared; the space does not compile with the same choices at "
                     f"{data.name}'s {data.resolution}x{data.resolution} (--set {fit.proxy}=N picks another)")
    if not quiet:
        for note in notes:
            click.echo(note, err=True)
    return bound


def _same_choices(space, recompile: Callable[[], object]) -> bool:
    from ..fit import same_choices

    try:
        other = recompile()
    except UserError:
        return False
    return same_choices(other, space)


def parse_sets(values: tuple[str, ...], flag: str = "--set") -> dict[str, str]:
    """`--set NAME=VALUE` flags (or `flag`'s) as a mapping, in the order given (a later one of the same name wins)."""
    out = {}
    for item in values:
        name, eq, value = item.partition("=")
        if not eq or not name.strip() or not value.strip():
            raise UserError(f"{flag} {item}: expected NAME=VALUE, e.g. {flag} C=36")
        out[name.strip()] = value.strip()
    return out


class OneLineError(click.ClickException):
    """A command-line mistake: `error: ...` on one line, exit status 1, like a mistake in the data."""

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class OneLineUsageErrors(click.Command):
    """A click command whose usage errors are `OneLineError`s: click's own would print the usage block and
    exit 2; our rule for command-line mistakes is the same as for data mistakes."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise OneLineError(exc.format_message()) from None
