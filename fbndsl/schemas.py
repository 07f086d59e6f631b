"""The declared schema of every file fbndsl reads back, and the one place where they are checked.

results.json (`search --resume`, `export --from`), a training run's config.json, arch.json, a checkpoint's
metadata, the rows of the NAS-Bench-201 truth CSV and the lines of an `--archs` file each have a schema here
(JSON Schema, Draft 2020-12, written as Python dicts). A reader checks the whole document before it uses any
field, so a hand-edited or foreign file ends in one line that names the file, the field and what was expected:

    error: runs/s/results.json: evaluated[0].arch: expected a string (got 5)

The schemas admit keys they do not name (a file written by an older or newer fbndsl), never a wrong type.
jsonschema is imported when the first document is checked: `fbndsl compile` without --archs never pays for it.
"""
from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .diagnostics import UserError

MAX_DEPTH = 32           # levels of arrays and objects; fbndsl writes at most 5
MAX_INDEX = 2**63 - 1    # counts, ranks and steps must fit the int64 torch and numpy would hold them in
MAX_ARCH_TEXT = 100_000  # characters of one architecture's text (a DARTS cell's is a few hundred)
SHOWN_WIDTH = 60         # characters of a wrong value quoted in a message
TOO_DEEP = f"nested too deeply (more than {MAX_DEPTH} levels of arrays and objects)"

SEARCH_FORMAT = "fbndsl-search/1"
EXPORT_FORMAT = "fbndsl-export/1"
CHECKPOINT_FORMAT = 1
FAIRNESS_MODES = ("insert", "check", "off")


# -- building blocks ---------------------------------------------------------------------------------------------

def count(low: int = 0, high: int = MAX_INDEX) -> dict:
    return {"type": "integer", "minimum": low, "maximum": high}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


def array_of(items: dict) -> dict:
    return {"type": "array", "items": items}


def map_of(values: dict) -> dict:
    return {"type": "object", "additionalProperties": values}


def record(properties: dict, required=(), **more) -> dict:
    """An object with these fields ("properties" before "required": a wrong value is reported before a missing
    key, as jsonschema reports errors in the schema's order)."""
    return {"type": "object", "properties": properties, "required": list(required), **more}


STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
NUMBER = {"type": "number"}
SCALAR = {"type": ["string", "number", "boolean", "null"]}
TEXTS = map_of(STRING)  # --set values, as their text
SHA256 = {"type": "string", "pattern": "^[0-9a-f]{64}$", "title": "a sha256 of 64 hex digits"}
ARCH_TEXT = {"type": "string", "maxLength": MAX_ARCH_TEXT, "pattern": r"^(?!\s*[\[{])",
             "title": f"an architecture's canonical text (label=value,...) of at most {MAX_ARCH_TEXT} characters"}
ARCH_JSON = {"type": "object", "maxProperties": 100_000,
             "additionalProperties": {"type": ["string", "number", "boolean", "null", "array"]},  # a tuple: an array
             "title": "an architecture as a JSON object {label: value}"}
MEASURED = {"type": ["number", "null", "string"], "pattern": "^-?inf$",  # the pattern applies to strings only
            "title": 'a number, null (not measured), "inf" or "-inf"'}


# -- results.json (fbndsl/search/results.py writes it) -----------------------------------------------------------

_EVALUATION = record({"arch": ARCH_TEXT, "macs": count(), "params": count(), "indicators": map_of(MEASURED)},
                     required=("arch", "macs", "params", "indicators"))
_TOP_ROW = record({"rank": count(1), "arch": ARCH_TEXT, "macs": count(), "params": count(),
                   "indicators": map_of(MEASURED), "ranks": map_of(NUMBER), "refined": MEASURED},
                  required=("rank", "arch"))
_BUDGET = record({"macs": nullable(count()), "params": nullable(count()),
                  "at_resolution": {"anyOf": [count(1), array_of(count(1)), {"type": "null"}],
                                    "title": "a resolution, a list of them, or null"}})


