"""The strict YAML reader: positions, and every kind of bad input refused with a location."""

from __future__ import annotations

import resource
import time

import pytest

from auditor.model.errors import ManifestError, ErrorList
from auditor.manifest.yaml_source import MAX_DEPTH, MAX_INTEGER_DIGITS, load_yaml_file, parse_yaml


def error_of(text: str) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse_yaml(text, "m.yaml")
    return caught.value


def test_positions_are_recorded_for_every_node():
    doc = parse_yaml("app:\n  name: X\nscopes:\n  - scope: openid\n  - {scope: email}\n", "m.yaml")
    assert doc.locate("/app") == (2, 3)
    assert doc.locate("/app/name") == (2, 9)
    assert doc.locate("/scopes/0/scope") == (4, 12)
    assert doc.locate("/scopes/1") == (5, 5)
    assert doc.locate("/scopes/1/scope") == (5, 13)
    assert doc.locate_key("/scopes/1/scope") == (5, 6)
    # a pointer below a recorded node falls back to its nearest ancestor
    assert doc.locate("/app/name/missing") == (2, 9)


def test_pointer_tokens_are_escaped():
    doc = parse_yaml("'a/b': {'c~d': 1}\n", "m.yaml")
    assert doc.data == {"a/b": {"c~d": 1}}
    assert doc.locate("/a~1b/c~0d") == (1, 16)


def test_dates_stay_strings_and_scalars_resolve():
    doc = parse_yaml("d: 2026-05-01\nb: true\nn: 3\nf: 1.5\nz: ~\ns: '1'\n", "m.yaml")
    assert doc.data == {"d": "2026-05-01", "b": True, "n": 3, "f": 1.5, "z": None, "s": "1"}


def test_duplicate_keys_are_errors_with_both_lines():
    with pytest.raises(ErrorList) as caught:
        parse_yaml("app:\n  name: A\n  name: B\nx: 1\nx: 2\n", "m.yaml")
    messages = [str(error) for error in caught.value.errors]
    assert messages == [
        "m.yaml:3:3: error: duplicate key 'name' (first defined at line 2)",
        "m.yaml:5:1: error: duplicate key 'x' (first defined at line 4)",
    ]


def test_syntax_error_has_line_and_column():
    error = error_of("app:\n  name: [unclosed\nscopes: 1\n")
    assert error.path == "m.yaml"
    assert error.line == 3 and error.column == 7
    assert str(error).startswith("m.yaml:3:7: error: invalid YAML:")


def test_tab_indentation_is_a_located_syntax_error():
    error = error_of("app:\n\tname: x\n")
    assert (error.line, error.column) == (2, 1)


def test_non_string_key_is_refused():
    with pytest.raises(ErrorList) as caught:
        parse_yaml("app:\n  1: x\n", "m.yaml")
    assert str(caught.value) == "m.yaml:2:3: error: a mapping key must be a string; 1 reads as int (hint: quote it: \"1\")"


def test_python_tags_are_refused():
    error = error_of("a: !!python/object/apply:os.system ['true']\n")
    assert (error.line, error.column) == (1, 4)
    assert "unsupported YAML tag" in error.message


def test_second_document_is_refused_not_dropped():
    error = error_of("a: 1\n---\nb: 2\n")
    assert (error.line, error.column) == (2, 1)
    assert "second one" in error.message


def test_comment_only_file_holds_no_document():
    error = error_of("# nothing here\n")
    assert (error.line, error.column) == (1, 1)
    assert "no YAML document" in error.message


def test_recursive_alias_is_refused():
    error = error_of("a: &loop\n  - *loop\n")
    assert (error.line, error.column) == (2, 5)
    assert "recursive alias" in error.message


def test_undefined_alias_is_refused():
    error = error_of("a: *nowhere\n")
    assert (error.line, error.column) == (1, 4)


def test_aliases_and_merge_keys_work_within_bounds():
    doc = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\ncopy: *b\n", "m.yaml")
    assert doc.data["other"] == {"x": 1, "y": 3}
    assert doc.data["copy"] == {"x": 1, "y": 2}


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [
        f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]"
        for previous, name in zip("abcdefgh", "bcdefghi")
    ]
) + "\n"


def test_alias_bomb_is_refused_fast_with_bounded_memory():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    error = error_of(BILLION_LAUGHS)
    elapsed = time.perf_counter() - started
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert "alias bomb" in error.message
    assert error.line == 6  # where the expansion passes the bound
    assert elapsed < 1.0
    assert grown_kib < 50 * 1024


