"""Every file fbndsl reads back is checked against its schema (fbndsl/schemas.py) before any field is used:
a hand-edited or hostile results.json, config.json or arch.json either loads or ends in one line with exit 1,
never in another exception, and the file is left as it was. Hypothesis edits real documents (wrong types,
missing and extra keys, huge numbers, NaN, deep nesting) and runs the readers in-process."""
from __future__ import annotations

import copy
import json
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fbndsl
from fbndsl import schemas
from fbndsl.diagnostics import UserError
from fbndsl.export.record import read_arch_record
from fbndsl.indicators.ensemble import parse_indicator
from fbndsl.indicators.kinds import Indicator
from fbndsl.search import results
from fbndsl.search.budget import Budget
from fbndsl.search.driver import search
from fbndsl.train import TrainConfig
from fbndsl.train.rundir import RunDir
from fbndsl.train.trained import read_config

CASES = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DEEP = "\x00deep\x00"  # replaced, in the file's text, by arrays nested past what json.loads can recurse into


@pytest.fixture(scope="module")
def space():
    return fbndsl.compile("nb201", C=4, N=1)


@pytest.fixture(scope="module")
def searched(space, tmp_path_factory):
    """A real results.json, of a search by a synthetic evaluator (no torch work)."""
    out = tmp_path_factory.mktemp("searched")
    search(space, evaluate=lambda arch: {Indicator.PARAMS: float(space.cost(arch).params)}, out_dir=out,
           indicator="params",
           strategy="random", budget=Budget.parse(flops="2M"), evals=5, top=3, seed=1)
    return json.loads((out / "results.json").read_text())


def config_document(space) -> dict:
    """config.json as `fbndsl train` writes it (rundir.RunDir.start)."""
    return {"config": TrainConfig(mode="bn-only", epochs=1, steps=3, quiet=True).to_json(),
            "space": {"file": str(space.file), "name": space.name, "sha256": space.source_sha256,
                      "params": {k: v if isinstance(v, (bool, int, float, str)) else str(v)
                                 for k, v in space.ir.params.items()}, "fairness": "off"},
            "fbndsl_version": fbndsl.__version__}


def arch_document(space) -> dict:
    """arch.json as `fbndsl export` writes it (export/record.arch_record), fresh init, with ONNX."""
    arch = space.min_arch()
    return {"format": "fbndsl-export/1", "arch": arch.text(), "arch_json": arch.to_json(),
            "space": {"name": "nb201", "file": "spaces/nb201.nas", "sha256": space.source_sha256,
                      "sets": {"C": "4", "N": "1"}, "params": {"C": 4, "N": 1, "classes": 10}},
            "compiler": {"name": "fbndsl", "version": fbndsl.__version__}, "input_shape": [3, 32, 32],
            "macs": space.cost(arch).macs, "params": space.cost(arch).params, "params_exported": 100,
            "class_name": "Model", "weights": {"file": None, "source": "fresh init", "supernet": None,
                                               "recalibration": None},
            "fairness_bn": {"mode": "insert", "layers": [{"node": "cell", "module": "bn0", "handling": "fold"}]},
            "aux_head": None, "onnx": {"file": "model.onnx", "opset": 17},
            "files": {"model.py": "0" * 64}}


# -- hostile edits ---------------------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.integers(min_value=2**63), st.integers(max_value=-2**63),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8), st.sampled_from(["inf", "", "{\"a\": 1}"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.integers(1, 60).map(lambda n: json.loads("[" * n + "]" * n)), st.just(DEEP))


def positions(doc, path=()):
    """Every (container, key) in `doc`, the document itself as (None, None)."""
    yield path
    children = doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    for key, child in children:
        yield from positions(child, (*path, key))


