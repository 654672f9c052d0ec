"""The line reader, the quickest path of the YAML loader: what it reads, it reads exactly as
the strict builder does (data and every position); everything else it declines, at linear
cost, and never reports an error itself. (The node-tree path's own cases are in
``test_yaml_source.py``.)"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.manifest.yaml_events import parse_yaml_strictly
from auditor.manifest.yaml_lines import build_from_lines
from auditor.manifest.yaml_nodes import build_from_nodes
from auditor.manifest.yaml_source import MAX_DEPTH, parse_yaml
from auditor.model.errors import ErrorList, ManifestError
from tests.helpers import EXAMPLES, big_manifest, recorded_positions, work_done


def _strict(text: str) -> tuple | None:
    """The strict builder's data (as its repr, which tells 1 from True and 1.0) and every
    recorded position; ``None`` when it refuses the text."""
    try:
        document = parse_yaml_strictly(text, "m.yaml")
    except (ManifestError, ErrorList):
        return None
    return repr(document.data), list(recorded_positions(document.root))


def _read(text: str, build: Callable[[str], Any] = build_from_lines) -> tuple | None:
    """What the line reader (or another of the faster paths) gives, in the form of
    :func:`_strict`; ``None`` when it declines."""
    built = build(text)
    return None if built is None else (repr(built[0]), list(recorded_positions(built[1])))


def _agrees(text: str) -> bool:
    """Whether the line reader declined ``text`` or read it exactly as the strict builder."""
    read = _read(text)
    return read is None or read == _strict(text)


@pytest.mark.parametrize("build", [build_from_lines, build_from_nodes])
def test_example_manifests_are_read_by_each_faster_path_as_the_strict_builder_reads_them(build):
    paths = sorted(EXAMPLES.glob("*.yaml"))
    assert paths
    for path in paths:
        text = path.read_text(encoding="utf-8")
        read = _read(text, build)
        assert read is not None, path
        assert read == _strict(text), path


# ---------------------------------------------------------------- generated documents

# Keys, plain and quoted scalars: those that this path reads, and others it must decline
# (or read exactly as the strict builder would) because they resolve to a number, a
# boolean or null, hold an indicator, or are no scalar at all.
_SAFE_KEYS = ["name", "type", "x-note", "a.b", "k-1", "_k", "key", "nothing", "offline", "t0"]
_OTHER_KEYS = ["on", "yes", "no", "null", "1", "1.5", "'q'", "a b", "<<", "~", "-k", "k:", "é"]
_SAFE_PLAIN = ["plain text", "yes", "No", "1", "0x1F", "010", "1_000", "1:30", "1.5e3", ".inf", "~", "null",
               "2026-05-01", "a#b", "it's", "é ü", "http://e.example:80/x", "true", "12", "a :b", "x y  z", "-1",
               "+1", "0o17", "2026-05-01 10:00:00"]
_SAFE_BLOCK_PLAIN = ["x]", "x,y", "x}", "a[b]"]
_OTHER_PLAIN = ["a: b", "a:", "=", "[x", "{y", "-x", "?x", ":x", "%x", "@x", "`x", "!x", "&x", "*x", "|x", ">x",
                "a #b", "- x", "a\tb", ".nan", "1" * 5000]
_SAFE_QUOTED = ["'a'", "'it''s'", "''", "'a: #b'", '"b"', '""', '"x: y"', '"é"', "' lead'", '"[x]"']
_OTHER_QUOTED = ["'unclosed", '"a\\tb"', "'a' b", '"a"x', "'a'#c"]
_HEADERS = ["|", "|-", ">", ">-", "| # c", ">- # c"]
_OTHER_HEADERS = ["|+", ">+", "|2", ">1-", "|x", "|-  x"]
_COMMENTS = ["# note", "  # indented note", "#", "    #"]  # every other one unindented


class _Writer:
    """Writes a random block-YAML document, a line at a time. ``safe`` keeps to what the
    line reader reads; otherwise anything above may appear, and the text may be mangled."""

    def __init__(self, rng: random.Random, safe: bool) -> None:
        self.rng = rng
        self.safe = safe
        self.lines: list[str] = []

    def pick(self, safe: list[str], other: list[str]) -> str:
        return self.rng.choice(safe if self.safe or self.rng.random() < 0.8 else safe + other)

    def comment(self) -> None:
        if self.rng.random() < 0.1:  # an indented one may belong to a text block above
            self.lines.append(self.rng.choice(_COMMENTS[::2] if self.safe else _COMMENTS))
        if self.rng.random() < 0.05:  # a blank line (one of blanks may belong to a text block above)
            self.lines.append("" if self.safe else " " * self.rng.randint(0, 3))

    def mapping(self, indent: int, depth: int, prefix: str | None = None) -> None:
        keys = self.rng.sample(_SAFE_KEYS, self.rng.randint(1, 4))
        for index, key in enumerate(keys):
            if not self.safe and self.rng.random() < 0.1:
                key = self.rng.choice(_OTHER_KEYS + keys)  # may repeat a key
            head = prefix if index == 0 and prefix is not None else " " * indent
            self.value(f"{head}{key}:", indent, depth, indentless=True)
            self.comment()

    def sequence(self, indent: int, depth: int) -> None:
        for _ in range(self.rng.randint(1, 3)):
            dash = " " * indent + "-"
            if self.rng.random() < 0.35 and depth < 6:
                prefix = dash + " " * self.rng.choice([1, 1, 2, 3])
                self.mapping(len(prefix), depth + 1, prefix)
            else:
                self.value(dash, indent, depth, indentless=False)
            self.comment()

    def value(self, lead: str, indent: int, depth: int, indentless: bool) -> None:
        """One key's or dash's value, ``lead`` being the key (with its colon) or the dash."""
        rng = self.rng
        kind = rng.choice(["plain", "plain", "quoted", "flow", "map", "empty", "text", "list"] if depth < 6
                          else ["plain", "quoted", "empty"])
        gap = " " * rng.choice([1, 1, 1, 2])
        if kind == "plain":
            self.lines.append(lead + gap + self.pick(_SAFE_PLAIN + _SAFE_BLOCK_PLAIN, _OTHER_PLAIN)
                              + rng.choice(["", "", " # c", "  "]))
        elif kind == "quoted":
            self.lines.append(lead + gap + self.pick(_SAFE_QUOTED, _OTHER_QUOTED) + rng.choice(["", " # c"]))
        elif kind == "flow":
            self.lines.append(lead + gap + self.flow() + rng.choice(["", " # c"]))
        elif kind == "empty":
            self.lines.append(lead + rng.choice(["", " # c"]))
        elif kind == "text":
            self.text_block(lead + gap, indent)
        else:
            self.lines.append(lead + rng.choice(["", " # c"]))
            self.comment()
            inner = indent + rng.choice([1, 2, 2, 4])
            if kind == "map":
                self.mapping(inner, depth + 1)
            else:
                self.sequence(indent if indentless and rng.random() < 0.4 else inner, depth + 1)

    def flow(self) -> str:
        rng = self.rng
        items = [self.pick([item for item in _SAFE_PLAIN if item not in ("a#b",)] + _SAFE_QUOTED,
                           _OTHER_PLAIN + _OTHER_QUOTED + ["[x]", "{}", "a, "])
                 for _ in range(rng.randint(0, 4))]
        spaced = rng.choice([", ", ",", " , "])
        if rng.random() < 0.5:
            return "[" + rng.choice(["", " "]) + spaced.join(items) + rng.choice(["", " "]) + "]"
        keys = rng.sample(_SAFE_KEYS, len(items))
        return "{" + spaced.join(f"{key}: {item}" for key, item in zip(keys, items)) + "}"

    def text_block(self, lead: str, indent: int) -> None:
        rng = self.rng
        self.lines.append(lead + self.pick(_HEADERS, _OTHER_HEADERS))
        inner = " " * (indent + rng.choice([1, 2, 4]))
        for index in range(rng.randint(1, 4)):
            if index and rng.random() < 0.25:
                self.lines.append("")  # a blank line inside the text
            extra = "  " if not self.safe and rng.random() < 0.1 else ""  # a line indented further
            self.lines.append(inner + extra + rng.choice(["words", "more: words", "# not a comment", "a  b"]))


def _document(rng: random.Random, safe: bool) -> str:
    writer = _Writer(rng, safe)
    writer.comment()
    if rng.random() < 0.2:  # a start marker, alone on its line or not
        writer.lines.append(writer.pick(["---", "--- # c", "---  "], ["--- x", "--- |", "---x", " ---", "--- &a"]))
        writer.comment()
    if rng.random() < 0.85:
        writer.mapping(0, 0)
    else:
        writer.sequence(0, 0)
    text = "\n".join(writer.lines) + "\n"
    return text if safe else _mangled(rng, text)


def _mangled(rng: random.Random, text: str) -> str:
    """``text``, sometimes with one change that YAML reads differently or refuses."""
    if rng.random() < 0.5 or not text.strip():
        return text
    lines = text.split("\n")
    at = rng.randrange(len(lines))
    change = rng.choice(["tab", "cr", "marker", "anchor", "shift", "unshift", "cut", "drop", "bom", "nel", "nbsp"])
    if change == "tab":
        lines[at] = lines[at].replace(" ", "\t", 1)
    elif change == "cr":
        lines[at] += "\r"
    elif change == "marker":
        lines.insert(at, rng.choice(["---", "...", "--- x", "%YAML 1.1"]))
    elif change == "anchor":
        lines[at] = lines[at].replace(": ", ": &a ", 1).replace("- ", "- !t ", 1)
    elif change == "shift":
        lines[at] = " " + lines[at]
    elif change == "unshift":
        lines[at] = lines[at].removeprefix(" ")
    elif change == "cut":
        lines[at] = lines[at][:rng.randrange(len(lines[at]) + 1)]
    elif change == "drop":
        del lines[at]
    else:
        lines[at] += {"bom": "\ufeff", "nel": "\x85 x", "nbsp": "\xa0"}[change]
    return "\n".join(lines)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_a_generated_document_is_declined_or_read_as_the_strict_builder_reads_it(rng):
    text = _document(rng, safe=False)
    assert _agrees(text), text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_a_document_in_the_part_of_yaml_it_reads_is_read_not_declined(rng):
    text = _document(rng, safe=True)
    read = _read(text)
    assert read is not None, text
    assert read == _strict(text), text


@st.composite
def _mutated_manifest(draw: st.DrawFn) -> str:
    """A manifest of the fuzz seeds after edits of its text, or of its data written back in
    any of PyYAML's styles."""
    from tests.fuzz.mutations import data_mutant, text_mutant
    from tests.fuzz.seeds import manifest_seeds

    seed = draw(st.sampled_from(manifest_seeds()))
    raw = draw(text_mutant(seed.raw) if draw(st.booleans()) else data_mutant(seed.raw))
    return raw.decode("utf-8", "replace")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_manifest())
