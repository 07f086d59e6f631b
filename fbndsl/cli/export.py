"""`fbndsl export`: one architecture of a space as standalone PyTorch source, weights, ONNX and arch.json;
torch is imported only when the command runs."""
from __future__ import annotations

from pathlib import Path

import click

from ..diagnostics import UserError
from ..files import locked
from .common import SETS_OPTION, SPACE_OPTION, OneLineUsageErrors, parse_sets, run_command

EXPORT_EPILOG = (
    "DIR gets model.py (standalone PyTorch, readable names, each layer's source line), weights.pt (with "
    "--supernet: the subnet's weights sliced from the supernet after BatchNorm recalibration; BatchNorms inserted "
    "by BN fairness are kept), model.onnx (dynamic batch) and arch.json (the arch, the space's sha256, --set "
    "values, version, MACs, params). Without --supernet the architecture is exported as written, freshly "
    "initialised, to be trained. See docs/export.md.")


@click.command("export", cls=OneLineUsageErrors, epilog=EXPORT_EPILOG)
@SPACE_OPTION
@click.option("--arch", help="The architecture (canonical text, JSON, or NAS-Bench-201/DARTS notation).")
@click.option("--from", "from_path", metavar="RESULTS.json", help="Take the architecture from fbndsl search results.")
@click.option("--rank", type=int, metavar="N", help="With --from: the rank to export [default: 1].")
@click.option("--supernet", "supernet_dir", metavar="RUN_DIR",
              help="Slice the weights from this fbndsl train run [default with --from: the results' supernet].")
@SETS_OPTION
@click.option("--data", metavar="SPEC", help="BatchNorm recalibration data [default: the run's --data].")
@click.option("--recal-batches", type=int, metavar="K",
              help="Batches that recalibrate BatchNorm; 0 keeps the supernet's statistics [default: the run's].")
@click.option("--out", "out_dir", required=True, metavar="DIR", help="The folder to write (created if needed).")
@click.option("--no-onnx", is_flag=True, help="Do not write model.onnx.")
@click.option("--aux-head", metavar="STATEMENT",
              help="Add DARTS's auxiliary head after this statement of the network (e.g. reduce2), for training "
                   "from scratch: Model(auxiliary=True).")
def export_cmd(space_path, arch, from_path, rank, supernet_dir, sets, data, recal_batches, out_dir, no_onnx,
               aux_head):
    """Export one architecture of a space as standalone PyTorch source, weights, ONNX and arch.json."""
    def body():
        # two exports into one DIR would each write atomically, yet leave files of two architectures side by side
        with locked(Path(out_dir), "fbndsl export"):
            _export(space_path, arch, from_path, rank, supernet_dir, parse_sets(sets), data, recal_batches,
                    Path(out_dir), not no_onnx, aux_head)

    run_command(body)


def _export(space_path, arch, from_path, rank, supernet_dir, overrides, data, recal_batches, out: Path, onnx,
            aux_head=None):
    from ..data import parse_data_spec
    from ..export.results import check_space, read_ranked
    from ..pipeline import compile as compile_space

    _check_export_flags(arch, from_path, rank, out)
    ranked = read_ranked(from_path, 1 if rank is None else rank) if from_path else None
    if ranked is not None:
        arch, overrides = ranked.arch, {**ranked.sets, **overrides}  # an explicit --set wins
        supernet_dir = supernet_dir or ranked.supernet
    if supernet_dir is None and (data is not None or recal_batches is not None):
        raise UserError("--data and --recal-batches recalibrate a supernet's BatchNorms; give --supernet RUN_DIR "
                        "or drop them")
    if data is not None:
        parse_data_spec(data)  # a bad spec fails now, before anything slow
    if recal_batches is not None and recal_batches < 0:
        raise UserError(f"--recal-batches {recal_batches}: must be 0 (no recalibration) or more")
    space = compile_space(space_path, **overrides)
    if ranked is not None:
        check_space(ranked, space)
    click.echo(_exported(space, arch, out, supernet_dir, overrides, data, recal_batches, onnx, aux_head), nl=False)


def _check_export_flags(arch, from_path, rank, out: Path) -> None:
    if (arch is None) == (from_path is None):
        raise UserError("give the architecture with either --arch ARCH or --from RESULTS.json (one of them)")
    if rank is not None and from_path is None:
        raise UserError("--rank picks an architecture of --from RESULTS.json; give --from, or drop --rank")
    if rank is not None and rank < 1:
        raise UserError(f"--rank {rank}: ranks start at 1")
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: is a file, not a directory; choose another --out")


def _exported(space, arch, out: Path, supernet_dir, overrides, data, recal_batches, onnx: bool, aux_head) -> str:
    from ..export.bundle import export

    if supernet_dir is None:
        result = export(space, arch, out, None, None, onnx, sets=overrides, aux_head=aux_head)
    else:
        from ..train import load_run

        run = load_run(supernet_dir)
        k = run.config.recal_batches if recal_batches is None else recal_batches
        result = export(space, arch, out, run.supernet, data or run.config.data, onnx, recal_batches=k,
                        batch_size=run.config.batch_size, seed=run.config.seed, data_epoch=run.config.epochs,
                        sets=overrides, supernet_dir=str(supernet_dir), aux_head=aux_head)
    return _export_summary(out, result)


def _export_summary(out: Path, result) -> str:
    rec = result.record
    weights, recal = rec["weights"], rec["weights"]["recalibration"]
    if weights["file"] is None:
        how = "fresh init, no weights.pt"
    else:
        how = f"weights from {weights['supernet'] or 'the supernet'}" + (
            f", BatchNorm recalibrated on {recal['batches']} batches of {recal['data']}" if recal else "")
    kept = rec["params_exported"] - rec["params"]
    extra = f" + {kept:,} in fairness BatchNorms" if kept else ""
    aux = rec["aux_head"]
    aux_line = (f"aux head: {aux['params']:,} params after {aux['at']}, for training: Model(auxiliary=True)\n"
                if aux else "")
    return (f"{out}: {', '.join(p.name for p in result.files)}\narch:   {rec['arch']}\nMACs:   {rec['macs']:,}\n"
            f"params: {rec['params']:,}{extra}   ({how})\n{aux_line}")
