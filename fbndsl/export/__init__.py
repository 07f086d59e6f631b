"""Export one architecture as standalone PyTorch source, weights, ONNX and arch.json (`fbndsl export`).

    >>> import fbndsl
    >>> from fbndsl.export import export, render_model_source
    >>> space = fbndsl.compile("nb201")
    >>> print(render_model_source(space, space.sample(0)))       # doctest: +SKIP
    >>> export(space, space.sample(0), "out/")                    # doctest: +SKIP

The stages, one module each: `layers` (the active IR nodes of the architecture), `plan` (safe attribute and
variable names, `names`), `kinds` (one renderer per operator kind, `pycode` for the statements), `source`
(the jinja2 skeleton `codegen/model.py.j2`), `weights` (slices from the supernet, renamed), `onnx_file`,
`record` (arch.json), `bundle` (all of it, written atomically); `results` reads `fbndsl search` results.
`render_model_source` needs no torch at all except for the list of `nn.Module` attribute names it avoids.
"""
from .layers import FairnessBN
from .source import render_model_source


def export(space, arch, out_dir, supernet=None, data=None, onnx=True, **options):
    """See `fbndsl.export.bundle.export` (imported on first use: it needs torch and onnx)."""
    from .bundle import export as run

    return run(space, arch, out_dir, supernet, data, onnx, **options)


__all__ = ["export", "render_model_source", "FairnessBN"]