def _results(required: tuple[str, ...], space_required: tuple[str, ...]) -> dict:
    identity = record({"format": {"const": SEARCH_FORMAT}}, required=("format",))
    body = record({
        "space": record({"file": STRING, "name": STRING, "sha256": SHA256, "sets": TEXTS}, required=space_required),
        "compiler_version": STRING, "seed": {"type": "integer"}, "indicator": STRING, "strategy": STRING,
        "budget": _BUDGET, "supernet": nullable(STRING), "settings": {"type": "object"},
        "evaluated": array_of(_EVALUATION), "top": array_of(_TOP_ROW),
        "refined": {**map_of(MEASURED), "propertyNames": ARCH_TEXT},  # architecture's text -> its refined value
        "done": BOOLEAN, "seconds": {"type": "number", "minimum": 0}}, required=required)
    return {"allOf": [identity, body]}  # a file of another kind is named as such before its fields are


# what `search --resume` repeats and replays
RESULTS = _results(("space", "seed", "indicator", "strategy", "budget", "supernet", "settings", "evaluated"),
                   ("sha256", "sets"))
# what `export --from` needs: the space and the top-k (every other field, when present, still has its type)
RESULTS_TOP = _results(("space", "top"), ("sha256",))


# -- a training run's config.json (fbndsl/train/rundir.py writes it) ----------------------------------------------

_PAIR = {"type": "array", "prefixItems": [STRING, STRING], "minItems": 2, "items": False,
         "title": "a [name, value] pair of strings"}
_TRAIN_SETTINGS = record({
    "mode": STRING, "epochs": count(), "steps": nullable(count()), "batch_size": count(), "lr": nullable(NUMBER),
    "weight_decay": nullable(NUMBER), "momentum": NUMBER, "seed": {"type": "integer"}, "device": STRING,
    "data": STRING, "sets": array_of(_PAIR), "sampler": STRING, "num_random": count(), "sandwich": BOOLEAN,
    "distill": BOOLEAN, "multires": BOOLEAN, "zero_init": BOOLEAN, "lr_decay": BOOLEAN,
    "checkpoint_every": nullable(count()), "recal_batches": count(), "eval_archs": count(), "log_every": count(),
    "quiet": BOOLEAN}, required=("mode",))  # TrainConfig's own checks follow, with its defaults for the rest
TRAIN_CONFIG = record({
    "config": _TRAIN_SETTINGS,
    "space": record({"file": STRING, "name": STRING, "sha256": SHA256,
                     "params": map_of({**SCALAR, "maxLength": MAX_ARCH_TEXT}),
                     "fairness": {"enum": list(FAIRNESS_MODES)}},
                    required=("sha256",)),
    "fbndsl_version": STRING}, required=("config", "space"))


# -- arch.json (fbndsl/export/record.py writes it) ---------------------------------------------------------------

_RECALIBRATION = {**record({"data": STRING, "batches": count()}, required=("data", "batches")),
                  "type": ["object", "null"]}
ARCH_RECORD = record({
    "format": {"const": EXPORT_FORMAT}, "arch": ARCH_TEXT, "arch_json": ARCH_JSON,
    "space": record({"name": STRING, "file": STRING, "sha256": SHA256, "sets": TEXTS, "params": map_of(SCALAR)},
                    required=("name", "file", "sha256", "sets", "params")),
    "compiler": record({"name": STRING, "version": STRING}, required=("name", "version")),
    "input_shape": {**array_of(count(1)), "minItems": 1, "maxItems": 8},
    "macs": count(), "params": count(), "params_exported": count(),
    "class_name": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$", "title": "a Python class name"},
    "weights": record({"file": nullable(STRING), "source": {"enum": ["supernet", "fresh init"]},
                       "supernet": nullable(STRING), "recalibration": _RECALIBRATION}, required=("file", "source")),
    "fairness_bn": record({"mode": {"enum": list(FAIRNESS_MODES)},
                           "layers": array_of(record({"node": STRING, "module": nullable(STRING), "handling": STRING},
                                                     required=("node", "module", "handling")))},
                          required=("mode", "layers")),
    "aux_head": {"type": ["object", "null"]},
    "onnx": {**record({"file": STRING, "opset": count(1)}, required=("file", "opset")), "type": ["object", "null"]},
    "files": map_of(SHA256)},
    required=("format", "arch", "arch_json", "space", "compiler", "input_shape", "macs", "params", "class_name",
              "weights", "files"))


# -- a checkpoint's metadata (fbndsl/train/checkpoint.py writes it; its tensors are checked there) -----------------