def at(doc, path):
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def edited(draw, base: dict) -> dict:
    """`base` with one to three values replaced, keys dropped or keys added."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(positions(doc))))
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if not path:
            if action == "replace":
                return draw(HOSTILE)
            continue
        parent, key = at(doc, path[:-1]), path[-1]
        if action == "replace":
            parent[key] = draw(HOSTILE)
        elif action == "drop":
            del parent[key]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=6))] = draw(HOSTILE)
        else:
            parent.append(draw(HOSTILE))
    return doc


def text_of(doc) -> str:
    return json.dumps(doc).replace(json.dumps(DEEP), "[" * 100_000 + "]" * 100_000)


def check_reading(path, doc, read):
    """`read(path)` loads the written document or raises a one-line UserError, and leaves the file as it was."""
    path.write_text(text_of(doc), encoding="utf-8")
    before = path.read_bytes()
    try:
        read(path)
    except UserError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 600, str(exc)
    assert path.read_bytes() == before


# -- results.json ----------------------------------------------------------------------------------------------

def resume_header(record: dict) -> results.Header:
    return results.Header(space=record["space"], seed=record["seed"], indicator=parse_indicator(record["indicator"]),
                          strategy=record["strategy"], budget=record["budget"], supernet=record["supernet"],
                          settings=record["settings"])


@pytest.mark.parametrize("reader", ["resume", "export"])
def test_a_hostile_results_json_loads_or_is_one_line(space, searched, tmp_path_factory, reader):
    from fbndsl.export.results import read_ranked

    path = tmp_path_factory.mktemp("results") / "results.json"
    header = resume_header(searched)

    def resume(p):
        record = results.read(p)
        results.check_resume(p, record, header)
        results.recorded_entries(space, record, p)
        results.recorded_refined(space, record, p)

    @CASES
    @given(edited(searched))
    def case(doc):
        check_reading(path, doc, resume if reader == "resume" else lambda p: read_ranked(p, 1))

    case()


def test_the_issue_edits_name_the_field(searched, tmp_path):
    path = tmp_path / "results.json"
    for edit, message in [({"evaluated": 5}, "evaluated: expected an array (got 5)"),
                          ({"settings": 7}, "settings: expected an object (got 7)"),
                          ({"space": "x"}, 'space: expected an object (got "x")'),
                          ({"evaluated": [{"arch": 5}]}, "evaluated[0].arch: expected a string (got 5)"),
                          ({"seed": float("nan")}, "seed: expected a finite number (got NaN)"),
                          ({"format": "fbndsl-search/9"}, 'format: expected "fbndsl-search/1" (got "fbndsl-search/9")'),
                          ({"evaluated": [{**searched["evaluated"][0], "macs": 2**64}]},
                           "evaluated[0].macs: expected an integer from 0 to 9223372036854775807 "
                           "(got 18446744073709551616)")]:
        path.write_text(json.dumps(searched | edit), encoding="utf-8")
        with pytest.raises(UserError) as err:
            results.read(path)
        assert str(err.value) == f"{path}: {message}"
    path.write_text(json.dumps({k: v for k, v in searched.items() if k != "seed"}), encoding="utf-8")
    with pytest.raises(UserError, match=r"results.json: seed: expected an integer \(missing\)$"):
        results.read(path)
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(UserError, match="nested too deeply"):
        results.read(path)


def test_a_long_value_is_clipped(searched, tmp_path):
    path = tmp_path / "results.json"
    path.write_text(json.dumps(searched | {"space": "x" * 10_000}), encoding="utf-8")
    with pytest.raises(UserError) as err:
        results.read(path)
    assert str(err.value) == f'{path}: space: expected an object (got "{"x" * 56}...)'


# -- config.json -----------------------------------------------------------------------------------------------

def test_a_hostile_config_json_loads_or_is_one_line(space, tmp_path_factory):
    run = RunDir(tmp_path_factory.mktemp("run"))
    base = config_document(space)
    run.config.write_text(json.dumps(base), encoding="utf-8")
    assert read_config(run)[1] == TrainConfig(mode="bn-only", epochs=1, steps=3, quiet=True)

    @CASES
    @given(edited(base))
    def case(doc):
        check_reading(run.config, doc, lambda _: read_config(run))

    case()


def test_config_json_errors_name_the_field(space, tmp_path):
    run = RunDir(tmp_path)
    base = config_document(space)
    for edit, message in [({"config": 5}, "config: expected an object (got 5)"),
                          ({"config": {**base["config"], "epochs": "3"}},
                           'config.epochs: expected an integer (got "3")'),
                          ({"config": {**base["config"], "epochs": 0}}, "--epochs 0: must be at least 1; train again"),
                          ({"space": {**base["space"], "sha256": 7}}, "space.sha256: expected a string (got 7)")]:
        run.config.write_text(json.dumps(base | edit), encoding="utf-8")
        with pytest.raises(UserError) as err:
            read_config(run)
        assert str(err.value) == f"{run.config}: {message}"


# -- arch.json -------------------------------------------------------------------------------------------------

def test_a_hostile_arch_json_loads_or_is_one_line(space, tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "arch.json"
    base = arch_document(space)
    path.write_text(json.dumps(base), encoding="utf-8")
    assert read_arch_record(path) == base

    @CASES
    @given(edited(base))
    def case(doc):
        check_reading(path, doc, read_arch_record)

    case()


def test_an_exported_arch_json_reads_back(tmp_path):
    from click.testing import CliRunner

    from fbndsl.cli import main

    result = CliRunner().invoke(main, ["export", "--space", "nb201", "--set", "C=4", "--set", "N=1", "--arch",
                                       "|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|+|none~0|none~1|avg_pool_3x3~2|",
                                       "--no-onnx", "--out", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    record = read_arch_record(tmp_path / "arch.json")
    assert record["format"] == "fbndsl-export/1" and record["onnx"] is None


# -- the schemas themselves -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["RESULTS", "RESULTS_TOP", "TRAIN_CONFIG", "ARCH_RECORD", "CHECKPOINT_META",
                                  "ARCHS_LINE", "ARCH_JSON"])
def test_the_schemas_are_valid_draft_2020_12(name):
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(getattr(schemas, name))


def test_what_fbndsl_writes_passes_its_schema(searched, space):
    assert list(schemas.violations(searched, schemas.RESULTS)) == []
    assert list(schemas.violations(searched, schemas.RESULTS_TOP)) == []
    assert list(schemas.violations(config_document(space), schemas.TRAIN_CONFIG)) == []


# -- through the command line: `fbndsl search --resume` ----------------------------------------------------------

SEARCH = ["search", "--space", "nb201", "--set", "C=4", "--set", "N=1", "--flops", "2M", "--evals", "4", "--top",
          "3", "--indicator", "params", "--strategy", "random", "--device", "cpu", "--quiet"]


@pytest.fixture(scope="module")
def searched_out(tmp_path_factory):
    from click.testing import CliRunner

    from fbndsl.cli import main

    out = tmp_path_factory.mktemp("cli") / "run"
    result = CliRunner().invoke(main, [*SEARCH, "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("edit, message", [
    ({"evaluated": 5}, "evaluated: expected an array (got 5)"),
    ({"settings": 7}, "settings: expected an object (got 7)"),
    ({"space": "x"}, 'space: expected an object (got "x")'),
    ({"evaluated": [{"arch": 5}]}, "evaluated[0].arch: expected a string (got 5)")])
def test_a_hand_edited_results_json_is_one_line_on_resume(searched_out, edit, message):
    from click.testing import CliRunner

    from fbndsl.cli import main

    path = searched_out / "results.json"
    original = path.read_bytes()
    try:
        path.write_text(json.dumps(json.loads(original) | edit), encoding="utf-8")
        edited_bytes = path.read_bytes()
        started = time.monotonic()
        loud = [a for a in SEARCH if a != "--quiet"]  # the refusal comes first: before "loading digits"
        result = CliRunner().invoke(main, [*loud, "--out", str(searched_out), "--resume"], catch_exceptions=False)
        assert time.monotonic() - started < 5
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.output.strip() == f"error: {path}: {message}"
        assert path.read_bytes() == edited_bytes
    finally:
        path.write_bytes(original)


# -- a checkpoint's metadata, the truth CSV, an --archs file ----------------------------------------------------

def test_a_checkpoint_with_wrong_fields_is_one_line(tmp_path):
    import random

    import torch

    from fbndsl.train import checkpoint

    net = torch.nn.Linear(2, 2)
    path = tmp_path / "checkpoint.pt"
    checkpoint.save(path, supernet=net, optimizer=torch.optim.SGD(net.parameters(), lr=0.1), step=3,
                    steps_per_epoch=2, sampler_rng=random.Random(0), elapsed=1.0,
                    run_id={"settings": {}, "space_sha256": "0" * 64, "space_params": {}})
    state = checkpoint.load(path, torch.device("cpu"))
    for edit, message in [({"step": "3"}, 'step: expected an integer (got "3")'),
                          ({"elapsed": float("nan")}, "elapsed: expected a finite number (got NaN)"),
                          ({"python_rng": [3, [1, 2], None]}, "python_rng[1]: expected 624 words"),
                          ({"run": {"settings": torch.ones(2)}}, "run.settings: expected a JSON value"),
                          ({"torch_rng": torch.ones(3)}, "torch_rng: expected a uint8 tensor"),
                          ({"model": {"weight": 5}}, "model: expected a dict of named tensors")]:
        torch.save(state | edit, path)
        before = path.read_bytes()
        with pytest.raises(UserError) as err:
            checkpoint.load(path, torch.device("cpu"))
        assert str(err.value).startswith(f"{path}: {message}") and "\n" not in str(err.value)
        assert path.read_bytes() == before


def test_a_truth_row_without_its_architecture_names_the_line(tmp_path):
    from fbndsl.bench.truth import Truth

    path = tmp_path / "t.csv"
    path.write_text("arch_str,cifar10_test_acc\n|none~0|,1.0\n,2.0\n", encoding="utf-8")
    with pytest.raises(UserError) as err:
        Truth.from_csv(path)
    assert str(err.value) == f"{path}:3: arch_str: expected an architecture string (got \"\")"


def test_an_archs_line_of_deep_json_is_one_line(tmp_path):
    from click.testing import CliRunner

    from fbndsl.cli import main

    path = tmp_path / "archs.txt"
    path.write_text('{"a":' * 15_000 + "1" + "}" * 15_000 + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", "nb201", "--archs", str(path)], catch_exceptions=False)
    assert result.exit_code == 1 and result.output.strip() == f"error: {path}:1: {schemas.TOO_DEEP}"


# -- each limit at its value and just past it (docs/files.md) ----------------------------------------------------
def _nested(depth: int) -> str:
    return "[" * (depth - 1) + "{}" + "]" * (depth - 1)  # `depth` levels of arrays and objects


def test_json_nests_up_to_the_limit_and_not_one_level_more():
    from fbndsl import schemas

    assert schemas.loads(_nested(schemas.MAX_DEPTH), "f.json") is not None
    with pytest.raises(UserError, match=r"^f\.json: .*nested too deeply"):
        schemas.loads(_nested(schemas.MAX_DEPTH + 1), "f.json")


def test_an_architecture_text_up_to_the_limit_and_not_one_character_more():
    from fbndsl import schemas

    schemas.check("a" * schemas.MAX_ARCH_TEXT, schemas.ARCHS_LINE, "line 1")
    with pytest.raises(UserError, match=r"^line 1: expected an architecture of at most 100000 characters"):
        schemas.check("a" * (schemas.MAX_ARCH_TEXT + 1), schemas.ARCHS_LINE, "line 1")


def test_a_count_up_to_64_bits_and_not_one_more():
    from fbndsl import schemas

    schemas.check(schemas.MAX_INDEX, schemas.count(), "n")
    with pytest.raises(UserError, match=r"^n: expected "):
        schemas.check(schemas.MAX_INDEX + 1, schemas.count(), "n")