def test_a_mutated_manifest_is_declined_or_read_as_the_strict_builder_reads_it(text):
    assert _agrees(text)


# ---------------------------------------------------------------- what it declines


@pytest.mark.parametrize("text", [
    "a:\tb\n",                            # a tab
    "a: b\r\nc: d\r\n",                   # carriage returns
    "\ufeffa: b\n",                       # a byte-order mark
    "a: b\x85c\n",                        # NEL, a line break to libyaml
    "a: b\u2028c\n",                      # the line separator
    "a: \x07\n",                          # a control character
    "a: b\n---\nc: d\n",                  # a second document
    "--- a: b\n",                         # content on the marker's line
    "a: b\n...\n",
    "%YAML 1.1\n---\na: b\n",             # a directive
    "a: &x b\nc: *x\n",                   # an anchor and an alias
    "a: !!str 1\n",                       # a tag
    "'a': b\n",                           # a key in quotes
    "a b: c\n",                           # a key with a blank
    "on: b\n",                            # a key that reads as a boolean
    "1: b\n",                             # ... as a number
    f"{'k' * 300}: b\n",                  # a key too long for this path
    "a: 1\na: 2\n",                       # a repeated key
    "a: {k: 1, k: 2}\n",
    "a: b\n  c\n",                        # a plain scalar over two lines
    "a: 'b\n  c'\n",                      # a quoted one
    'a: "b\\tc"\n',                       # an escape
    "a: [b,\n  c]\n",                     # brackets over two lines
    "a: [b, [c]]\n",                      # brackets in brackets
    "a: [b, ]\n",                         # a trailing comma
    "a: [b] c\n",                         # text after the brackets
    "a: b: c\n",                          # a mapping where a scalar belongs
    "a: |2\n  x\n",                       # an indentation digit
    "a: |+\n  x\n\n",                     # kept trailing lines
    "a: |\n\n  x\n",                      # a blank line before the text
    "a: >\n  x\n    y\n",                 # a line indented further in folded text
    "a: |\n  x",                          # text that ends without a line break
    "a: |\nb: 1\n",                       # an empty text block
    "- - a\n",                            # a list on its parent's dash
    "a:\n  b\n",                          # a lone scalar below a key
    "plain\n",                            # a scalar document
    "[a, b]\n",                           # a flow document
    "# only a comment\n",                 # no document
    "",
    "a: b\n c: d\n",                      # a key indented by one too many
    "a:\n  - b\n  c: d\n",                # a key where the list goes on
    "a: 1\n- b\n",                        # a list item under a mapping's keys
    "? a\n: b\n",                         # an explicit key
    "a: 1" + "0" * 5000 + "\n",           # an integer past the digit limit
    "a:\n" + "".join(" " * (2 * depth) + "- \n" for depth in range(MAX_DEPTH + 1)),
])
def test_text_outside_its_part_of_yaml_is_declined(text):
    assert build_from_lines(text) is None