_WORD = count(0, 2**32 - 1)
PYTHON_RNG = {"type": "array", "minItems": 3, "items": False,
              "prefixItems": [{"const": 3},  # random.VERSION
                              {"type": "array", "minItems": 625, "items": False,
                               "prefixItems": [_WORD] * 624 + [count(0, 624)],
                               "title": "624 words of 32 bits and an index from 0 to 624"},
                              nullable(NUMBER)],
              "title": "Python's random state [3, [624 words, index], gauss]"}
CHECKPOINT_META = record({
    "format": {"const": CHECKPOINT_FORMAT},
    "run": record({"settings": {"type": "object"}, "space_sha256": SHA256, "space_params": map_of(SCALAR)},
                  required=("settings", "space_sha256", "space_params")),
    "step": count(), "epoch": count(), "step_in_epoch": count(), "elapsed": {"type": "number", "minimum": 0},
    "python_rng": PYTHON_RNG, "sampler_rng": PYTHON_RNG},
    required=("format", "run", "step", "epoch", "step_in_epoch", "elapsed", "python_rng", "sampler_rng"))


# -- text files: a row of the truth CSV, a line of an --archs file ---------------------------------------------------

def truth_row(arch_column: str, accuracy_column: str) -> dict:
    """A row as csv.DictReader gives it (a short row's missing cells are None); the accuracy's text is read as a
    number by bench/truth.py, which names the line."""
    return record({arch_column: {"type": "string", "minLength": 1, "maxLength": MAX_ARCH_TEXT,
                                 "title": "an architecture string"},
                   accuracy_column: STRING})


ARCHS_LINE = {"type": "string", "maxLength": MAX_ARCH_TEXT,
              "title": f"an architecture of at most {MAX_ARCH_TEXT} characters"}


# -- reading and checking ----------------------------------------------------------------------------------------

