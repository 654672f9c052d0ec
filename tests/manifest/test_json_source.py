"""Strict JSON reading (baselines): every refusal located, and a valid file read at the
speed of the C parser rather than by a pass over its characters in Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.manifest.json_source import MAX_DEPTH, load_json_file
from auditor.model.errors import PolicyError

from tests.helpers import lines_run


def read(path: Path) -> object:
    return load_json_file(str(path), 10**8, PolicyError, "baseline")


def refusal(path: Path, text: str) -> PolicyError:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        read(path)
    return caught.value


def baseline_text(records: int, text_length: int) -> str:
    filler = "x" * text_length
    return json.dumps({"baseline_version": 1, "findings": [
        {"rule_id": "WUD-SC-001", "manifest": f"apps/{filler}-{index}.yaml", "pointer": f"/data/{index}/{filler}",
         "fingerprint": f"{index:032x}"} for index in range(records)]}, indent=2)


def test_a_valid_file_costs_python_work_per_container_not_per_character(tmp_path):
    short, long = tmp_path / "short.json", tmp_path / "long.json"
    short.write_text(baseline_text(200, 10), encoding="utf-8")
    long.write_text(baseline_text(200, 1_000), encoding="utf-8")
    assert long.stat().st_size > 10 * short.stat().st_size  # the same records, far more characters
    assert read(long) == json.loads(long.read_text(encoding="utf-8"))
    short_lines, long_lines = lines_run(lambda: read(short)), lines_run(lambda: read(long))
    assert long_lines <= short_lines * 1.05, (short_lines, long_lines)


def test_nesting_one_level_too_deep_is_refused_where_it_starts(tmp_path):
    text = '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1)
    error = refusal(tmp_path / "deep.json", text)
    assert (error.line, error.column) == (1, 6 * MAX_DEPTH + 1)
    assert f"nesting deeper than {MAX_DEPTH} levels" in error.message


def test_nesting_at_the_limit_is_read(tmp_path):
    path = tmp_path / "limit.json"
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    path.write_text(text, encoding="utf-8")
    assert read(path) == json.loads(text)


# A number, and the column of its run of digits (with the run's sign) that is too long.
LONG_RUNS = {"negative integer": ("-" + "9" * 4300, 2), "fraction": ("1." + "5" * 4301, 4),
             "exponent": ("2e-" + "7" * 4300, 4)}


@pytest.mark.parametrize("kind", sorted(LONG_RUNS))
def test_a_run_of_more_than_4300_digits_is_refused_at_the_run(tmp_path, kind):
    number, column = LONG_RUNS[kind]
    error = refusal(tmp_path / "number.json", "[" + number + "]")
    assert (error.line, error.column) == (1, column), error.message
    assert "4300 digits" in error.message


def test_a_long_number_made_of_short_runs_is_read(tmp_path):
    path = tmp_path / "float.json"
    path.write_text("[1." + "5" * 3000 + "e" + "1" * 2 + "]", encoding="utf-8")
    assert read(path) == [float("1." + "5" * 3000 + "e11")]


def test_a_syntax_error_is_reported_only_when_no_located_problem_comes_with_it(tmp_path):
    error = refusal(tmp_path / "both.json", '{"a": [1, 2}, "b": NaN}')
    assert "NaN is not a JSON number" in error.message and (error.line, error.column) == (1, 20)
