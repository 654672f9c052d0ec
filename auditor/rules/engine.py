"""Evaluate compiled rules against a manifest and its facts, producing findings.

For every rule, each selected element goes through three steps, all of them data from the
rule: ``when`` (does the rule apply?), ``needs`` (does the manifest say enough to decide?
if not, the finding is *incomplete*, never *pass*) and ``assert`` (pass or fail).

A finding points at the most specific node its verdict is about: the field a failing
reason or the rule's ``at`` names, the first missing field of an incomplete finding, else
the element; a node the manifest leaves out is replaced by its nearest existing parent.
Only a missing top-level section, which has no parent but the document, keeps its own
pointer, placed at line 1, column 1.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any, Iterator

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.rules.facts import ELEMENT_CLASSIFICATION_FACTS, MANIFEST_CLASSIFICATION_FACTS, Facts, enrich
from auditor.model.findings import Finding, InferredClassification, ManifestResult
from auditor.manifest.inventory import build_inventory
from auditor.manifest.load import Manifest
from auditor.rules.packs import PLACEHOLDER, PolicyPack, Rule
from auditor.manifest.schema_check import dotted
from auditor.manifest.yaml_source import escape_pointer_token

_ABSENT = object()


def select(data: Any, pattern: str, when_absent: str) -> Iterator[tuple[str, Any]]:
    """Yield ``(pointer, element)`` for each element ``pattern`` selects.

    A pattern without ``*`` always yields its one element, ``_ABSENT`` when the manifest
    leaves it out (so the rule can say what is missing). A ``*`` over a missing list yields
    the list's own pointer as ``_ABSENT`` when ``when_absent`` is ``incomplete``.
    """
    tokens = pattern.split("/")[1:]

    def walk(node: Any, pointer: str, rest: list[str]) -> Iterator[tuple[str, Any]]:
        if not rest:
            yield pointer, node
            return
        token, remaining = rest[0], rest[1:]
        if token == "*":
            if node is _ABSENT:
                if when_absent == "incomplete":
                    yield pointer, _ABSENT
                return
            if isinstance(node, list):
                for index, item in enumerate(node):
                    yield from walk(item, f"{pointer}/{index}", remaining)
            elif isinstance(node, dict):
                for key in sorted(node):
                    yield from walk(node[key], f"{pointer}/{escape_pointer_token(key)}", remaining)
            return
        child = node.get(token, _ABSENT) if isinstance(node, dict) else _ABSENT
        yield from walk(child, f"{pointer}/{escape_pointer_token(token)}", remaining)

    yield from walk(data, "", tokens)


def _lookup(root: Any, path: str) -> Any:
    node = root
    for token in path.split("/"):
        if isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return _ABSENT
    return node


def _missing(needs: tuple[tuple[str, ...], ...], subject: dict[str, Any], pointer: str,
             data: dict[str, Any], alternative: str = " or ") -> tuple[list[str], str | None]:
    """The fields of ``needs`` that the manifest leaves out, named as a reader finds them,
    and the pointer of the first missing field of the element itself (``None`` if none).

    A path with a leading ``/`` is looked up in the manifest; any other path in the
    element, or in its facts when it starts with ``facts/`` or ``manifest_facts/`` (a fact
    that enrichment leaves unset when the manifest does not say enough to compute it).
    """
    missing: list[str] = []
    # Missing fields by the missing object they sit in: several fields of one missing object
    # are named as that object ("app.limited_use_statement", not each of its fields).
    parents: dict[str, list[str]] = {}
    first_field: str | None = None
    for alternatives in needs:
        names = []
        for path in alternatives:
            if path.startswith("/"):
                value = _lookup(data, path[1:])
                name = readable(path)
            else:
                value = _lookup(subject, path)
                name = path.replace("/", ".") if path.startswith(_FACT_ROOTS) else readable(f"{pointer}/{path}")
            if value is not _ABSENT:
                break
            names.append(name)
            if first_field is None and not path.startswith("/") and not path.startswith(_FACT_ROOTS):
                first_field = f"{pointer}/{path}"
        else:
            missing.append(alternative.join(names))
            if len(alternatives) == 1 and not alternatives[0].startswith(_FACT_ROOTS):
                gap = _missing_object(data if alternatives[0].startswith("/") else subject, alternatives[0])
                if gap is not None:
                    shown = readable(gap) if alternatives[0].startswith("/") else readable(f"{pointer}/{gap}")
                    parents.setdefault(shown, []).append(missing[-1])
    for shown, names in parents.items():
        if len(names) > 1:
            at = missing.index(names[0])
            missing = [name for name in missing if name not in names]
            missing.insert(at, shown)
    return missing, first_field


def _missing_object(root: Any, path: str) -> str | None:
    """The shortest missing prefix of ``path`` when it is shorter than the path (the field
    sits in an object the manifest leaves out), else ``None``."""
    tokens = path.strip("/").split("/")
    node = root
    for depth, token in enumerate(tokens[:-1]):
        if not (isinstance(node, dict) and token in node):
            prefix = "/".join(tokens[:depth + 1])
            return "/" + prefix if path.startswith("/") else prefix
        node = node[token]
    return None


_FACT_ROOTS = ("facts/", "manifest_facts/")


def readable(pointer: str) -> str:
    """``/scopes/0/requested`` → ``scopes[0].requested``, as messages name a place."""
    return dotted(int(token) if token.isdigit() else token for token in pointer.split("/")[1:])


def nearest_existing(data: Any, pointer: str) -> str:
    """``pointer`` itself when the manifest has that node, else its nearest existing parent
    (``""`` for the document)."""
    node, found = data, ""
    for escaped in pointer.split("/")[1:]:
        token = escaped.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            break
        found += "/" + escaped
    return found


def _target(pointer: str, at: str | None) -> str:
    if not at:
        return pointer
    return at if at.startswith("/") else f"{pointer}/{at}"


def render_message(template: str, subject: dict[str, Any], language: Any = None) -> str:
    """Fill ``{a.b}`` placeholders from the subject; lists are joined, a gap shows as ``(none)``.

    ``language`` (an ``auditor.rules.i18n.MessageLanguage``) words the gap and the values
    that are ours rather than the manifest's (classifications, dates) in another language;
    ``None`` is English."""
    none = "(none)" if language is None else language.none

    def value_of(match: Any) -> str:
        node: Any = subject
        for part in match.group(1).split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return none
        if language is not None:
            node = language.value(match.group(1), node)
        if isinstance(node, list):
            return ", ".join(str(item) for item in node) or none
        if isinstance(node, bool):
            return "true" if node else "false"
        return none if node is None else str(node)

    return PLACEHOLDER.sub(value_of, template)


def evaluate(manifest: Manifest, packs: list[PolicyPack], catalog: ScopeCatalog,
             as_of: datetime.date, language: Any = None, code: Any = None) -> ManifestResult:
    """Every finding of every rule of ``packs`` about ``manifest``, sorted; messages in
    ``language`` (see :func:`render_message`) when the packs' rules are worded in it;
    ``code`` (a scan of the app's code) adds the code's evidence to the facts."""
    data = manifest.data
    facts = enrich(data, catalog, as_of, code)
    findings = judge(manifest, packs, data, facts, language)
    return ManifestResult(manifest.path, manifest.app_name, tuple(findings), build_inventory(data, facts))


def judge(manifest: Manifest, packs: list[PolicyPack], document: dict[str, Any], facts: Facts,
          language: Any = None) -> list[Finding]:
    """Every finding of every rule of ``packs``, sorted: the rules select elements of
    ``document`` and read ``facts`` (both from :func:`enrich`); findings are placed in
    ``manifest``.

    For an audit ``document`` is the manifest's data. The live probe judges a view of the
    manifest with evidence added (its ``scopes`` extended by the granted scopes the manifest
    does not declare); an element the manifest does not have is placed at its nearest
    existing parent there, as a missing field is.
    """
    digests: dict[str, str] = {}
    findings = [finding for pack in packs for rule in pack.rules
                for finding in _evaluate_rule(rule, manifest, document, facts, digests, language)]
    findings.sort(key=Finding.sort_key)
    return findings


def content_digest(element: Any) -> str:
    """A short, stable hash of an element's content (absent elements hash alike).

    ``x-`` extension keys are the user's notes, ignored by every rule, so editing one
    does not change the element's identity.
    """
    text = "" if element is _ABSENT else json.dumps(_without_notes(element), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _without_notes(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_notes(item) for key, item in value.items() if not key.startswith("x-")}
    if isinstance(value, list):
        return [_without_notes(item) for item in value]
    return value


def finding_fingerprint(rule_id: str, manifest: str, digest: str) -> str:
    """Identity of a finding that survives moved lines and reordered lists: the rule, the
    manifest and the content of the element (not its position)."""
    path = manifest.removeprefix("./")
    return hashlib.sha256(f"{rule_id}\0{path}\0{digest}".encode("utf-8")).hexdigest()[:32]


def _evaluate_rule(rule: Rule, manifest: Manifest, data: dict[str, Any], facts: Facts,
                   digests: dict[str, str], language: Any = None) -> Iterator[Finding]:
    alternative = " or " if language is None else language.alternative
    for pointer, element in select(data, rule.select, rule.when_absent):
        element_facts = facts.elements.get(pointer) or {"label": readable(pointer)}
        if isinstance(element, dict):
            subject = dict(element)
        elif element is _ABSENT:
            subject = {}
        else:
            subject = {"value": element}
        subject["facts"] = element_facts
        subject["manifest_facts"] = facts.manifest
        subject["manifest"] = data
        # A missing list is reported as such; `when` speaks of the list's items.
        list_missing = element is _ABSENT and "*" in rule.select
        if rule.when is not None and not list_missing and not rule.when(subject):
            continue
        missing_field: str | None = None
        if element is _ABSENT:
            # Name the missing section once rather than every field the rule reads in it.
            absolute = tuple(alternatives for alternatives in rule.needs if alternatives[0].startswith("/"))
            missing = [readable(pointer)] + _missing(absolute, subject, pointer, data, alternative)[0]
        elif rule.needs:
            missing, missing_field = _missing(rule.needs, subject, pointer, data, alternative)
        else:
            missing = []
        target = _target(pointer, rule.at)
        if missing:
            status, template = "incomplete", rule.incomplete_message
            subject["missing"] = ", ".join(missing)
            target = missing_field or pointer
        elif rule.assertion(subject):
            status, template = "pass", rule.pass_message
        else:
            status, template = "fail", rule.fail_message
            reasons = [reason for reason in rule.reasons if reason.when(subject)]
            shown = subject if language is None else language.shown(subject, pointer)
            subject["reasons"] = "; ".join(render_message(reason.say, shown, language) for reason in reasons)
            target = next((_target(pointer, reason.at) for reason in reasons if reason.at), target)
        shown_pointer = nearest_existing(manifest.data, target)
        if shown_pointer:
            line, column = manifest.locate(shown_pointer)
        else:
            # A top-level section the manifest leaves out: no parent but the document.
            shown_pointer = "/" + target.split("/")[1]
            line, column = 1, 1
        digest = digests.get(pointer)
        if digest is None:
            digest = digests[pointer] = content_digest(element)
        yield Finding(
            rule=rule.info, status=status, manifest=manifest.path, pointer=shown_pointer, line=line, column=column,
            message=render_message(template, subject if language is None else language.shown(subject, pointer),
                                   language),
            fingerprint=finding_fingerprint(rule.id, manifest.path, digest),
            inferred=_inferred_behind(rule, pointer, facts),
        )


def _inferred_behind(rule: Rule, pointer: str, facts: Facts) -> tuple[InferredClassification, ...]:
    """Inferred scope classifications the rule's verdict or wording reads, by scope."""
    found: dict[str, InferredClassification] = {}
    if rule.reads & ELEMENT_CLASSIFICATION_FACTS:
        found.update((item.scope, item) for item in facts.inferred.get(pointer, ()))
    if rule.reads & MANIFEST_CLASSIFICATION_FACTS:
        found.update((item.scope, item) for item in facts.manifest_inferred)
    return tuple(found[scope] for scope in sorted(found))