def load(path: Path, schema: dict, fix: str = "") -> Any:
    """The JSON file at `path`, checked against `schema` (one-line `UserError`s, the file untouched)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror or type(exc).__name__}){_then(fix)}") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text, so not valid JSON{_then(fix)}") from None
    document = loads(text, path, fix)
    check(document, schema, path)
    return document


def loads(text: str, where, fix: str = "") -> Any:
    """JSON text as plain values: no NaN or infinity (JSON has none; Python's json reads them), at most
    MAX_DEPTH levels of nesting (deeper text exhausts the decoder's recursion)."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise UserError(f"{where}: {TOO_DEEP}{_then(fix)}") from None
    except ValueError as exc:  # JSONDecodeError, or an integer of more than 4300 digits
        raise UserError(f"{where}: not valid JSON ({_one_line(str(exc))}){_then(fix)}") from None
    check_plain(document, where)
    return document


def check_plain(value: Any, where) -> None:
    """Only JSON's own values (no tensors, no tuples), finite numbers, at most MAX_DEPTH levels deep; walked with
    a stack, so that no depth exhausts Python's recursion."""
    stack = [(value, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise UserError(f"{where}: {TOO_DEEP}")
            children = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((child, (*path, key), depth + 1) for key, child in reversed(list(children)))
        elif isinstance(value, float) and not math.isfinite(value):
            raise UserError(_violation(where, path, "a finite number", shown(value)))
        elif value is not None and not isinstance(value, (str, int, float, bool)):
            raise UserError(_violation(where, path, "a JSON value", shown(value)))
        if isinstance(value, dict) and not all(isinstance(k, str) for k in value):
            raise UserError(_violation(where, path, "an object with string keys", shown(value)))


def check(document: Any, schema: dict, where) -> None:
    """The first violation of `schema` in `document`, as one line: `WHERE: FIELD: expected WHAT (got VALUE)`."""
    error = next(_errors(document, schema), None)
    if error is not None:
        raise UserError(_message(where, error))


def violations(document: Any, schema: dict) -> Iterator[str]:
    """Every violation, `FIELD: expected WHAT (got VALUE)` (for tests and for checking the schemas themselves)."""
    for error in _errors(document, schema):
        yield _message(None, error)


def _errors(document: Any, schema: dict):
    return _validator_class()(schema).iter_errors(document)


@functools.cache
def _validator_class():
    """Draft 2020-12, where an integer is an int (not 1.0, not True) and a number is finite."""
    from jsonschema import Draft202012Validator
    from jsonschema.validators import extend

    checker = Draft202012Validator.TYPE_CHECKER.redefine_many({
        "integer": lambda _, v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda _, v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)})
    return extend(Draft202012Validator, type_checker=checker)


# -- messages ---------------------------------------------------------------------------------------------------

_TYPE_NAMES = {"object": "an object", "array": "an array", "string": "a string", "integer": "an integer",
               "number": "a number", "boolean": "a boolean", "null": "null"}


def _message(where, error) -> str:
    path, keyword, schema = list(error.absolute_path), error.validator, error.schema
    if keyword == "required":
        key = next(k for k in error.validator_value if k not in error.instance)
        what = describe(schema.get("properties", {}).get(key, {}))
        return _violation(where, [*path, key], what, None)
    if keyword == "type":  # the type alone ("a string"), unless the title says which of several fit and how
        several = not isinstance(error.validator_value, str) and "title" in schema
        return _violation(where, path, schema["title"] if several else _types(error.validator_value),
                          shown(error.instance))
    got = f"{len(error.instance)} items" if keyword in ("minItems", "maxItems", "items", "maxProperties") \
        else f"{len(error.instance)} characters" if keyword == "maxLength" \
        else shown(error.instance)
    return _violation(where, path, describe(schema, keyword), got)


def describe(schema: dict, keyword: str | None = None) -> str:
    """What a (sub)schema expects, in words; `keyword`: the one that failed, when only it matters."""
    if keyword in ("minimum", "maximum"):
        return _bounds(schema)
    if "title" in schema:
        return schema["title"]
    if "const" in schema:
        return json.dumps(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(json.dumps(v) for v in schema["enum"])
    if keyword in ("items", "minItems") and "prefixItems" in schema:
        return f"exactly {len(schema['prefixItems'])} item{'s' * (len(schema['prefixItems']) != 1)}"
    if keyword in ("maxLength", "maxItems", "maxProperties"):
        unit = "characters" if keyword == "maxLength" else "items"
        return f"{_types(schema.get('type', ''))} of at most {schema[keyword]} {unit}"
    if keyword == "minLength":
        return f"a string of at least {schema[keyword]} characters"
    if "anyOf" in schema:
        return " or ".join(describe(s) for s in schema["anyOf"])
    return _types(schema.get("type", "a JSON value"))


def _bounds(schema: dict) -> str:
    low, high, kind = schema.get("minimum"), schema.get("maximum"), _types(schema.get("type", "number"))
    if high is None:
        return f"{kind} >= {low}"
    return f"{kind} from {low} to {high}" if low is not None else f"{kind} <= {high}"


def _types(types) -> str:
    types = [types] if isinstance(types, str) else list(types)
    names = [_TYPE_NAMES.get(t, t) for t in types]
    return " or ".join(filter(None, (", ".join(names[:-1]), names[-1])))


def _violation(where, path, what: str, got: str | None) -> str:
    """`WHERE: FIELD: expected WHAT (got VALUE)`; a missing field: `(missing)`."""
    field = field_path(path)
    head = f"{where}: " if where is not None else ""
    return f"{head}{field + ': ' if field else ''}expected {what} ({'missing' if got is None else f'got {got}'})"


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def field_path(path) -> str:
    """["evaluated", 0, "arch"] -> evaluated[0].arch; a key that is not a plain name is quoted."""
    out = ""
    for key in path:
        if isinstance(key, int):
            out += f"[{key}]"
        elif _NAME.fullmatch(key):
            out += f".{key}" if out else key
        else:
            out += f"[{clip(json.dumps(key))}]"
    return out


def shown(value: Any) -> str:
    """A value as JSON writes it (NaN as Python's json does), on one line, clipped to SHOWN_WIDTH characters."""
    try:
        text = json.dumps(value, default=lambda v: f"<{type(v).__name__}>")
    except (ValueError, RecursionError):  # a circular or deep container (only from a checkpoint)
        text = f"<{type(value).__name__}>"
    return clip(text)


def clip(text: str, width: int = SHOWN_WIDTH) -> str:
    """`text` cut to `width` characters, ending in "..." when cut."""
    return text if len(text) <= width else text[:width - 3] + "..."


def _one_line(text: str) -> str:
    return clip(" ".join(text.split()))


def _then(fix: str) -> str:
    return f"; {fix}" if fix else ""
