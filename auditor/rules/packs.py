"""Policy packs: rules written as YAML data, checked against their own schema and compiled.

A pack is a YAML file (format: ``auditor/schemas/policy-pack.schema.json``, reference:
``docs/rules.md``). Loading one checks its shape, compiles each rule's JSON Schema
predicates, and refuses anything malformed with the file, line and column, so a broken
rule can never pass silently.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from auditor.model.errors import ErrorList, PolicyError
from auditor.model.findings import Citation, RuleInfo, rule_info
from auditor.rules.predicates import Predicate, UnsupportedSchema, compile_schema
from auditor.resources import policies_dir, schemas_dir
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES
from auditor.manifest.yaml_source import YamlDocument, load_yaml_file

PACK_FORMAT_VERSION = 1
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.-]*)\}")
_FACT_ROOTS = ("facts", "manifest_facts")


@dataclass(frozen=True)
class Reason:
    """One way a rule can fail: when ``when`` holds for a failing element, ``say`` joins the
    finding's ``{reasons}`` and ``at`` (if given) is the field the finding points at."""

    when: Predicate
    say: str
    at: str | None


@dataclass(frozen=True)
class Rule:
    """One compiled rule (see ``docs/rules.md`` for the meaning of each part)."""

    id: str
    clause: str | None
    title: str
    description: str
    severity: str
    category: str
    tags: tuple[str, ...]
    citation: Citation
    select: str
    when_absent: str
    when: Predicate | None
    needs: tuple[tuple[str, ...], ...]
    assertion: Predicate
    fail_message: str
    pass_message: str
    incomplete_message: str
    remediation: str
    pack_id: str
    source: str
    line: int
    # The field the verdict is about, relative to the element (or absolute with a leading
    # ``/``); findings point at it, or at its nearest existing parent.
    at: str | None = None
    reasons: tuple[Reason, ...] = ()
    # Every fact the rule reads (``facts.classification``, ``manifest_facts.as_of``), so a
    # finding can show which evidence its verdict rests on.
    reads: frozenset[str] = frozenset()

    @cached_property
    def info(self) -> RuleInfo:
        """What the rule's findings say besides their verdict, built once and shared by them
        (a translated copy of the rule, made with ``dataclasses.replace``, builds its own)."""
        return rule_info(self)


# The fact of close catalog matches of an unknown scope, the one fact that costs a
# comparison with the whole catalog.
SUGGESTIONS_FACT = "facts.suggestions"


@dataclass(frozen=True)
class PolicyPack:
    id: str
    version: str
    title: str
    description: str
    policy_name: str | None
    policy_url: str | None
    rules: tuple[Rule, ...]
    source: str
    # The language the rules are worded in (``auditor.rules.rule_translation.localize_packs``
    # sets it).
    lang: str = "en"

    @cached_property
    def reads_suggestions(self) -> bool:
        """Whether a rule shows or judges close matches of an unknown scope
        (:data:`SUGGESTIONS_FACT`), worked out once per pack."""
        return any(SUGGESTIONS_FACT in rule.reads for rule in self.rules)


def pack_schema_path() -> Path:
    return schemas_dir() / "policy-pack.schema.json"


def builtin_pack_paths() -> list[Path]:
    """The audit's packs: those directly in ``policies/``. Subfolders hold other data, such
    as the live probe's own pack in ``policies/probe/``, which the audit must not load."""
    return sorted(policies_dir().glob("*.yaml"))


def load_pack(path: str | Path, display: str | None = None) -> PolicyPack:
    """Read, check and compile one policy pack file."""
    from auditor.manifest.schema_check import check_against_schema

    shown = display or str(path)
    document = load_yaml_file(path, DEFAULT_MAX_BYTES, shown, PolicyError)
    data = document.data
    if not isinstance(data, dict) or "rules" not in data:
        raise PolicyError("not a policy pack: expected a mapping with pack_version, pack and rules", shown, 1, 1)
    version = data.get("pack_version")
    if version != PACK_FORMAT_VERSION or isinstance(version, bool):
        line, column = document.locate("/pack_version")
        raise PolicyError(f"unsupported pack_version {version!r}; this wsaudit reads pack_version: 1",
                          shown, line, column)
    errors = check_against_schema(document, pack_schema_path(), PolicyError)
    if errors:
        raise ErrorList(errors)
    pack = data["pack"]
    policy = pack.get("policy", {})
    rules = tuple(_compile_rule(document, index, rule, pack["id"], policy) for index, rule in enumerate(data["rules"]))
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        if rule.id in seen:
            raise PolicyError(f"rule id {rule.id} is used twice in this pack (first at line {rules[seen[rule.id]].line})",
                              shown, rule.line, document.locate(f"/rules/{index}/id")[1])
        seen[rule.id] = index
    return PolicyPack(pack["id"], str(pack["version"]), pack["title"], pack.get("description", ""),
                      policy.get("name"), policy.get("url"), rules, shown)


