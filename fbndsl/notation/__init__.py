"""Architecture notations: the canonical text, JSON, and the official notations of NAS-Bench-201
(`|nor_conv_3x3~0|+|...|`) and DARTS (`Genotype(normal=[...], ...)`)."""
from __future__ import annotations

import json

from ..diagnostics import ArchError
from ..ir.choices import Arch
from . import darts, nb201


def parse_any(space, text: str) -> Arch:
    if not text:
        return space.arch({})  # the one architecture of a fixed network; otherwise names what is missing
    if text.startswith("|"):
        return nb201.parse(space, text)
    if text.startswith("Genotype"):
        return darts.parse(space, text)
    if text.startswith("{"):
        return parse_json(space, text)
    return parse_canonical(space, text)


def parse_canonical(space, text: str) -> Arch:
    pairs = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        label, eq, value = part.partition("=")
        if not eq or not label.strip():
            raise ArchError(f"malformed '{part}': expected label=value")
        if label.strip() in pairs:
            raise ArchError(f"choice '{label.strip()}' is given twice")
        pairs[label.strip()] = value.strip()
    return space.arch(pairs)


def parse_json(space, text: str) -> Arch:
    """`{"label": value, ...}`."""
    try:
        data = json.loads(text)
    except RecursionError:  # the decoder recurses once per level: thousands of '[' exhaust it
        raise ArchError("not valid JSON: nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise ArchError(f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ArchError("an architecture in JSON is an object {\"label\": value, ...}")
    return space.arch(data)


def format_as(space, arch: Arch, notation: str) -> str:
    formats = {"canonical": lambda: arch.text(), "json": arch.json_text,
               "nb201": lambda: nb201.format(space, arch), "darts": lambda: darts.format(space, arch)}
    return formats[notation]()
