"""JSON Schema validation with errors a person can act on.

jsonschema reports what failed in the schema's terms ("Additional properties are not
allowed"); this module turns each error into the manifest's terms (the unknown key, where it
is, what was probably meant) and places it at the line and column of the offending node.

Two keywords run on our own code rather than jsonschema's, so that no input costs more than
linear time: ``pattern`` (with ``patternProperties`` and ``additionalProperties``, which match
keys against patterns) runs on RE2 through :mod:`auditor.rules.patterns`, and ``uniqueItems``
hashes each item once instead of comparing every pair (and says which item repeats which).
"""

from __future__ import annotations

import difflib
import json
from functools import cache
from pathlib import Path
from typing import Any, Iterable

from auditor.model.errors import AuditorError
from auditor.manifest.yaml_source import YamlDocument, escape_pointer_token

_JSON_TYPES = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "nothing (null)",
}
_EXTENSION_PREFIX = "x-"


@cache
def load_schema(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _validator(path: Path) -> Any:
    # jsonschema is imported here, not at module level: it is the heaviest import of a
    # validation run and `wsaudit --help` must not pay for it.
    from jsonschema import Draft202012Validator, FormatChecker, validators

    schema = load_schema(path)
    Draft202012Validator.check_schema(schema)
    linear = validators.extend(Draft202012Validator, {
        "pattern": _pattern_keyword,
        "patternProperties": _pattern_properties_keyword,
        "additionalProperties": _additional_properties_keyword,
        "uniqueItems": _unique_items_keyword,
    })
    # Only the formats whose checkers ship with jsonschema itself, so the verdict does not
    # depend on which optional packages happen to be installed.
    return linear(schema, format_checker=FormatChecker(formats=["date", "email"]))


def _pattern_keyword(validator: Any, pattern: str, instance: Any, schema: dict) -> Any:
    from jsonschema import ValidationError

    from auditor.rules.patterns import compile_pattern

    if validator.is_type(instance, "string") and not compile_pattern(pattern)(instance):
        yield ValidationError(f"{_short(instance)} does not match {pattern!r}")


def _pattern_properties_keyword(validator: Any, patterns: dict, instance: Any, schema: dict) -> Any:
    from auditor.rules.patterns import compile_pattern

    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        matches = compile_pattern(pattern)
        for key, value in instance.items():
            if matches(key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties_keyword(validator: Any, extra: Any, instance: Any, schema: dict) -> Any:
    from jsonschema import ValidationError

    from auditor.rules.patterns import compile_pattern

    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = [compile_pattern(pattern) for pattern in schema.get("patternProperties", {})]
    extras = [key for key in instance if key not in known and not any(matches(key) for matches in patterns)]
    if validator.is_type(extra, "object"):
        for key in extras:
            yield from validator.descend(instance[key], extra, path=key)
    elif extra is False and extras:
        yield ValidationError(f"additional properties are not allowed: {', '.join(map(repr, sorted(extras)))}")


def _unique_items_keyword(validator: Any, unique: bool, instance: Any, schema: dict) -> Any:
    from jsonschema import ValidationError

    from auditor.rules.json_values import first_duplicate

    if not unique or not validator.is_type(instance, "array"):
        return
    found = first_duplicate(instance)
    if found is not None:
        first, repeat = found
        error = ValidationError(f"item {repeat} repeats item {first}", path=[repeat])
        error.first_index = first  # type: ignore[attr-defined]
        yield error


def dotted(path: Iterable[Any]) -> str:
    """``['scopes', 0, 'requested']`` → ``scopes[0].requested`` (how messages name a place)."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "the top level"


def pointer_of(path: Iterable[Any]) -> str:
    return "".join("/" + escape_pointer_token(str(part)) for part in path)


def suggestion(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _describe(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    """``repr(value)``, cut to a length a one-line message can carry."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _shown(value: Any) -> str:
    """`` 'text'`` for a scalar worth quoting back; nothing for null, lists and mappings."""
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " " + _short(value)


@cache
def _fast_check(path: Path) -> Any:
    from auditor.rules.predicates import compile_schema

    return compile_schema(load_schema(path))


def check_against_schema(document: YamlDocument, schema_path: Path, error_type: type[AuditorError]) -> list[AuditorError]:
    """Validate ``document.data``; return one located error per problem, sorted by position.

    Valid documents, the common case, are confirmed by a compiled predicate in a fraction of
    the time; jsonschema runs only to explain what is wrong.
    """
    if _fast_check(schema_path)(document.data):
        return []
    validator = _validator(schema_path)
    errors: list[AuditorError] = []
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors(document.data):
        for pointer, message, at_key in _translate(error):
            if (pointer, message) in seen:
                continue
            seen.add((pointer, message))
            line, column = document.locate_key(pointer) if at_key else document.locate(pointer)
            errors.append(error_type(message, document.path, line, column))
    return sorted(errors, key=AuditorError.sort_key)


def _translate(error: Any) -> list[tuple[str, str, bool]]:
    """Return ``(pointer, message, point_at_key)`` triples for one jsonschema error."""
    path = list(error.absolute_path)
    where = dotted(path)
    pointer = pointer_of(path)
    kind = error.validator
    schema = error.schema
    instance = error.instance

    if kind == "additionalProperties" and isinstance(instance, dict):
        return _unknown_keys(instance, set(schema.get("properties", {})), path)
    if kind == "required":
        missing = [name for name in error.validator_value if isinstance(instance, dict) and name not in instance]
        return [(pointer, f"{where} is missing the required key {name!r}", True) for name in missing]
    if kind == "type":
        return [(pointer, _wrong_type(error.validator_value, instance, where), False)]
    if kind == "enum":
        return [(pointer, _not_allowed(error, path, where), False)]
    if kind == "const":
        return [(pointer, f"{where} must be {error.validator_value!r}, found {_short(instance)}", False)]
    if kind == "pattern" or kind == "format":
        what = schema.get("description") or "a valid value"
        return [(pointer, f"{where}: {_short(instance)} is not valid here; expected {what[0].lower() + what[1:]}", False)]
    if kind == "minItems":
        return [(pointer, f"{where} must list at least {error.validator_value} item(s)", False)]
    if kind == "uniqueItems":
        return [(pointer, _repeated_item(getattr(error, "first_index", None), path, where), False)]
    if kind == "minLength":
        return [(pointer, f"{where} must not be empty", False)]
    if kind == "maxLength":
        return [(pointer, f"{where} is too long: {len(instance)} characters, at most {error.validator_value}", False)]
    if kind in ("minimum", "maximum"):
        low, high = schema.get("minimum"), schema.get("maximum")
        return [(pointer, f"{where} must be between {low} and {high}, found {instance!r}", False)]
    return [(pointer, f"{where}: {error.message}", False)]


def _unknown_keys(instance: dict[str, Any], known: set[str], path: list[Any]) -> list[tuple[str, str, bool]]:
    """One error per key the schema does not know (``x-`` extension keys are always allowed),
    each pointing at the key itself."""
    where = dotted(path)
    return [(pointer_of([*path, key]),
             f"unknown key {key!r} in {where}{suggestion(key, known)}; "
             f"allowed: {', '.join(sorted(known))} (or an x- extension key)", True)
            for key in sorted(instance) if key not in known and not key.startswith(_EXTENSION_PREFIX)]


_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false",
               "integer": "a whole number", "number": "a number"}


def _wrong_type(expected: Any, instance: Any, where: str) -> str:
    """The type the schema wants in words, and what was found; a number or a boolean where a
    string belongs gets the hint to quote it (YAML read the unquoted value as one)."""
    names = expected if isinstance(expected, list) else [expected]
    wanted = " or ".join(_TYPE_WORDS.get(name, name) for name in names)
    hint = ""
    if "string" in names and isinstance(instance, (int, float, bool)):
        hint = " (quote it to make it a string)"
    return f"{where} must be {wanted}, found {_describe(instance)}{_shown(instance)}{hint}"


def _not_allowed(error: Any, path: list[Any], where: str) -> str:
    """A value outside an enum, with the choices (and the closest one when it looks like a typo)."""
    instance = error.instance
    allowed = [str(value) for value in error.validator_value if isinstance(value, str)]
    shown = ", ".join(allowed) if allowed else ", ".join(map(repr, error.validator_value))
    context = ""
    if "then" in error.schema_path and path and path[-1] == "use_case":
        context = " for this api"
    near = suggestion(str(instance), allowed) if isinstance(instance, str) and len(instance) <= 200 else ""
    return f"{where}: {_short(instance)} is not allowed{context}{near}; choose one of: {shown}"


def _repeated_item(first: int | None, path: list[Any], where: str) -> str:
    """A list repeating a value; names the item it repeats when the check recorded it."""
    if first is None or not path:
        return f"{where} lists the same value more than once"
    return f"{dotted(path[:-1])} lists the same value more than once: {where} repeats {dotted([*path[:-1], first])}"
