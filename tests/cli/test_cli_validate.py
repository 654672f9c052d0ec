"""``wsaudit validate`` and ``wsaudit schema`` as a user runs them: real process, real exit codes."""

from __future__ import annotations

import json

import pytest

from tests.helpers import CHARACTER_DEVICE, EXAMPLES, MINIMAL, run_wsaudit, work_done

BAD_INPUTS = {
    "syntax": ("app:\n  name: [open\nscopes: 1\n", 3, 7, "invalid YAML"),
    "duplicate": (MINIMAL + "scopes: []\n", 8, 1, "duplicate key 'scopes' (first defined at line 6)"),
    "unknown": (MINIMAL + "    scpoe: x\n", 8, 5, "unknown key 'scpoe' in scopes[0] (did you mean 'scope'?)"),
    "type": (MINIMAL.replace("name: Tiny", "name: [Tiny]"), 3, 9, "app.name must be a string, found a list"),
    "alias_bomb": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefg", "bcdefgh")),
        5, 36, "alias bomb",
    ),
    "binary": (b"manifest_version: 1\n\x00\x01\x02\xff", 2, 1, "binary content"),
    "latin1": ("manifest_version: 1\napp:\n  name: Caf\xe9\n".encode("latin-1"), 3, 12, "not valid UTF-8"),
    "empty": ("", 1, 1, "the file is empty"),
    "not_mapping": ("- manifest_version: 1\n", 1, 1, "the top level of a manifest must be a mapping"),
    "version": (MINIMAL.replace("manifest_version: 1", "manifest_version: 2"), 1, 19, "unsupported manifest_version 2"),
    "reference": (MINIMAL + "storage:\n  - {id: s, data: [ghost], location: own_systems}\n", 9, 20,
                  "storage[0].data[0] names data element 'ghost'"),
    "tag_int": (MINIMAL + 'x-count: !!int ""\n', 8, 10, "cannot be read as !!int"),
    "tag_float": (MINIMAL + "x-ratio: !!float abc\n", 8, 10, "cannot be read as !!float"),
    "tag_bool": (MINIMAL + "x-flag: !!bool maybe\n", 8, 9, "cannot be read as !!bool"),
    "long_integer": (MINIMAL + "x-big: " + "1" * 5000 + "\n", 8, 8, "4300 digits"),
    "deep": ("a: " + "[" * 100_000 + "]" * 100_000 + "\n", 1, 68, "nesting deeper than 64 levels"),
    "utf16": (MINIMAL.encode("utf-16"), 1, 1, "UTF-16"),
    "too_long": (MINIMAL.replace("name: Tiny", "name: " + "n" * 201), 3, 9,
                 "app.name is too long: 201 characters, at most 200"),
    "duplicate_feature": (MINIMAL + "    features: [search, export, search]\n", 8, 32,
                          "scopes[0].features lists the same value more than once: scopes[0].features[2] repeats "
                          "scopes[0].features[0]"),
    "trailing_newline_id": (MINIMAL + 'storage:\n  - {id: "s\\n", data: [d], location: own_systems}\n', 9, 10,
                            "storage[0].id: 's\\n' is not valid here"),
}