def test_deep_nesting_is_refused_fast():
    started = time.perf_counter()
    error = error_of("[" * 100_000 + "]" * 100_000)
    assert time.perf_counter() - started < 1.0
    assert f"deeper than {MAX_DEPTH}" in error.message
    assert (error.line, error.column) == (1, MAX_DEPTH + 1)


def test_oversized_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: " + b"x" * (6 * 1024 * 1024) + b"\n")
    started = time.perf_counter()
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(path)
    assert time.perf_counter() - started < 1.0
    assert str(caught.value).startswith(f"{path}:1:1: error: the file is larger than the 5 MiB limit")


def test_size_limit_is_configurable(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    with pytest.raises(ManifestError, match="1 KiB limit"):
        load_yaml_file(path, max_bytes=1024)
    assert load_yaml_file(path, max_bytes=4096).data["a"] == "x" * 2000


def test_binary_content_is_refused_with_position(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes(b"a: 1\nb: \x00\x01\x02")
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(path)
    assert (caught.value.line, caught.value.column) == (2, 4)
    assert "binary content" in caught.value.message


def test_non_utf8_is_refused_with_position(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes("app:\n  name: Caf".encode() + b"\xe9\n")
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(path)
    assert (caught.value.line, caught.value.column) == (2, 12)
    assert "not valid UTF-8" in caught.value.message


def test_control_character_is_refused_with_position():
    error = error_of("a: ok\nb: \x07\n")
    assert (error.line, error.column) == (2, 4)


@pytest.mark.parametrize("content", [b"", b"   \n\n", "\ufeff".encode()])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "m.yaml"
    path.write_bytes(content)
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(path)
    assert str(caught.value) == f"{path}:1:1: error: the file is empty"


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_bytes("\ufeffa: é\n".encode())
    assert load_yaml_file(path).data == {"a": "é"}


@pytest.mark.parametrize("scalar", ['!!int ""', "!!int 0x", "!!float abc", "!!bool maybe", "!!null abc"])
def test_tagged_scalar_that_cannot_be_built_is_a_located_error(scalar):
    error = error_of(f"ok: 1\nx: {scalar}\n")
    assert (error.path, error.line, error.column) == ("m.yaml", 2, 4)


@pytest.mark.parametrize("number", ["1" * 5000, "-" + "9" * 4301, "0x" + "f" * 4000, "1" + ":30" * 2000])
def test_integer_beyond_the_digit_limit_is_a_located_error(number):
    started = time.perf_counter()
    error = error_of(f"ok: 1\nx: {number}\n")
    assert time.perf_counter() - started < 1.0
    assert (error.line, error.column) == (2, 4)
    assert str(MAX_INTEGER_DIGITS) in error.message


def test_integer_within_the_digit_limit_is_read():
    assert parse_yaml(f"x: {'7' * MAX_INTEGER_DIGITS}\n", "m.yaml").data["x"] == int("7" * MAX_INTEGER_DIGITS)


def test_explicit_tags_that_build_still_work():
    doc = parse_yaml("a: !!float 1\nb: !!int '12'\nc: !!bool yes\nd: !!null ''\ne: !!str 1\n", "m.yaml")
    assert doc.data == {"a": 1.0, "b": 12, "c": True, "d": None, "e": "1"}


def test_deep_block_nesting_is_refused_at_our_limit():
    text = "".join(" " * (2 * depth) + "- \n" for depth in range(MAX_DEPTH + 5))
    error = error_of("a:\n" + text)
    assert f"deeper than {MAX_DEPTH}" in error.message
    assert error.line is not None and error.line <= MAX_DEPTH + 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_wide_unicode_encodings_are_named(tmp_path, encoding):
    path = tmp_path / "m.yaml"
    path.write_bytes("app:\n  name: X\n".encode(encoding))
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(path)
    assert (caught.value.line, caught.value.column) == (1, 1)
    assert encoding[:6].upper() in caught.value.message


def _open_fifo_writer_later(path):
    """Unblocks an open() for reading of ``path`` after a while, so a loader that wrongly
    opens the FIFO makes the test fail instead of hanging it."""
    import os
    import threading

    def release() -> None:
        time.sleep(3)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:
            return
        os.close(descriptor)

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    return thread


def test_fifo_is_refused_without_being_opened(tmp_path):
    import os

    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    _open_fifo_writer_later(fifo)
    started = time.perf_counter()
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(fifo)
    assert time.perf_counter() - started < 1.0
    assert caught.value.path == str(fifo)
    assert "not a regular file" in caught.value.message


def test_character_device_is_refused():
    import os

    with pytest.raises(ManifestError) as caught:
        load_yaml_file(os.devnull)
    assert "not a regular file" in caught.value.message
