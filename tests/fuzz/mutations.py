"""Mutations of valid inputs, as Hypothesis strategies.

Two levels, because they find different bugs:

* **text** — what a careless editor, a bad merge or a hostile file does to the bytes: flipped
  bytes, tags such as ``!!int ""``, huge numbers, control characters, deep nesting,
  anchors and aliases, duplicated or dropped lines, odd unicode, a second document,
  truncation, another encoding;
* **data** — right syntax, wrong content: a value replaced by another type, keys dropped or
  added, list items duplicated, very long strings, empty lists, values from the manifest
  vocabulary put in the wrong place; then written back as YAML (or JSON).

Every strategy draws from the seed first, so Hypothesis shrinks a failure towards the
smallest change to a valid file.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from typing import Any, Callable

import yaml
from hypothesis import strategies as st

from tests.helpers import REPO

try:  # libyaml's loader and emitter where PyYAML has them: the seeds include a 36 kB pack
    from yaml import CSafeDumper as _Dumper, CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeDumper as _Dumper, SafeLoader as _Loader  # type: ignore[assignment]

# Scalars that YAML parses into something other than a plain string, or that a
# constructor cannot build at all.
HOSTILE_SCALARS: tuple[str, ...] = (
    '!!int ""', "!!int x", '!!float ""', "!!float .x", "!!bool maybe", '!!null "x"', "!!timestamp 2026-13-45",
    "!!binary ====", "!!str", "!!set {a}", "!!omap [a: 1]", "!!pairs [a: 1]", "!!python/object:os.system",
    "!!python/name:os.system", "!<tag:yaml.org,2002:int> 0x", "!custom value", "!!map []", "!!seq {}",
    "9" * 5000, "-" + "9" * 4400, "0x" + "f" * 4000, "0o" + "7" * 5000, "0b" + "1" * 20000, "1" + "_0" * 3000,
    "1e999999", "-1e999999", ".nan", ".NaN", ".inf", "-.Inf", "1_000", "0x1F", "0o17", "+12", "012", "190:20:30",
    "~", "null", "Null", "yes", "No", "on", "OFF", "y", "n", "true", "False", "2026-02-30", "2026-13-01", "2026-1-1",
    "2001-12-14t21:59:43.10-05:00", "0000-00-00", "9999-12-31", "P99999999999999999999D", "-P1D", "P", "PT0S",
    '""', "''", "' '", "[]", "{}", "[[]]", "{a: }", "- x", "? x", ": x", "&a", "*a", "!", "|", ">", "|-\n  x",
    '"\\x1b[31mred\\x1b[0m"', '"\\u202e\\u2066evil"', '"\\0"', '"\\ud800"', '"\\udfff\\ud800"', '"\\U0010ffff"',
    '"\\x85\\u2028\\u2029"', '"\\e]8;;http://x\\e\\\\link\\e]8;;\\e\\\\"', '"\\a\\b\\v\\f"',
    "<script>alert(1)</script>", "]]><!--", "{{ 7*7 }}", "{facts.label}", "{missing}", "{0}", "{", "}", "%s%n",
    "javascript:alert(1)", "[x](javascript:alert(1))", "|a|b|", "\\", "`", "*" * 50, "#not a comment", "--- x",
)

# Strings that are valid YAML strings but hostile to whatever later prints them.
HOSTILE_STRINGS: tuple[str, ...] = (
    "", " ", "\t", "\x1b[2J\x1b[31mred", "\x1b]8;;http://evil\x07x\x1b]8;;\x07", "\u202eevil", "\u200b", "\ufeff",
    "\x7f", "\x85", "\u2028", "a\r\nb", "a\rb", "\x00".replace("\x00", "\\0"), "é", "e\u0301", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "😀" * 3, "中文", "\U0010ffff", "<b>x</b>", "<script>x</script>", "&amp;", "]]>", "{{x}}", "{% raw %}",
    "{facts.label}", "{missing}", "{", "}", "{0}", "{facts}", "{manifest}", "|", "*x*", "_x_", "[a](b)", "# h",
    "- item", "> quote", "```", "\\", "\\n", "'", '"', "%", "%(x)s", "javascript:alert(1)", "http://", "https://x/" + "a" * 300,
    "x" * 10_000, "word " * 2_000, "NaN", "Infinity", "-0", "1e999",
)

_EXTRA_KEYS = ("x-note", "x-", "unknown", "Name", "scope", "id", "data", "", " ", "<<", "$ref", "~", "a/b", "a~1b",
               "é", "\u202e", "0", "manifest_version", "pack_version", "rules", "waivers")


@cache
def vocabulary() -> tuple[Any, ...]:
    """Every enum and const value of the manifest schema, plus the catalog's scope names:
    values that keep a mutant valid often enough for it to reach the engine."""
    schema = json.loads((REPO / "auditor" / "schemas" / "manifest-v1.schema.json").read_text(encoding="utf-8"))
    found: set[str] = set()
    other: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("enum", "const"):
                if key in node:
                    for value in node[key] if key == "enum" else [node[key]]:
                        if isinstance(value, str):
                            found.add(value)
                        elif value not in other:
                            other.append(value)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    catalog = json.loads((REPO / "policies" / "scope-catalog.json").read_text(encoding="utf-8"))
    scopes: list[str] = []
    entries = catalog.get("scopes", catalog) if isinstance(catalog, dict) else catalog
    if isinstance(entries, dict):
        scopes = sorted(str(key) for key in entries)[:200]
    elif isinstance(entries, list):
        scopes = sorted({str(item.get(key, "")) for item in entries if isinstance(item, dict)
                         for key in ("scope", "short")})
    return tuple(sorted(found)) + tuple(other) + tuple(scopes) + (
        "gmail.readonly", "drive.file", "openid", "email", "https://mail.google.com/", "P30D", "P1Y", "indefinite",
        "2026-06-15", "2019-01-01", "security@example.com", "https://example.com/privacy", "session",
    )


# ------------------------------------------------------------------ text level
def _nesting(draw: Any) -> str:
    depth = draw(st.integers(1, 400))
    style = draw(st.sampled_from(["flow-list", "flow-map", "block-list"]))
    if style == "flow-list":
        return "[" * depth + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + "1" + "}" * depth
    return "\n" + "".join("  " * level + "-\n" for level in range(depth)) + "  " * depth + "- x"


def _alias_bomb(draw: Any) -> str:
    width = draw(st.integers(2, 10))
    levels = draw(st.integers(2, 9))
    lines = ["x-bomb:", "  l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"  l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


_LINE_VALUE = r"^(\s*(?:- )?[^\s:#][^:#]*:[ \t]+)(\S.*)$"


def _value_lines(lines: list[bytes]) -> list[int]:
    pattern = re.compile(_LINE_VALUE.encode())
    return [index for index, line in enumerate(lines) if pattern.match(line)]


def _replace_value(lines: list[bytes], index: int, value: bytes) -> None:
    match = re.match(_LINE_VALUE.encode(), lines[index])
    assert match is not None
    lines[index] = match.group(1) + value


@st.composite
def text_mutant(draw: Any, raw: bytes) -> bytes:
    """``raw`` after one to four edits of its bytes or lines."""
    data = raw
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(_TEXT_EDITS))(draw, data)
    return data


def _flip_bytes(draw: Any, data: bytes) -> bytes:
    if not data:
        return data
    buffer = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        position = draw(st.integers(0, len(buffer) - 1))
        buffer[position] = draw(st.integers(0, 255))
    return bytes(buffer)


def _insert_bytes(draw: Any, data: bytes) -> bytes:
    position = draw(st.integers(0, len(data)))
    inserted = draw(st.one_of(
        st.binary(min_size=1, max_size=8),
        st.sampled_from([b"\t", b"\r", b"\x85", b"\xe2\x80\xa8", b"\xef\xbb\xbf", b"\x1b[31m", b"\x7f", b"\x00",
                         b"\x0c", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"#", b":", b"- ", b"? ",
                         b"&a ", b"*a", b"!!", b"%", b"@", b"`", b"|", b">", b"'", b'"', b"{", b"[", b"\n"]),
        st.text(min_size=1, max_size=6).map(lambda text: text.encode("utf-8", "surrogatepass")),
    ))
    return data[:position] + inserted + data[position:]


def _hostile_value(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    candidates = _value_lines(lines)
    if not candidates:
        return data
    index = draw(st.sampled_from(candidates))
    value = _nesting(draw) if draw(st.integers(0, 9)) == 0 else draw(st.sampled_from(HOSTILE_SCALARS))
    _replace_value(lines, index, value.encode("utf-8", "surrogatepass"))
    return b"\n".join(lines)


def _control_characters(draw: Any, data: bytes) -> bytes:
    position = draw(st.integers(0, len(data)))
    character = chr(draw(st.sampled_from(list(range(0, 32)) + [127, 0x85, 0xA0, 0x2028, 0x2029, 0xFEFF, 0xFFFE])))
    return data[:position] + character.encode("utf-8") + data[position:]


def _anchors_and_aliases(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    candidates = _value_lines(lines)
    kind = draw(st.sampled_from(["alias-before", "alias-after", "merge", "bomb", "undefined", "recursive", "key"]))
    if kind == "bomb":
        return data.rstrip(b"\n") + b"\n" + _alias_bomb(draw).encode()
    if not candidates:
        return data
    first, second = sorted(draw(st.lists(st.sampled_from(candidates), min_size=2, max_size=2)))
    if kind in ("alias-before", "alias-after"):
        source, target = (first, second) if kind == "alias-after" else (second, first)
        match = re.match(_LINE_VALUE.encode(), lines[source])
        assert match is not None
        lines[source] = match.group(1) + b"&v " + match.group(2)
        _replace_value(lines, target, b"*v")
    elif kind == "merge":
        indent = len(lines[second]) - len(lines[second].lstrip(b" -"))
        lines.insert(second, b" " * indent + draw(st.sampled_from([b"<<: *v", b"<<: [*v, *v]", b"<<: {a: 1}",
                                                                     b"<<: 1", b"<<: [1]", b"<<: *nope"])))
        match = re.match(_LINE_VALUE.encode(), lines[first])
        if match:
            lines[first] = match.group(1) + b"&v " + match.group(2)
    elif kind == "undefined":
        _replace_value(lines, first, b"*nowhere")
    elif kind == "recursive":
        lines.insert(first, b"x-loop: &loop [1, *loop]")
    else:
        indent = len(lines[first]) - len(lines[first].lstrip(b" "))
        lines.insert(first, b" " * indent + draw(st.sampled_from([b"*v: 1", b"&k key: 1", b"? [a, b]\n: 1",
                                                                    b"? {a: 1}\n: 1", b"1: one", b"null: x",
                                                                    b"true: x", b"1.5: x", b"2026-01-01: x"])))
    return b"\n".join(lines)


def _duplicate_line(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    index = draw(st.integers(0, len(lines) - 1))
    lines.insert(index, lines[index])
    return b"\n".join(lines)


def _drop_line(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    del lines[draw(st.integers(0, len(lines) - 1))]
    return b"\n".join(lines)


def _swap_lines(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    first, second = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)


def _reindent(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    index = draw(st.integers(0, len(lines) - 1))
    if draw(st.booleans()):
        lines[index] = draw(st.sampled_from([b" ", b"  ", b"\t", b"    "])) + lines[index]
    else:
        lines[index] = lines[index].lstrip()
    return b"\n".join(lines)


def _unicode(draw: Any, data: bytes) -> bytes:
    position = draw(st.integers(0, len(data)))
    text = draw(st.text(st.characters(codec="utf-8"), min_size=1, max_size=20))
    return data[:position] + text.encode("utf-8") + data[position:]


def _truncate(draw: Any, data: bytes) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _documents(draw: Any, data: bytes) -> bytes:
    choice = draw(st.sampled_from([
        b"%YAML 1.1\n---\n" + data, b"%YAML 1.3\n---\n" + data, b"%TAG ! tag:evil.example,2026:\n---\n" + data,
        b"---\n" + data + b"\n...\n", data + b"\n---\nsecond: 1\n", data + b"\n---\n", b"--- !!map\n" + data,
        b"--- !!seq\n" + data, b"--- |\n" + data, b"!!omap\n" + data, data + b"\n...\ngarbage: [",
    ]))
    return choice


def _reencode(draw: Any, data: bytes) -> bytes:
    text = data.decode("utf-8", "replace")
    codec = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig", "utf-7"]))
    return text.encode(codec, "replace")


def _grow(draw: Any, data: bytes) -> bytes:
    lines = data.split(b"\n")
    candidates = _value_lines(lines)
    if not candidates:
        return data
    size = draw(st.sampled_from([1_000, 20_000, 70_000]))
    filler = draw(st.sampled_from([b"a", b"\xc3\xa9", b"\\u0041", b"x "]))
    _replace_value(lines, draw(st.sampled_from(candidates)), b'"' + filler * (size // len(filler)) + b'"')
    return b"\n".join(lines)


_TEXT_EDITS: list[Callable[[Any, bytes], bytes]] = [
    _flip_bytes, _insert_bytes, _hostile_value, _hostile_value, _control_characters, _anchors_and_aliases,
    _anchors_and_aliases, _duplicate_line, _drop_line, _swap_lines, _reindent, _unicode, _truncate, _documents,
    _reencode, _grow,
]


# ------------------------------------------------------------------ data level
def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, prefix + (index,))
    return found


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(root, path[:-1])[path[-1]] = value
    return root


def _other_value(draw: Any) -> Any:
    """A value of any JSON/YAML type, sometimes hostile."""
    return draw(st.one_of(
        st.sampled_from(vocabulary()),
        st.sampled_from(HOSTILE_STRINGS),
        st.none(), st.booleans(),
        st.integers(), st.sampled_from([0, -1, 2**31, 2**63, 2**64 + 1, -(2**63), 10**300]),
        st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([math.nan, math.inf, -math.inf, -0.0, 1e308]),
        st.text(max_size=30),
        st.just([]), st.just({}),
        st.lists(st.sampled_from(vocabulary()), max_size=4),
        st.dictionaries(st.sampled_from(_EXTRA_KEYS), st.sampled_from(vocabulary()), max_size=3),
    ))


def values_by_key(documents: list[Any]) -> dict[str, list[Any]]:
    """Every value found under each key name in ``documents``: a donor for crossover edits,
    which keep a mutant valid more often than a random value does."""
    found: dict[str, list[Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                bucket = found.setdefault(str(key), [])
                if len(bucket) < 50 and value not in bucket:
                    bucket.append(value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for document in documents:
        walk(document)
    return found


# Edits that usually keep a document valid come up more often than those that break it:
# the engine and the reporters only see what passes validation.
_DATA_EDITS = (["crossover"] * 6 + ["hostile-string"] * 5 + ["duplicate"] * 2 + ["drop"] * 2 + ["swap-items"]
               + ["replace", "vocabulary", "add", "long", "empty", "copy", "wrap"])


def _data_edit(draw: Any, root: Any, donors: dict[str, list[Any]]) -> Any:
    paths = _paths(root)
    edit = draw(st.sampled_from(_DATA_EDITS))
    if edit == "hostile-string":
        strings = [path for path in paths if isinstance(_get(root, path), str)]
        paths = strings or paths
    elif edit == "crossover":
        keyed = [path for path in paths if path and str(path[-1]) in donors]
        paths = keyed or paths
    path = draw(st.sampled_from(paths))
    node = _get(root, path)
    if edit == "crossover" and path and str(path[-1]) in donors:
        return _set(root, path, json.loads(json.dumps(draw(st.sampled_from(donors[str(path[-1])])))))
    if edit == "replace":
        return _set(root, path, _other_value(draw))
    if edit == "vocabulary":
        return _set(root, path, draw(st.sampled_from(vocabulary())))
    if edit == "drop" and path:
        parent = _get(root, path[:-1])
        del parent[path[-1]]
        return root
    if edit == "add" and isinstance(node, dict):
        node[draw(st.sampled_from(_EXTRA_KEYS))] = _other_value(draw)
        return root
    if edit == "duplicate" and isinstance(node, list) and node:
        item = node[draw(st.integers(0, len(node) - 1))]
        node.extend([json.loads(json.dumps(item, default=str))] * draw(st.integers(1, 3)))
        return root
    if edit == "long":
        return _set(root, path, draw(st.sampled_from(["x" * 100_000, "é" * 20_000, "a b " * 10_000])))
    if edit == "empty":
        return _set(root, path, draw(st.sampled_from([[], {}, "", None])))
    if edit == "hostile-string" and isinstance(node, str):
        text = draw(st.sampled_from(HOSTILE_STRINGS))
        return _set(root, path, draw(st.sampled_from([text, node + text, text + node])))
    if edit == "copy":
        source = _get(root, draw(st.sampled_from(paths)))
        return _set(root, path, json.loads(json.dumps(source, default=str)))
    if edit == "wrap":
        return _set(root, path, draw(st.sampled_from([[node], {"value": node}])))
    if edit == "swap-items" and isinstance(node, list) and len(node) > 1:
        node.reverse()
        return root
    return _set(root, path, _other_value(draw))


def _dump_yaml(draw: Any, data: Any) -> bytes:
    style = draw(st.sampled_from([None, False, True]))
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=draw(st.booleans()), default_flow_style=style,
                          width=draw(st.sampled_from([80, 20, 10_000])))
    return text.encode("utf-8", "surrogatepass")


def parse_seed(raw: bytes, dump: str = "yaml") -> Any:
    """A seed as plain JSON-like data (dates as strings, no shared nodes): a fresh copy each
    time, parsed once."""
    return json.loads(_seed_json(raw, dump))


@cache
def _seed_json(raw: bytes, dump: str) -> str:
    data = yaml.load(raw.decode("utf-8"), Loader=_Loader) if dump == "yaml" else json.loads(raw)
    return json.dumps(data, default=str)


@st.composite
def data_mutant(draw: Any, raw: bytes, dump: str = "yaml", donors: dict[str, list[Any]] | None = None) -> bytes:
    """``raw`` parsed, edited one to three times as data, and written back (YAML or JSON)."""
    data = parse_seed(raw, dump)
    for _ in range(draw(st.integers(1, 3))):
        data = _data_edit(draw, data, donors or {})
    if dump == "json":
        text = json.dumps(data, indent=draw(st.sampled_from([None, 2])), ensure_ascii=draw(st.booleans()))
        return text.encode("utf-8", "surrogatepass")
    return _dump_yaml(draw, data)


@st.composite
def json_text_mutant(draw: Any, raw: bytes) -> bytes:
    """A JSON document after edits a hand or a broken tool makes: NaN, huge numbers, deep
    nesting, truncation, flipped bytes, another encoding."""
    data = raw
    for _ in range(draw(st.integers(1, 3))):
        edit = draw(st.sampled_from(["flip", "insert", "truncate", "number", "nesting", "reencode", "duplicate-key",
                                     "control"]))
        if edit == "flip":
            data = _flip_bytes(draw, data)
        elif edit == "insert":
            data = _insert_bytes(draw, data)
        elif edit == "truncate":
            data = _truncate(draw, data)
        elif edit == "reencode":
            data = _reencode(draw, data)
        elif edit == "control":
            data = _control_characters(draw, data)
        else:
            text = data.decode("utf-8", "replace")
            values = [match.span() for match in re.finditer(r'(?<=: )"[^"\\]*"', text)]
            if not values:
                continue
            start, end = draw(st.sampled_from(values))
            if edit == "number":
                value = draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "9" * 5000, "-0", "1.5",
                                              "true", "null", "[]", "{}", '"\\ud800"', '"\\u0000"', '"\\u001b[2J"']))
            elif edit == "nesting":
                depth = draw(st.sampled_from([10, 1_000, 100_000]))
                value = draw(st.sampled_from(["[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth]))
            else:
                value = text[start:end] + ', "rule_id": "X", "rule_id": 1'
            data = (text[:start] + value + text[end:]).encode("utf-8", "surrogatepass")
    return data