@pytest.mark.parametrize("kind", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_located_message_and_no_traceback(write, kind):
    content, line, column, fragment = BAD_INPUTS[kind]
    path = write(f"{kind}.yaml", content)
    result = run_wsaudit("validate", str(path))
    assert result.code == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{column}: error: "), first
    assert fragment in first
    assert "Traceback" not in result.stderr + result.stdout


def test_huge_file_exits_2(write):
    path = write("huge.yaml", b"a: " + b"y" * (6 * 1024 * 1024))
    result = run_wsaudit("validate", str(path))
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{path}:1:1: error: the file is larger than the 5 MiB limit")
    outcome = run_wsaudit("validate", "--max-size", "7MiB", str(path))
    assert outcome.code == 2, outcome.stderr  # valid size, invalid manifest
    assert "larger than" not in run_wsaudit("validate", "--max-size", "7MiB", str(path)).stderr


def test_every_error_of_every_file_is_printed(write):
    first = write("one.yaml", MINIMAL + "bogus: 1\nother: 2\n")
    second = write("two.yaml", "- nope\n")
    good = write("three.yaml", MINIMAL)
    result = run_wsaudit("validate", str(first), str(second), str(good))
    assert result.code == 2, result.stderr
    lines = result.stderr.splitlines()
    assert [line.split(": error: ")[0] for line in lines[:-1]] == [f"{first}:8:1", f"{first}:9:1", f"{second}:1:1"]
    assert lines[-1] == "2 of 3 manifest(s) invalid, 3 error(s)"
    assert f"{good}: valid" in result.stdout


def test_validate_json_format(write):
    bad = write("bad.yaml", MINIMAL + "bogus: 1\n")
    result = run_wsaudit("validate", "--format", "json", str(bad), str(write("good.yaml", MINIMAL)))
    assert result.code == 2, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert [(m["path"].rsplit("/", 1)[1], m["valid"]) for m in report["manifests"]] == [("bad.yaml", False), ("good.yaml", True)]
    assert report["manifests"][0]["errors"][0]["line"] == 8


def test_validate_reads_stdin():
    result = run_wsaudit("validate", "-", stdin=(MINIMAL + "bogus: 1\n").encode())
    assert result.code == 2, result.stderr
    assert result.stderr.startswith("<stdin>:8:1: error: unknown key 'bogus'")


def test_missing_path_and_empty_folder_exit_2(tmp_path):
    result = run_wsaudit("validate", str(tmp_path / "nope.yaml"))
    assert (result.code, result.stderr.strip()) == (2, f"{tmp_path / 'nope.yaml'}: error: no such file or folder")
    outcome = run_wsaudit("validate", str(tmp_path))
    assert outcome.code == 2, outcome.stderr


def test_shipped_examples_validate():
    result = run_wsaudit("validate", "examples/manifests")
    assert result.code == 0, result.stderr
    assert len(list(EXAMPLES.glob("*.yaml"))) >= 6
    assert result.stdout.strip().endswith(f"all {len(list(EXAMPLES.glob('*.yaml')))} manifest(s) valid")


def test_examples_point_editors_at_the_schema():
    for path in sorted(EXAMPLES.glob("*.yaml")):
        first = path.read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../auditor/schemas/manifest-v1.schema.json", path
        assert (path.parent / first.split("=", 1)[1]).resolve().is_file()


def test_schema_command_prints_the_schema(tmp_path):
    result = run_wsaudit("schema")
    assert result.code == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema["title"].startswith("Workspace Auditor app manifest")
    out = tmp_path / "s.json"
    outcome = run_wsaudit("schema", "-o", str(out))
    assert outcome.code == 0, outcome.stderr
    assert out.read_text() == result.stdout


def test_usage_errors_exit_2():
    result = run_wsaudit("validate")
    assert result.code == 2, result.stderr
    result = run_wsaudit("validate", "--max-size", "lots", "x.yaml")
    assert result.code == 2, result.stderr
    result = run_wsaudit("no-such-command")
    assert result.code == 2, result.stderr


def test_one_bad_file_in_a_folder_does_not_stop_the_others(tmp_path):
    import os

    folder = tmp_path / "manifests"
    folder.mkdir()
    os.mkfifo(folder / "a-pipe.yaml")
    (folder / "b-tag.yaml").write_text(MINIMAL + 'x-n: !!int ""\n')
    (folder / "c-good.yaml").write_text(MINIMAL)
    for command in (["validate"], ["audit", "--as-of", "2026-11-21"]):
        result = run_wsaudit(*command, str(folder))
        assert result.code == 2, result.stderr
        lines = result.stderr.splitlines()
        assert lines[0] == f"{folder}/a-pipe.yaml: error: is a named pipe (FIFO), not a regular file"
        assert lines[1].startswith(f"{folder}/b-tag.yaml:8:6: error: ")
        assert "Traceback" not in result.stderr
    assert f"{folder}/c-good.yaml: valid" in run_wsaudit("validate", str(folder)).stdout


def test_character_device_is_refused_and_stdin_still_works():
    result = run_wsaudit("validate", CHARACTER_DEVICE)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{CHARACTER_DEVICE}: error: ") and "not a regular file" in result.stderr
    piped = run_wsaudit("validate", "-", stdin=MINIMAL.encode())
    assert piped.code == 0, piped.stderr


def _big_manifest(tmp_path, features: int = 0, ids: int = 0):
    lines = [MINIMAL.rstrip("\n")]
    if features:
        lines.append("    features:")
        lines += [f"      - feature number {index}" for index in range(features)]
    if ids:
        lines[0] = lines[0].replace("  type: web", "  type: web\n  oauth_client_ids:\n" + "".join(
            f"    - '{100000 + index}'\n" for index in range(ids)).rstrip("\n"))
        lines.append("data:")
        lines += [f"  - {{id: d{index}, description: x, source_scopes: [openid], purposes: [user_facing_feature]}}"
                  for index in range(ids)]
        lines += ["storage:", "  - id: everything", "    location: own_systems", "    data:"]
        lines += [f"      - d{index}" for index in range(ids)]
    path = tmp_path / "big.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def validation_work(path) -> tuple[int, int]:
    """The work of validating the manifest at ``path`` as ``wsaudit validate`` does, counted
    in this process, and the number of errors found."""
    from auditor.manifest.load import load_manifest
    from auditor.model.errors import AuditorError, errors_in
    from auditor.rules import patterns

    found: list[int] = []
    # Pattern answers are remembered across calls: without a clean memo, a run would be
    # cheaper by however much the tests before it (or the other size) left behind.
    patterns._ANSWERS.clear()

    def validate() -> None:
        try:
            load_manifest(str(path))
        except AuditorError as error:
            found.append(len(list(errors_in(error))))

    return work_done(validate), sum(found)


def _work_for_sizes(tmp_path, make, sizes=(1_000, 2_000)) -> tuple[int, int]:
    """The validation work for a manifest made at each of two sizes, checking that each
    has the errors expected of it (``make`` returns the path and that count)."""
    work = []
    for size in sizes:
        folder = tmp_path / str(size)
        folder.mkdir()
        path, expected_errors = make(folder, size)
        done, errors = validation_work(path)
        assert errors == expected_errors, (size, errors)
        work.append(done)
    return work[0], work[1]


def test_100000_features_validate(tmp_path):
    result = run_wsaudit("validate", str(_big_manifest(tmp_path, features=100_000)))
    assert result.code == 0, result.stderr


def test_validation_work_grows_linearly_with_a_feature_list(tmp_path):
    # Twice the items, about twice the work; a cost per pair of items would show as four times.
    small, large = _work_for_sizes(tmp_path, lambda folder, size: (_big_manifest(folder, features=size), 0),
                                   (10_000, 20_000))
    assert large < 2.5 * small, (small, large)


def test_validation_work_grows_linearly_with_id_lists_and_references(tmp_path):
    small, large = _work_for_sizes(tmp_path, lambda folder, size: (_big_manifest(folder, ids=size), 0))
    assert large < 2.5 * small, (small, large)


def _unresolved(folder, size: int):
    path = _big_manifest(folder, ids=size)
    path.write_text(path.read_text().replace("      - d", "      - missing-"))
    return path


def test_5000_unresolved_references_are_all_reported(tmp_path):
    result = run_wsaudit("validate", str(_unresolved(tmp_path, 5000)))
    assert result.code == 2, result.stderr
    assert result.stderr.splitlines()[-1] == "1 of 1 manifest(s) invalid, 5000 error(s)"


def test_reporting_unresolved_references_costs_linear_work(tmp_path):
    small, large = _work_for_sizes(tmp_path, lambda folder, size: (_unresolved(folder, size), size))
    assert large < 2.5 * small, (small, large)