@pytest.mark.parametrize("text", [
    "a: [x" + " " * 1_000_000 + "#]\n",    # a run of blanks, then a comment inside brackets
    "a: [x" + " " * 1_000_000 + "[]\n",    # ... then a bracket that opens
    "a: {k: x" + " " * 1_000_000 + "#}\n",
    "a: ['x'" + " " * 1_000_000 + "#]\n",
    "a: '" + "'' " * 1_000_000 + "\n",      # a quote never closed
    'a: "' + "x " * 1_000_000 + "\n",
])
def test_a_line_it_cannot_read_is_declined_after_one_pass_over_it(text):
    # Trying every shorter run before giving up would take about 10**12 steps: it would
    # never return.
    assert build_from_lines(text) is None


def test_nesting_is_read_up_to_the_loaders_depth_limit_and_declined_beyond():
    def nested(levels: int) -> str:
        return "".join(" " * level + "k:\n" for level in range(levels - 1)) + " " * (levels - 1) + "k: [x]\n"

    deepest = nested(MAX_DEPTH - 1)  # MAX_DEPTH - 1 mappings and the list in the last: MAX_DEPTH levels
    assert _read(deepest) is not None
    assert _read(deepest) == _strict(deepest)
    assert build_from_lines(nested(MAX_DEPTH)) is None
    assert _strict(nested(MAX_DEPTH)) is None  # refused by the strict builder, not read otherwise


