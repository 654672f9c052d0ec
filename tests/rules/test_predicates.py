"""The compiled predicates agree with jsonschema, keyword by keyword and on whole manifests."""

from __future__ import annotations

import copy
import json
import random

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from auditor.manifest.load import manifest_schema_path
from auditor.rules.predicates import UnsupportedSchema, compile_schema
from auditor.manifest.yaml_source import parse_yaml
from tests.helpers import work_done

SCHEMAS = [
    {"type": "string"}, {"type": ["integer", "null"]}, {"type": "number"}, {"type": "boolean"},
    {"enum": ["a", "b"]}, {"enum": ["1.2", 1.2, None]}, {"const": 1}, {"const": "x"}, {"const": [1, {"a": True}]},
    {"required": ["a", "b"]}, {"properties": {"a": {"type": "string"}}},
    {"properties": {"a": True}, "patternProperties": {"^x-": {"type": "integer"}}, "additionalProperties": False},
    {"additionalProperties": {"type": "boolean"}},
    {"items": {"minimum": 2}}, {"contains": {"const": 3}}, {"minItems": 2, "maxItems": 3}, {"uniqueItems": True},
    {"minimum": 1, "maximum": 3}, {"exclusiveMinimum": 1, "exclusiveMaximum": 3},
    {"minLength": 2, "maxLength": 4}, {"pattern": "^[a-z]+$"}, {"pattern": "Limited Use"},
    {"format": "date"}, {"format": "email"}, {"not": {"type": "string"}},
    {"allOf": [{"minimum": 1}, {"maximum": 5}]}, {"anyOf": [{"type": "string"}, {"minimum": 10}]},
    {"oneOf": [{"type": "integer"}, {"minimum": 2}]},
    {"if": {"properties": {"k": {"const": "a"}}, "required": ["k"]}, "then": {"required": ["v"]}, "else": {"maxProperties": 1}},
    {"minProperties": 1, "maxProperties": 2},
    {"$defs": {"pos": {"minimum": 0}}, "items": {"$ref": "#/$defs/pos"}},
    True, False, {},
    # Forms compiled to their own shortcuts: scalar enums and constants, one required key,
    # one property, a key judged by its property and a pattern at once, long conjunctions.
    {"enum": [True, None, 1]}, {"enum": [1.0, "a"]}, {"const": True}, {"const": None}, {"const": 2.0},
    {"required": ["a"]}, {"properties": {"k": {"const": "a"}}},
    {"properties": {"a": {"type": "integer"}, "k": True}, "patternProperties": {"^a": {"minimum": 1}, "^x-": True},
     "additionalProperties": {"type": "boolean"}},
    {"type": "object", "required": ["k"], "properties": {"k": {"enum": ["a"]}}},
    {"allOf": [{"minimum": 1}, {"maximum": 5}, {"type": "integer"}, {"not": {"const": 3}}]},
    {"anyOf": [{"const": 1}, {"const": "a"}, {"type": "array", "contains": {"const": 3}}]},
    # Shapes judged by one function each: strings with bounds, patterns and formats, objects
    # whose keys are named or match patterns that accept anything, lists with item schemas.
    {"type": "string", "maxLength": 4}, {"type": "string", "minLength": 2, "maxLength": 4},
    {"type": "string", "maxLength": 4, "pattern": "^[a-z]+$"}, {"type": "string", "minLength": 1, "pattern": "b"},
    {"type": "string", "format": "date", "pattern": "^2026"}, {"type": "string", "format": "email", "maxLength": 3},
    {"type": "string", "description": "annotated", "format": "unknown-format"},
    {"type": "object", "properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": True},
     "additionalProperties": False, "required": ["a"]},
    {"type": "object", "properties": {"k": {"const": "a"}, "x-n": {"type": "integer"}},
     "patternProperties": {"^x-": True, "^z": {}}, "additionalProperties": {"type": "integer"}},
    {"properties": {"a": {"type": "string"}}, "patternProperties": {"^x-": True}, "additionalProperties": False},
    {"type": "array", "items": {"type": "integer"}, "minItems": 1, "uniqueItems": True},
    {"type": "array", "maxItems": 2, "uniqueItems": True}, {"type": "array", "items": {"type": "object"}},
]
INSTANCES = [
    None, True, False, 0, 1, 1.0, 1.2, 2, 2.5, 3, 10, -1, "", "a", "ab", "abcde", "A", "x@y", "nope",
    "2026-05-01", "2026-02-30", "Limited Use ok", [], [1], [1, 2], [3, 3], [1, 2, 3, 4], [{"a": True}],
    [1, {"a": True}], [True, 1], [1, 1.0], [False, 0], ["a", "a"], ["a", "b"], {}, {"a": "s"}, {"a": 1}, {"a": 1, "b": 2}, {"x-n": 1}, {"x-n": "s"},
    {"z": True}, {"z": 1}, {"a": "s", "x-n": 1}, {"a": "s", "b": 1}, {"k": "a", "z": "s"}, {"k": "a"}, {"k": "a", "v": 1}, {"k": "b", "v": 1}, {"k": "b"},
]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: json.dumps(s)[:60])
def test_each_keyword_agrees_with_jsonschema(schema):
    reference = Draft202012Validator(schema, format_checker=FormatChecker(formats=["date", "email"]))
    compiled = compile_schema(schema)
    for instance in INSTANCES:
        assert compiled(instance) == reference.is_valid(instance), instance


