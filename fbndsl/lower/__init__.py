"""Lowering a compiled space to PyTorch: the weight-sharing supernet (`supernet`, its elastic `modules`), static
subnets (`extract`), BatchNorm bookkeeping (`batchnorm`) and recalibration (`recalibrate`), and what running a
supernet needs around it (`runtime`: the device, batches at an architecture's resolution, data that fits).

Imports torch; the front end (`fbndsl.compile`) never imports this package.
"""
from .extract import extract
from .recalibrate import recalibrate_bn
from .supernet import Supernet, lower

__all__ = ["Supernet", "lower", "extract", "recalibrate_bn"]