def test_a_start_marker_alone_on_its_line_is_read():
    text = "# head\n--- # the document\n\na: 1\n"
    assert _read(text) is not None
    assert _read(text) == _strict(text)


def _declined_character(code: int) -> bool:
    """Whether a text holding this character must be declined: it lies outside YAML's
    printable set (YAML 1.1, 5.1), or it is a line break or blank other than "\n" and the
    space (tab, CR, NEL, LS, PS), or the byte-order mark."""
    printable = (code in (0x09, 0x0A, 0x0D, 0x85) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
                 or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF)
    return not printable or code in (0x09, 0x0D, 0x85, 0x2028, 0x2029, 0xFEFF)


def test_a_text_is_declined_for_exactly_the_characters_it_does_not_read():
    edges = (0x09, 0x0A, 0x0D, 0x20, 0x7E, 0x85, 0xA0, 0x2028, 0x2029, 0xD7FF, 0xE000, 0xFEFF, 0xFFFD, 0x10000,
             0x10FFFF)
    codes = set(range(0x3000)) | {edge + step for edge in edges for step in (-1, 0, 1) if 0 <= edge + step < 0x110000}
    codes.discard(0x0A)  # a line break, which ends the scalar: not a character of it
    for ascii_only in (True, False):  # Python's printable test for ASCII text, the class for the rest
        tail = "" if ascii_only else "\u00e9"
        wrong = sorted(code for code in codes if (code < 0x80 or not ascii_only)
                       and (build_from_lines(f"a: x{chr(code)}y{tail}\n") is None) != _declined_character(code))
        assert wrong == [], (ascii_only, [hex(code) for code in wrong])


