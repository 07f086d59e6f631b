"""The `fbndsl` command line: the `main` group and its commands, one module each (compile, train, search,
export, bench), which share only `common`. The front end never imports torch, so `fbndsl compile` starts fast:
each command imports what is heavy inside its body."""
from __future__ import annotations

import click

from ..version import __version__
from .bench import bench_cmd
from .compile import compile_cmd
from .export import export_cmd
from .search import search_cmd
from .train import train_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fbndsl")
def main() -> None:
    """fbndsl: a compiler for neural-architecture-search spaces."""


main.add_command(compile_cmd)
main.add_command(train_cmd)
main.add_command(search_cmd)
main.add_command(export_cmd)
main.add_command(bench_cmd)