def test_unsupported_keywords_are_refused():
    with pytest.raises(UnsupportedSchema, match="dependentRequired"):
        compile_schema({"dependentRequired": {"a": ["b"]}})
    with pytest.raises(UnsupportedSchema, match="reference"):
        compile_schema({"$ref": "https://example.invalid/x.json"})


def _mutations(document, rng):
    """Yield copies of ``document`` with one random change each: a value of another type or
    enum member, a removed key, an added key, a duplicated list item."""
    replacements = [None, True, 0, 1.3, "1.2", "", "other", "x@y", [], {}, ["x"], "2026-01-01", "2026-13-01",
                    "at_sign_in", "own_systems", "https://a.example/", "bad id", "gmail", "spam"]
    paths = []

    def walk(node, path):
        paths.append(path)
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + [key])
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, path + [index])

    walk(document, [])
    for _ in range(400):
        mutated = copy.deepcopy(document)
        path = rng.choice(paths[1:])
        parent = mutated
        for part in path[:-1]:
            parent = parent[part]
        action = rng.random()
        if action < 0.6:
            parent[path[-1]] = rng.choice(replacements)
        elif action < 0.75 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action < 0.9 and isinstance(parent, dict):
            parent[rng.choice(["x-note", "extra", "id", "data"])] = rng.choice(replacements)
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
        yield mutated


def test_manifest_schema_verdicts_agree_on_mutated_manifests():
    from tests.helpers import EXAMPLES, REPO, work_done

    schema = json.loads(manifest_schema_path().read_text())
    reference = Draft202012Validator(schema, format_checker=FormatChecker(formats=["date", "email"]))
    compiled = compile_schema(schema)
    sources = sorted(EXAMPLES.glob("*.yaml")) or [REPO / "tests" / "conftest.py"]
    rng = random.Random(20261121)
    checked = valid = 0
    for source in sources:
        if source.suffix != ".yaml":
            continue
        document = parse_yaml(source.read_text(), str(source)).data
        assert compiled(document) and reference.is_valid(document)
        for mutated in _mutations(document, rng):
            verdict = reference.is_valid(mutated)
            assert compiled(mutated) == verdict, json.dumps(mutated)[:400]
            checked += 1
            valid += verdict
    assert checked >= 2400
    assert 0 < valid < checked  # the mutations exercise both verdicts


UNIQUENESS_CASES = [
    [1, 1.0], [True, 1], [False, 0], [None, False], ["1", 1], [{"a": 1, "b": 2}, {"b": 2, "a": 1}],
    [[1, 2], [2, 1]], [[1, {"x": [True]}], [1.0, {"x": [True]}]], [{"a": [1]}, {"a": [1, 1]}], [0.5, 0.5],
]


