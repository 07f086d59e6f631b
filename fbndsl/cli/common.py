"""How every `fbndsl` command reports a bad or missing flag: one line, `error: ...`, exit status 1.

click's usage errors normally print the usage block and exit 2; our rule for command-line mistakes is the
same as for data mistakes: one line that names what is wrong, and exit 1.
"""
from __future__ import annotations

import click


class OneLineError(click.ClickException):
    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class OneLineUsageErrors(click.Command):
    """A click command whose usage errors are `OneLineError`s."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise OneLineError(exc.format_message()) from None
