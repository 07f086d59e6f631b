"""Lowering a compiled space to PyTorch: a weight-sharing supernet, static subnets, BN recalibration.

Imports torch; the front end (`fbndsl.compile`) never imports this package.
"""
from .extract import extract
from .recalibrate import recalibrate_bn
from .supernet import Supernet, lower

__all__ = ["Supernet", "lower", "extract", "recalibrate_bn"]