@pytest.mark.parametrize("instance", UNIQUENESS_CASES, ids=lambda case: json.dumps(case))
def test_unique_items_agrees_with_jsonschema_on_json_equality(instance):
    reference = Draft202012Validator({"uniqueItems": True})
    assert compile_schema({"uniqueItems": True})(instance) == reference.is_valid(instance)


def test_unique_items_takes_linear_time():
    check = compile_schema({"uniqueItems": True})

    def items(count: int) -> list:
        return [{"name": f"feature {index}", "tags": [index, str(index)]} for index in range(count)]

    assert check(items(5_000)) and not check(items(5_000) + [{"tags": [7, "7"], "name": "feature 7"}])
    small, large = (work_done(lambda count=count: check(items(count))) for count in (5_000, 10_000))
    assert large <= 2.2 * small  # twice the items, twice the work (pairwise would be four times)


def test_backtracking_pattern_runs_in_linear_time():
    # A backtracking engine takes about 2**40 steps on this input: it would never return.
    check = compile_schema({"pattern": "^(a+)+$"})
    assert not check("a" * 40 + "!")
    assert check("a" * 100_000)


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("^abc$", "abc\n", False),        # $ is the very end, not "before a final newline"
    ("b", "abc", True),               # search, not match
    ("^\\d+$", "\u0661\u0662", False),  # \d is ASCII digits only
    ("^\\s+$", "\u00a0\u2003\ufeff", True),  # \s is ECMA's Unicode white space
    ("\\S", "\u00a0\u3000", False),
    ("^a.b$", "a\rb", False),         # . stops at every ECMA line terminator
    ("^a.b$", "a\u2028b", False),
    ("^a.b$", "a\u00e9b", True),
    ("^\\u00e9$", "\u00e9", True),     # \uXXXX escapes
    ("^\\u{1F600}$", "\U0001F600", True),
    ("[]", "x", False),               # [] matches nothing, [^] anything
    ("^[^]$", "\n", True),
    ("^[[]$", "[", True),             # [ inside a class is literal
    ("x", "\ud800x", True),           # a lone surrogate in the text is no error
])
def test_patterns_keep_ecma_262_meaning(pattern, text, expected):
    assert compile_schema({"pattern": pattern})(text) is expected


@pytest.mark.parametrize("pattern", ["^(?=a)", "(?!a)b", "(?<=a)b", "(?<!a)b", "(a)\\1", "(?<n>a)\\k<n>", "a{1001}", "(", "[a"])
def test_pattern_re2_cannot_run_is_refused_with_its_pointer(pattern):
    with pytest.raises(UnsupportedSchema) as caught:
        compile_schema({"properties": {"name": {"pattern": pattern}}})
    assert caught.value.pointer == "/properties/name/pattern"


def test_pattern_properties_key_is_the_pointer_of_a_bad_pattern():
    with pytest.raises(UnsupportedSchema) as caught:
        compile_schema({"patternProperties": {"^x-(?=y)": True}})
    assert caught.value.pointer == "/patternProperties/^x-(?=y)"


