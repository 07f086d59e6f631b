"""results.json: written as the search goes, read back by --resume, which continues an interrupted search
without evaluating anything again and ends exactly where an uninterrupted search ends."""
from __future__ import annotations

import json
import zlib

import pytest

import fbndsl
from fbndsl import UserError
from fbndsl.indicators.kinds import Indicator
from fbndsl.search.budget import Budget
from fbndsl.search.driver import search


@pytest.fixture(scope="module")
def space():
    return fbndsl.compile("nb201", C=4, N=1)


class Interrupt(Exception):
    pass


def counting(limit=None):
    """A synthetic evaluator, a function of the architecture as `measure` is, that counts its calls (and is
    interrupted after `limit` of them). Some architectures' uncertainty is NaN, as a failed measurement's, and
    some infinite, as that of a network that ignores its input."""
    calls = []

    def score(arch):
        if limit is not None and len(calls) == limit:
            raise Interrupt
        calls.append(arch)
        h = zlib.crc32(arch.text().encode())
        return {Indicator.TRAINABILITY: float(h % 7),
                Indicator.UNCERTAINTY: float("nan") if h % 5 == 0 else float("inf") if h % 3 == 0 else h % 101 / 101,
                Indicator.REGIONS: h % 997 / 997}

    return score, calls


SETTINGS = dict(indicator="cpi", strategy="evolution", budget=Budget.parse(flops="2M"), evals=30, top=5, seed=4)


def test_results_json_records_the_search(space, tmp_path):
    score, calls = counting()
    result = search(space, evaluate=score, out_dir=tmp_path, **SETTINGS)
    record = json.loads((tmp_path / "results.json").read_text())
    assert record["format"] == "fbndsl-search/1" and record["done"] is True and record["seconds"] >= 0
    assert record["space"] == {"file": str(space.file), "name": "nb201", "sha256": space.source_sha256,
                               "sets": {"C": "4", "N": "1", "classes": "10", "resolution": "32"}}
    assert record["compiler_version"] == fbndsl.__version__ and record["seed"] == 4
    assert (record["indicator"], record["strategy"], record["supernet"]) == ("cpi", "evolution", None)
    assert "pick" not in record["settings"]  # a search listed by its own ranking records none (as before --pick)
    assert record["budget"] == {"macs": 2_000_000, "params": None, "at_resolution": 32}
    assert len(record["evaluated"]) == len(calls) == 30
    first = record["evaluated"][0]
    assert first["arch"] == result.evaluated[0].arch.text() and set(first) == {"arch", "macs", "params", "indicators"}
    assert set(first["indicators"]) == {"trainability", "uncertainty", "regions"}
    assert any(e["indicators"]["uncertainty"] is None for e in record["evaluated"])  # NaN is written as null
    top = record["top"]
    assert [t["rank"] for t in top] == [1, 2, 3, 4, 5] and top[0]["arch"] == result.best.entry.arch.text()
    assert set(top[0]["ranks"]) == {"trainability", "uncertainty", "regions", "cpi"}
    assert (tmp_path / "search.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_an_interrupted_search_resumes_without_evaluating_again(space, tmp_path):
    whole, _ = counting()
    reference = search(space, evaluate=whole, out_dir=tmp_path / "whole", **SETTINGS)

    first, first_calls = counting(limit=17)
    with pytest.raises(Interrupt):
        search(space, evaluate=first, out_dir=tmp_path / "cut", **SETTINGS)
    record = json.loads((tmp_path / "cut" / "results.json").read_text())
    written = len(record["evaluated"])
    assert record["done"] is False and written == 17  # an interruption writes what was evaluated before it

    second, second_calls = counting()
    resumed = search(space, evaluate=second, out_dir=tmp_path / "cut", resume=True, **SETTINGS)
    assert resumed.measured == len(second_calls) == 30 - written
    assert not {a for a in second_calls} & {fbndsl.Arch.of(dict(_pairs(e["arch"]))) for e in record["evaluated"]}
    assert [e.arch for e in resumed.evaluated] == [e.arch for e in reference.evaluated]
    final = json.loads((tmp_path / "cut" / "results.json").read_text())
    expected = json.loads((tmp_path / "whole" / "results.json").read_text())
    assert final["evaluated"] == expected["evaluated"] and final["top"] == expected["top"] and final["done"]


def _pairs(text):
    return (kv.split("=") for kv in text.split(","))


def test_resuming_a_truncated_record_evaluates_only_the_rest(space, tmp_path):
    score, calls = counting()
    reference = search(space, evaluate=score, out_dir=tmp_path, **SETTINGS)
    path = tmp_path / "results.json"
    record = json.loads(path.read_text())
    record["evaluated"], record["top"], record["done"] = record["evaluated"][:12], [], False
    path.write_text(json.dumps(record))
    again, again_calls = counting()
    resumed = search(space, evaluate=again, out_dir=tmp_path, resume=True, **SETTINGS)
    assert len(again_calls) == 18 and resumed.measured == 18
    assert [r.entry.arch for r in resumed.top] == [r.entry.arch for r in reference.top]
    finished, finished_calls = counting()
    search(space, evaluate=finished, out_dir=tmp_path, resume=True, **SETTINGS)  # a finished search: nothing to do
    assert finished_calls == []


@pytest.mark.parametrize("change, message", [
    (dict(seed=5), "written with --seed 4, not 5"),
    (dict(indicator="naswot"), "written with --indicator cpi, not naswot"),
    (dict(strategy="random"), "written with --strategy evolution, not random"),
    (dict(budget=Budget.parse(flops="3M")), "written with --flops/--params macs=2000000, params=(none)"),
    (dict(evals=31), "written with --evals 30, not 31"),
    (dict(pick="trainability"), "was listed by its --indicator, not --pick trainability; pass --pick 'cpi'")])
def test_resume_refuses_other_settings(space, tmp_path, change, message):
    score, _ = counting()
    search(space, evaluate=score, out_dir=tmp_path, **SETTINGS)
    with pytest.raises(UserError, match="--resume: .*" + message.replace("(", r"\(").replace(")", r"\)")):
        search(space, evaluate=score, out_dir=tmp_path, resume=True, **(SETTINGS | change))


def test_resume_refuses_another_space_and_a_new_search_an_old_directory(space, tmp_path):
    score, _ = counting()
    search(space, evaluate=score, out_dir=tmp_path, **SETTINGS)
    with pytest.raises(UserError, match="already holds a search"):
        search(space, evaluate=score, out_dir=tmp_path, **SETTINGS)
    with pytest.raises(UserError, match=r"--resume: .* was searched with --set C=4, N=1, classes=10, resolution=32, "
                                        r"not C=4, N=1, classes=12, resolution=32"):
        search(fbndsl.compile("nb201", C=4, N=1, classes=12), evaluate=score, out_dir=tmp_path, resume=True, **SETTINGS)