def test_the_loader_still_reads_what_the_line_reader_declines():
    document = parse_yaml("a: &x b\nc: *x\nd: |+\n  kept\n\n", "m.yaml")
    assert document.data == {"a": "b", "c": "b", "d": "kept\n\n"}


def test_the_loader_still_refuses_with_a_position_what_the_line_reader_declines():
    with pytest.raises(ErrorList) as caught:
        parse_yaml("a: 1\na: 2\n", "m.yaml")
    assert str(caught.value).startswith("m.yaml:2:1: error: duplicate key 'a'")


# ---------------------------------------------------------------- positions


def test_positions_of_empty_values_texts_and_bracketed_items():
    text = "a:\nb: |\n  x\nc:\n- \n-   {k: 'v'}\nd: [1,  two]\n"
    document = parse_yaml(text, "m.yaml")
    assert build_from_lines(text) is not None
    assert document.data == {"a": None, "b": "x\n", "c": [None, {"k": "v"}], "d": [1, "two"]}
    assert [document.locate(pointer) for pointer in ("/a", "/b", "/c", "/c/0", "/c/1", "/c/1/k", "/d/1")] == [
        (1, 3), (2, 4), (5, 1), (5, 2), (6, 5), (6, 9), (7, 9)]
    assert document.locate_key("/c/1/k") == (6, 6)


def test_non_ascii_text_is_read_with_positions_counted_in_characters():
    text = "name: Café Größe\nlist: [é, 'ü']\n"
    assert _read(text) == _strict(text)
    assert parse_yaml(text, "m.yaml").locate("/list/1") == (2, 11)


# ---------------------------------------------------------------- linear work


def _block_manifest(items: int) -> str:
    lines = ["manifest_version: 1", "app:", "  name: Linear", "  description: >-"]
    lines += [f"    line {index} of a long folded description" for index in range(items)]
    lines += ["scopes:"]
    for index in range(items):
        lines += ["  - scope: drive.file", f"    justification: 'Item {index} of the list.'",
                  f"    features: [feature-{index}, other]", "    notes:", "      - one", "      -", "        k: v"]
    lines += ["named: [" + ", ".join(f"element-{index}" for index in range(items)) + "]"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("shape", ["read", "declined at the end"])
def test_reading_or_declining_costs_work_in_proportion_to_the_text(shape):
    def text(items: int) -> str:
        body = _block_manifest(items)
        return body if shape == "read" else body + "tail: &anchor x\n"

    build_from_lines(text(10))  # module imported and regular expressions compiled first
    small, large = (work_done(lambda: build_from_lines(text(items))) for items in (500, 1000))
    assert (build_from_lines(text(500)) is None) == (shape != "read")
    assert large < 2.2 * small, (small, large)


def test_long_lines_cost_work_in_proportion_to_their_length():
    def text(size: int) -> str:
        return "a: [x" + " " * size + "y, z]\nb: 'q" + "'' " * size + "'\nc: " + "w " * size + "\n"

    build_from_lines(text(10))
    small, large = (work_done(lambda: build_from_lines(text(size))) for size in (20_000, 40_000))
    assert build_from_lines(text(10)) is not None
    assert large < 2.2 * small, (small, large)


def test_a_key_name_is_held_once_however_many_mappings_use_it():
    # 1,000 entries in each of four lists: one text for each key name, not one per mapping.
    built = build_from_lines(big_manifest(1000))
    assert built is not None
    data = built[0]
    keys = [key for section in ("data", "storage", "transfers", "human_access") for entry in data[section]
            for key in entry]
    assert len({id(key) for key in keys}) == len(set(keys)), (len(keys), len(set(keys)))


def test_key_names_past_the_tables_bound_are_not_remembered_but_still_held_once():
    from auditor.manifest.yaml_lines import KEY_NAMES

    assert build_from_lines("".join(f"name-{index}: 1\n" for index in range(5000))) is not None
    built = build_from_lines("a:\n  name-past-the-bound: 1\nb:\n  name-past-the-bound: 2\n")
    assert built is not None
    (first,), (second,) = built[0]["a"], built[0]["b"]
    assert (len(KEY_NAMES) <= 4096, "name-past-the-bound" in KEY_NAMES, first is second) == (True, False, True)