@pytest.mark.parametrize(("schema", "pointer"), [
    ({"$ref": "#"}, "/$ref"),
    ({"properties": {"next": {"$ref": "#"}}}, "/properties/next/$ref"),
    ({"$defs": {"a": {"not": {"$ref": "#/$defs/b"}}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}, "/$defs/b/$ref"),
])
def test_recursive_reference_is_refused(schema, pointer):
    with pytest.raises(UnsupportedSchema, match="recursive") as caught:
        compile_schema(schema)
    assert caught.value.pointer == pointer


def test_a_reference_used_twice_is_not_recursive():
    schema = {"$defs": {"id": {"type": "string"}}, "properties": {"a": {"$ref": "#/$defs/id"}, "b": {"$ref": "#/$defs/id"}}}
    check = compile_schema(schema)
    assert check({"a": "x", "b": "y"}) and not check({"a": "x", "b": 1})


@pytest.mark.parametrize(("schema", "pointer"), [
    ({"minimum": "a"}, "/minimum"), ({"maxLength": 1.5}, "/maxLength"), ({"minItems": -1}, "/minItems"),
    ({"required": "name"}, "/required"), ({"enum": 5}, "/enum"), ({"type": [["string"]]}, "/type"),
    ({"type": "text"}, "/type"), ({"properties": [1]}, "/properties"), ({"pattern": 5}, "/pattern"),
    ({"format": ["date"]}, "/format"), ({"allOf": []}, "/allOf"), ({"items": [True]}, "/items"),
    ({"$ref": 5}, "/$ref"), ({"uniqueItems": "yes"}, "/uniqueItems"),
    ({"properties": {"a": {"not": 3}}}, "/properties/a/not"), ({"anyOf": [{"maximum": None}]}, "/anyOf/0/maximum"),
])
def test_keyword_with_a_wrong_value_is_refused_with_its_pointer(schema, pointer):
    with pytest.raises(UnsupportedSchema) as caught:
        compile_schema(schema)
    assert caught.value.pointer == pointer


@pytest.mark.parametrize("pattern", ["^x-", "^abc_1", "^é"])
def test_a_prefix_pattern_answers_like_the_regex_engine(pattern):
    import re2

    from auditor.rules.patterns import compile_pattern, translate

    regex = re2.compile(translate(pattern))
    matches = compile_pattern(pattern)
    for text in ["x-note", "x", "X-note", "ax-", "", "x-", "abc_1", "abc_", "éa", "\u0301x-"]:
        assert matches(text) == (regex.search(text.encode("utf-8")) is not None), text


# Shapes read as runs of characters, and near misses left to RE2: a negated class, an
# escape, a range across kinds, a leading "-", one character, two runs, no anchor.
_RUN_PATTERNS = ["^[a-z0-9][a-z0-9_.-]*$", "^[a-z][a-z0-9_]*$", "^[A-Z]+$", "^[a-c_]*$", "^[a-]*$"]
_NOT_RUN_PATTERNS = ["^[-a]+$", "^[a-z]$", "^[a-z]+[0-9]$", "^[^a]+$", "^[\\d]+$", "^[A-z]+$",
                     "[a-z]+$", "^[a-z]+"]


@pytest.mark.parametrize("pattern", _RUN_PATTERNS + _NOT_RUN_PATTERNS)
def test_a_character_run_pattern_answers_like_the_regex_engine(pattern):
    import random

    import re2

    from auditor.rules.patterns import compile_pattern, translate

    regex = re2.compile(translate(pattern))
    matches = compile_pattern(pattern)
    rng = random.Random(pattern)
    alphabet = "abcxyzAZ09_.-+ \n\u00e9\ud800/]^["
    texts = ["", "a", "a\n", "\na", "-", "0a", "a-b.c_d"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    wrong = [text for text in texts
             if matches(text) != (regex.search(text.encode("utf-8", "surrogatepass")) is not None)]
    assert wrong == []


@pytest.mark.parametrize(("pattern", "read"), [(pattern, True) for pattern in _RUN_PATTERNS]
                         + [(pattern, False) for pattern in _NOT_RUN_PATTERNS])
def test_only_plain_character_runs_are_answered_without_the_regex_engine(pattern, read):
    from auditor.rules.patterns import _character_run

    assert (_character_run(pattern) is not None) == read


def test_a_backward_range_in_a_run_is_refused_as_before():
    from auditor.rules.patterns import PatternError, compile_pattern

    with pytest.raises(PatternError):
        compile_pattern("^[z-a][a-z]*$")


def test_pattern_answers_are_remembered_within_a_bound():
    from auditor.rules import patterns

    matches = patterns.compile_pattern("^[a-z]+[0-9]$")
    texts = [f"word{index % 10}" if index % 3 else f"Word{index}" for index in range(patterns._MEMO_ENTRIES + 500)]
    expected = [bool(text[:1].islower()) for text in texts]
    first = [matches(text) for text in texts]
    again = [matches(text) for text in texts]
    assert (first, again) == (expected, expected)
    assert len(patterns._ANSWERS) <= patterns._MEMO_ENTRIES
    assert not matches("x" * (patterns._MEMO_TEXT_LIMIT + 1))
    assert ("^[a-z]+[0-9]$", "x" * (patterns._MEMO_TEXT_LIMIT + 1)) not in patterns._ANSWERS
