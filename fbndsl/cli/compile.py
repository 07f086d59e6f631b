"""`fbndsl compile`: check a space and print its choice points, size, cost range and BN-fairness report, or its IR,
or the cost of given architectures. The front end alone: nothing here imports torch, so it starts fast."""
from __future__ import annotations

import json
from pathlib import Path

import click

from ..diagnostics import UserError
from .common import SETS_OPTION, parse_sets, run_command

COST_CONVENTION = (
    "MACs are multiply-accumulates of conv and linear layers (the 'FLOPs' of NAS-Bench-201, torchvision and "
    "NAS papers), plus one addition per output element of a layer with a bias, as NAS-Bench-201 counts; "
    "pooling, BatchNorm, activations and additions count zero. Params are learnable weights (BatchNorm "
    "gamma/beta included, running statistics not). BatchNorms inserted by the fairness pass are reported "
    "apart: they exist only while training the supernet.")


@click.command("compile", epilog=COST_CONVENTION)
@click.argument("spaces", nargs=-1, required=True, metavar="SPACE.nas...")
@SETS_OPTION
@click.option("--fairness", type=click.Choice(["insert", "check", "off"]), default="insert", show_default=True,
              help="BN fairness: insert a BatchNorm after every candidate operator that lacks one, only check "
                   "(error if any lacks one), or off (BN-NAS placement, as written).")
@click.option("--emit", type=click.Choice(["ir", "json", "dot"]),
              help="Print the IR, the IR as JSON, or a Graphviz graph.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--arch", help="Cost one architecture (canonical text, JSON, or NAS-Bench-201/DARTS notation).")
@click.option("--archs", type=click.Path(dir_okay=False), help="Cost every architecture in a file, one per line.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
def compile_cmd(spaces, sets, fairness, emit, as_json, arch, archs, output):
    """Compile SPACE.nas: check it, and print its choice points, exact size, MAC/param range and
    BN-fairness report. SPACE may also name a shipped space, with or without .nas (nb201, darts, mobilenet,
    bignas, ...); a file of that name in the current directory comes first."""
    run_command(lambda: _compile(spaces, sets, fairness, emit, as_json, arch, archs, output))


def _compile(spaces, sets, fairness, emit, as_json, arch, archs, output):
    from ..emit import dot, ir_text, json_form, summary
    from ..pipeline import compile as compile_space

    if (arch or archs) and len(spaces) != 1:
        raise UserError("--arch/--archs cost architectures of one space; give exactly one SPACE.nas")
    if arch and archs:
        raise UserError("give either --arch or --archs, not both")
    overrides = parse_sets(sets)
    chunks = []
    for path in spaces:
        space = compile_space(path, fairness=fairness, **overrides)
        if arch is not None:
            chunks.append(_one_arch(space, arch, as_json))
        elif archs is not None:
            chunks.append(_many_archs(space, archs, as_json))
        elif emit == "ir":
            chunks.append(ir_text.dump(space.ir))
        elif emit == "json":
            chunks.append(json.dumps(json_form.ir_json(space), indent=1) + "\n")
        elif emit == "dot":
            chunks.append(dot.render(space))
        elif as_json:
            chunks.append(json.dumps(json_form.summary(space)) + "\n")
        else:
            chunks.append(summary.render(space))
    _write("".join(chunks), output)


def _arch_record(space, a) -> dict:
    c = space.cost(a)
    return {"arch": a.text(), "macs": c.macs, "params": c.params, "fairness_bn_params": c.fairness_bn_params}


def _one_arch(space, text: str, as_json: bool) -> str:
    a = space.parse_arch(text)
    rec = _arch_record(space, a)
    if as_json:
        return json.dumps(rec) + "\n"
    return (f"arch:   {rec['arch']}\nMACs:   {rec['macs']:,}\nparams: {rec['params']:,}"
            f"   (+{rec['fairness_bn_params']:,} in fairness BatchNorms while training)\n")


def _many_archs(space, path: str, as_json: bool) -> str:
    from ..diagnostics import ArchError

    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read the architectures file: {exc}") from None
    out = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        _check_arch_line(line, f"{path}:{number}")
        try:
            rec = _arch_record(space, space.parse_arch(line))
        except ArchError as exc:
            raise UserError(f"{path}:{number}: {exc}") from None
        out.append(json.dumps(rec) if as_json else f"{rec['arch']}\t{rec['macs']}\t{rec['params']}")
    return "\n".join(out) + ("\n" if out else "")


def _check_arch_line(line: str, where: str) -> None:
    """A line's length, and a JSON architecture's shape, before the space parses it (deep JSON would exhaust the
    parser's recursion)."""
    from .. import schemas

    schemas.check(line, schemas.ARCHS_LINE, where)
    if line.lstrip().startswith("{"):
        schemas.check(schemas.loads(line, where), schemas.ARCH_JSON, where)


def _write(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from ..files import atomic_write_text

    atomic_write_text(Path(output), text)