def _compile_rule(document: YamlDocument, index: int, raw: dict[str, Any], pack_id: str,
                  policy: dict[str, Any]) -> Rule:
    base = f"/rules/{index}"

    def compile_at(key: str) -> Predicate | None:
        if key not in raw:
            return None
        try:
            return compile_schema(raw[key])
        except UnsupportedSchema as exc:
            line, column = schema_error_position(document, f"{base}/{key}", exc)
            raise PolicyError(f"rule {raw['id']}: {key}: {exc}", document.path, line, column) from None

    citation = raw["citation"]
    select = raw["select"]
    when_absent = raw.get("when_absent", "skip")
    if when_absent == "incomplete" and "*" not in select:
        line, column = document.locate(f"{base}/when_absent")
        raise PolicyError(f"rule {raw['id']}: when_absent applies only to a select with *", document.path, line, column)
    messages = raw["message"]
    assertion = compile_at("assert")
    assert assertion is not None  # required by the pack schema
    reasons = []
    for number, reason in enumerate(raw.get("reasons", ())):
        try:
            when = compile_schema(reason["when"])
        except UnsupportedSchema as exc:
            line, column = schema_error_position(document, f"{base}/reasons/{number}/when", exc)
            raise PolicyError(f"rule {raw['id']}: reasons: {exc}", document.path, line, column) from None
        reasons.append(Reason(when, reason["say"], reason.get("at")))
    return Rule(
        id=raw["id"],
        clause=raw.get("clause"),
        title=raw["title"],
        description=raw.get("description", ""),
        severity=raw["severity"],
        category=raw["category"],
        tags=tuple(raw.get("tags", ())),
        citation=Citation(
            policy=citation.get("policy") or policy.get("name") or pack_id,
            section=citation["section"],
            quote=citation["quote"],
            url=citation.get("url") or policy.get("url"),
        ),
        select=select,
        when_absent=when_absent,
        when=compile_at("when"),
        needs=tuple((item,) if isinstance(item, str) else tuple(item) for item in raw.get("needs", ())),
        assertion=assertion,
        fail_message=messages["fail"],
        pass_message=messages.get("pass", "{facts.label}: " + raw["title"][0].lower() + raw["title"][1:]),
        incomplete_message=messages.get("incomplete", "{facts.label}: cannot decide; the manifest does not say {missing}"),
        remediation=raw["remediation"],
        pack_id=pack_id,
        source=document.path,
        line=document.locate(base)[0],
        at=raw.get("at"),
        reasons=tuple(reasons),
        reads=fact_references(raw),
    )


# The message templates a rule may give (the keys of its `message`).
_MESSAGE_KINDS = ("fail", "pass", "incomplete")


def fact_references(raw: dict[str, Any]) -> frozenset[str]:
    """The facts a rule reads, as ``facts.NAME`` / ``manifest_facts.NAME``: in its
    predicates, its needs and its message templates."""
    found: set[str] = set()

    def schema_walk(schema: Any) -> None:
        if isinstance(schema, list):
            for item in schema:
                schema_walk(item)
            return
        if not isinstance(schema, dict):
            return
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for root in _FACT_ROOTS:
                if root in properties:
                    found.update(f"{root}.{name}" for name in _property_names(properties[root]))
        for value in schema.values():
            schema_walk(value)

    schema_walk([raw.get("when"), raw.get("assert"), [reason.get("when") for reason in raw.get("reasons", ())]])
    for item in raw.get("needs", ()):
        for path in [item] if isinstance(item, str) else item:
            root, _, rest = path.partition("/")
            if root in _FACT_ROOTS and rest:
                found.add(f"{root}.{rest.split('/')[0]}")
    # The templates only: a rule's message may also hold x- extension keys of any value.
    messages = raw.get("message", {})
    templates = [messages.get(kind) for kind in _MESSAGE_KINDS]
    templates += [reason.get("say") for reason in raw.get("reasons", ())]
    for template in templates:
        if not isinstance(template, str):
            continue
        for match in PLACEHOLDER.finditer(template):
            parts = match.group(1).split(".")
            if parts[0] in _FACT_ROOTS and len(parts) > 1:
                found.add(f"{parts[0]}.{parts[1]}")
    return frozenset(found)


def _property_names(schema: Any) -> set[str]:
    """Top-level property names a schema speaks of, through its combinators."""
    if not isinstance(schema, dict):
        return set()
    names = set(schema.get("properties", {})) | set(schema.get("required", []))
    for keyword in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(keyword, ()):
            names |= _property_names(sub)
    for keyword in ("not", "if", "then", "else"):
        names |= _property_names(schema.get(keyword))
    return names


def schema_error_position(document: YamlDocument, schema_pointer: str, error: UnsupportedSchema) -> tuple[int, int]:
    """Line and column of the keyword a predicate compiler refused: the key itself (the
    ``pattern:`` of a bad pattern), or the predicate when the keyword is not known."""
    return document.locate_key(schema_pointer + error.pointer)


def expand_policy_paths(paths: list[str]) -> list[str]:
    """Policy files named on the command line: a file as given, a folder's *.yaml / *.yml."""
    found: list[str] = []
    for given in paths:
        if os.path.isdir(given):
            inside = sorted(str(path) for path in Path(given).rglob("*") if path.suffix in (".yaml", ".yml"))
            if not inside:
                raise PolicyError("no *.yaml or *.yml policy pack in this folder", given)
            found.extend(inside)
        elif os.path.exists(given):
            found.append(given)  # a FIFO or device is refused by the loader, which never opens it
        else:
            raise PolicyError("no such policy file or folder", given)
    return found


def load_packs(extra: list[str] | tuple[str, ...] = (), builtin: bool = True) -> list[PolicyPack]:
    """The built-in packs, then every pack named in ``extra``; rule ids must be unique across all."""
    packs = [load_pack(path, f"policies/{path.name}") for path in builtin_pack_paths()] if builtin else []
    packs += [load_pack(path) for path in expand_policy_paths(list(extra))]
    owners: dict[str, Rule] = {}
    for pack in packs:
        for rule in pack.rules:
            if rule.id in owners:
                first = owners[rule.id]
                raise PolicyError(f"rule id {rule.id} is already defined in {first.source}:{first.line}",
                                  rule.source, rule.line, 1)
            owners[rule.id] = rule
    return packs
