"""The strict YAML reader: positions, and every kind of bad input refused with a location."""

from __future__ import annotations

import resource
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.manifest.file_reading import read_bytes
from auditor.manifest.load import load_manifest, load_manifest_bytes
from auditor.model.errors import AuditorError, ManifestError, ErrorList
from auditor.manifest.yaml_source import MAX_DEPTH, MAX_INTEGER_DIGITS, NodeFinder, load_yaml_file, parse_yaml
from tests.helpers import CHARACTER_DEVICE, recorded_positions, work_done


def error_of(text: str) -> ManifestError:
    with pytest.raises(ManifestError) as caught:
        parse_yaml(text, "m.yaml")
    return caught.value


def refusing(load: Callable[[], object]) -> Callable[[], AuditorError]:
    """``load``, which must refuse its input, as an action whose work can be counted."""

    def attempt() -> AuditorError:
        try:
            load()
        except AuditorError as error:
            return error
        raise AssertionError("the input was accepted")

    return attempt


def refusal_work(text: str) -> int:
    """The work of refusing ``text`` as a manifest, counted through the public loader."""
    return work_done(refusing(lambda: load_manifest_bytes(text.encode("utf-8"), "m.yaml")))


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


def alias_bomb(levels: int) -> str:
    """Nine "lol"s, then ``levels - 1`` lists of nine aliases of the list before: 9**levels
    strings once expanded, from a text that grows with ``levels`` only."""
    names = [f"n{level}" for level in range(levels)]
    lines = [f'{names[0]}: &{names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]" for previous, name in zip(names, names[1:])]
    return "\n".join(lines) + "\n"


BILLION_LAUGHS = alias_bomb(9)


def test_alias_bomb_is_refused_with_bounded_memory():
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    error = error_of(BILLION_LAUGHS)
    grown_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert "alias bomb" in error.message
    assert error.line == 6  # where the expansion passes the bound
    assert grown_kib < 50 * 1024


def test_refusing_an_alias_bomb_costs_the_same_however_far_it_expands():
    # Twice the levels: twice the text, 9**9 times the expansion. The work may follow the text
    # (linear), never the expansion.
    small, large = refusal_work(alias_bomb(9)), refusal_work(alias_bomb(18))
    assert large < 2.5 * small, (small, large)


def test_deep_nesting_is_refused_at_the_limit():
    error = error_of("[" * 100_000 + "]" * 100_000)
    assert f"deeper than {MAX_DEPTH}" in error.message
    assert (error.line, error.column) == (1, MAX_DEPTH + 1)


def test_refusing_deep_nesting_costs_at_most_linear_work():
    small, large = (refusal_work("[" * count + "]" * count) for count in (100_000, 200_000))
    assert large < 2.5 * small, (small, large)


def test_oversized_file_is_refused_before_parsing(tmp_path):
    # Unclosed and with a NUL byte: a loader that read or parsed it would report those instead.
    path = tmp_path / "big.yaml"
    path.write_bytes(b"a: [\x00" + b"x" * (6 * 1024 * 1024) + b"\n")
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(path)
    assert str(caught.value).startswith(f"{path}:1:1: error: the file is larger than the 5 MiB limit")


def test_refusing_an_oversized_file_costs_the_same_whatever_its_size(tmp_path):
    work = []
    for mebibytes in (6, 12):
        path = tmp_path / f"big-{mebibytes}.yaml"
        path.write_bytes(b"a: " + b"x" * (mebibytes * 1024 * 1024) + b"\n")
        work.append(work_done(refusing(lambda path=path: load_manifest(str(path)))))
    small, large = work
    assert large < 1.5 * small, (small, large)


def test_size_limit_is_configurable(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    with pytest.raises(ManifestError, match="1 KiB limit"):
        load_yaml_file(path, max_bytes=1024)
    assert load_yaml_file(path, max_bytes=4096).data["a"] == "x" * 2000


def test_a_file_that_tells_no_size_is_read_to_its_end():
    # /proc files report a size of 0 and hold more: reading only the size told would read nothing.
    with open("/proc/self/cmdline", "rb") as handle:
        whole = handle.read()
    assert read_bytes("/proc/self/cmdline", 1 << 20, "cmdline") == whole


def test_a_file_that_tells_no_size_is_read_up_to_one_byte_past_the_limit():
    assert len(read_bytes("/proc/self/cmdline", 3, "cmdline")) == 4


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
    error = error_of(f"ok: 1\nx: {number}\n")
    assert (error.line, error.column) == (2, 4)
    assert str(MAX_INTEGER_DIGITS) in error.message


def test_refusing_a_long_integer_costs_at_most_linear_work():
    small, large = (refusal_work(f"ok: 1\nx: {'1' * digits}\n") for digits in (5_000, 10_000))
    assert large < 2.5 * small, (small, large)


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


class ReaderWatch:
    """Watches a FIFO for a reader from another thread. Opening a FIFO for writing without
    blocking succeeds only while someone has it open for reading, and that also releases the
    reader: a loader that wrongly opens the FIFO is seen, and does not hang the test."""

    def __init__(self, path) -> None:
        import threading

        self.path = path
        self.reader_seen = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        import os

        while not self._done.wait(0.01):
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                continue  # no reader yet
            self.reader_seen = True
            os.close(descriptor)
            return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def test_fifo_is_refused_without_being_opened(tmp_path):
    import os

    fifo = tmp_path / "m.yaml"
    os.mkfifo(fifo)
    watch = ReaderWatch(fifo)
    try:
        with pytest.raises(ManifestError) as caught:
            load_yaml_file(fifo)
    finally:
        watch.stop()
    assert watch.reader_seen is False
    assert caught.value.path == str(fifo)
    assert "not a regular file" in caught.value.message


def test_character_device_is_refused():
    with pytest.raises(ManifestError) as caught:
        load_yaml_file(CHARACTER_DEVICE)
    assert "not a regular file" in caught.value.message


# ---------------------------------------------------------------- the node-tree fast path


@pytest.mark.parametrize("text", [
    "a: &x foo\nb: *x\n",                     # an alias
    "base: &b {x: 1}\nother:\n  <<: *b\n",    # a merge key
    "a: !custom x\n",                         # a tag of no standard type
    "a: 1\na: 2\n",                           # a duplicate key
    "1: x\n",                                 # a key that is not a string
    "? [a]\n: x\n",                           # a key that is a list
    "a: 1\n---\nb: 2\n",                      # a second document
    "# only a comment\n",                     # no document
    "a: !!int ''\n",                          # a scalar that does not build
    "a: !!null x\n",
    f"a: {'1' * (MAX_INTEGER_DIGITS + 1)}\n",  # an integer past the digit limit
    "a: [unclosed\n",                         # a syntax error
    "a:\n" + "".join(" " * (2 * depth) + "- \n" for depth in range(MAX_DEPTH + 1)),
])
def test_node_tree_path_declines_what_only_the_strict_builder_handles(text):
    from auditor.manifest.yaml_nodes import build_from_nodes

    assert build_from_nodes(text) is None


def test_alias_keeps_the_position_of_the_alias_not_of_the_anchor():
    doc = parse_yaml("a: &x foo\nb: *x\n", "m.yaml")
    assert doc.data == {"a": "foo", "b": "foo"}
    assert doc.locate("/b") == (2, 4)


def test_anchors_without_aliases_and_ampersands_in_text_stay_on_the_fast_path():
    from auditor.manifest.yaml_nodes import build_from_nodes

    text = "a: &x {y: 1}\nurl: https://e.example/?a=1&b=2\n'<<': quoted\nn: !!int '12'\ns: ! 12\n"
    built = build_from_nodes(text)
    assert built is not None
    assert built[0] == {"a": {"y": 1}, "url": "https://e.example/?a=1&b=2", "<<": "quoted", "n": 12, "s": 12}


def test_positions_of_keys_and_values_are_found_through_escaped_tokens():
    doc = parse_yaml("'a/b':\n  - {'c~d': 1}\n'~2': x\n", "m.yaml")
    assert doc.locate("/a~1b/0/c~0d") == (2, 13)
    assert doc.locate_key("/a~1b/0/c~0d") == (2, 6)
    assert doc.locate("/~02") == (3, 7)
    assert doc.locate("/~2") == (1, 1)      # not the pointer of key "~2": the root
    assert doc.locate("/a~1b/00") == (2, 3)  # "00" is no list index: the list itself
    assert doc.locate("/a~1b/0/c~0d/deeper") == (2, 13)


# Fragments of block-mapping YAML, plain and tricky; each starts its own top-level key.
_FRAGMENTS = [
    "k{i}: plain text", "k{i}: 'quoted: #'", "k{i}: 12", "k{i}: -0x1F", "k{i}: 0o17", "k{i}: 010", "k{i}: 1_000",
    "k{i}: 1:30", "k{i}: 1.5e3", "k{i}: .inf", "k{i}: true", "k{i}: Off", "k{i}: ~", "k{i}:", "k{i}: null",
    "k{i}: 2026-05-01", "k{i}: !!str 1", "k{i}: !!float '2'", "k{i}: !!bool yes", "k{i}: !!null ''", "k{i}: ! 7",
    "k{i}: !!int ''", "k{i}: !!binary aGk=", "k{i}: !x y", "k{i}: &a{i} {{x: 1, 'y/z': [1, 2]}}",
    "k{i}: *a0", "k{i}:\n  <<: *a0\n  w: 1", "k{i}:\n  <<: [{{p: 1}}]", "'~k{i}': {{'a~b': 1}}",
    "k{i}:\n  - a\n  - [b, {{c: d}}]\n  - - e", "k0: duplicate", "{i}: number key", "? [k{i}]\n: complex key",
    "k{i}: |\n  literal\n  text", "k{i}: >-\n  folded\n  text", "k{i}: \"\\u00e9\\t\"", "k{i}: !!map {{a: 1}}",
    "k{i}: !!seq [1]", "k{i}: !!set {{a}}", "k{i}: [[[[[[1]]]]]]",
]


def _outcome(parse, text):
    try:
        document = parse(text, "m.yaml")
    except (ManifestError, ErrorList) as exc:
        return ("error", str(exc))
    return ("ok", repr(document.data), list(recorded_positions(document.root)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(range(len(_FRAGMENTS))), min_size=1, max_size=8))
def test_both_paths_give_the_same_data_positions_and_errors(choices):
    from auditor.manifest.yaml_events import parse_yaml_strictly

    text = "\n".join(_FRAGMENTS[choice].format(i=index) for index, choice in enumerate(choices)) + "\n"
    assert _outcome(parse_yaml, text) == _outcome(parse_yaml_strictly, text)


def _plain_manifest(items: int) -> str:
    lines = ["manifest_version: 1", "app:", "  name: Linear", "scopes:"]
    for index in range(items):
        lines += ["  - scope: drive.file", f"    justification: Item {index} of the list.",
                  f"    features: [feature-{index}, other]", "    requested: incremental"]
    return "\n".join(lines) + "\n"


# The head (mappings, keys, values); per item a mapping, 4 keys, 4 values, 2 items.
_PLAIN_MANIFEST_NODES = 9 + 200 * 11


@pytest.mark.parametrize("path", ["lines", "nodes"])
def test_plain_manifest_costs_a_few_calls_per_node(path):
    from auditor.manifest.yaml_lines import build_from_lines
    from auditor.manifest.yaml_nodes import build_from_nodes

    text = _plain_manifest(200)
    build = build_from_lines if path == "lines" else build_from_nodes
    assert build(text) is not None  # read by that path (and its module imported, which is not counted)
    calls = work_done(lambda: build(text))
    # The strict builder made about 11 calls per node, the node-tree path about 4 and the
    # line path about 5.6 (cheaper ones: a regular expression's match, a string's strip).
    assert calls < 6 * _PLAIN_MANIFEST_NODES, calls


def test_long_key_above_a_long_list_costs_linear_work_and_memory():
    import tracemalloc

    from tests.helpers import work_done

    def text(size: int) -> str:
        return "? " + "k" * size + "\n:\n" + "  - 0\n" * size

    small, large = (work_done(lambda: parse_yaml(text(size), "m.yaml")) for size in (2000, 4000))
    assert large < 2.3 * small, (small, large)
    tracemalloc.start()
    try:
        doc = parse_yaml(text(20_000), "m.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert doc.locate("/" + "k" * 20_000 + "/19999") == (20_002, 5)
    # A table keyed by pointer held the 20,000-character key once per item: 400 MB.
    assert peak < 40 * 1024 * 1024, peak


def test_plain_scalars_read_alike_when_their_values_are_remembered_within_a_bound():
    import yaml

    from auditor.manifest import yaml_nodes

    texts = [f"{index}" if index % 2 else f"n{index}" for index in range(5000)] + ["yes", "no", "null", "1.5", "0x1f"]
    text = "values:\n" + "".join(f"  - {item}\n" for item in texts)
    expected = yaml.safe_load(text)
    assert (parse_yaml(text, "first.yaml").data, parse_yaml(text, "again.yaml").data) == (expected, expected)
    assert len(yaml_nodes.PLAIN_VALUES) <= 4096


NEAREST_TEXT = "app:\n  name: x\n  a/b: {c: 1}\nlist:\n  - one\n  - two\nbase: &base\n  inner: {deep: 1}\ncopy: *base\n"


@pytest.mark.parametrize(("pointer", "expected"), [
    ("/app/name", ("/app/name", (2, 9))),
    ("/app/missing/field", ("/app", (2, 3))),
    ("/app/a~1b/c", ("/app/a~1b/c", (3, 12))),
    ("/list/1", ("/list/1", (6, 5))),
    ("/list/7", ("/list", (5, 3))),
    ("/list/1/x", ("/list/1", (6, 5))),
    ("/nothing/here", ("", (1, 1))),
    # A list index is ASCII digits: other digits name no item (and raise nothing).
    ("/list/\u0661", ("/list", (5, 3))),
    ("/list/\u00b2", ("/list", (5, 3))),
])
def test_nearest_names_the_deepest_node_the_data_has_and_its_position(pointer, expected):
    assert parse_yaml(NEAREST_TEXT, "app.yaml").nearest(pointer) == expected


def test_nearest_inside_an_alias_is_the_data_node_at_the_alias_position():
    # The alias's inside has no positions of its own: the node exists, and is shown where
    # the alias was written.
    assert parse_yaml(NEAREST_TEXT, "app.yaml").nearest("/copy/inner/deep") == ("/copy/inner/deep", (9, 7))


NEAREST_ASKED = ["/app/name", "/app/missing/field", "/app/a~1b/c", "/list/1", "/list/7", "/list/1/x", "/nothing/here",
                 "/copy/inner/deep", "/copy/inner", "/copy/nothing", "/base/inner/deep", "", "/", "/list/01"]


def test_a_node_finder_answers_as_nearest_whatever_the_order_of_the_questions():
    document = parse_yaml(NEAREST_TEXT, "app.yaml")
    expected = [document.nearest(pointer) for pointer in NEAREST_ASKED]
    forwards, backwards = NodeFinder(document), NodeFinder(document)
    assert ([forwards.nearest(pointer) for pointer in NEAREST_ASKED],
            [backwards.nearest(pointer) for pointer in reversed(NEAREST_ASKED)][::-1]) == (expected, expected)
