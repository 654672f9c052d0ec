"""Rules, the engine's words and the diff's rules in another language.

The catalogs are ``policies/i18n/<lang>.yaml`` (the built-in pack's rules by id) and
``policies/i18n/diff-<lang>.yaml`` (the diff rules by id); the words the engine puts inside
messages (a gap, "or", element labels, our values) come from the report catalog of
:mod:`auditor.rules.i18n`. The rules are translated before evaluation, so the engine renders
each message once, in the report's language; a rule a catalog does not know (a custom
pack's) keeps its own wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from auditor.rules.i18n import (
    DEFAULT_LANGUAGE,
    CatalogError,
    Phrase,
    ReportText,
    check_language,
    read_yaml_catalog,
    report_text,
)


def rule_catalogs_dir() -> Path:
    from auditor.resources import policies_dir

    return policies_dir() / "i18n"


@cache
def rule_catalog(lang: str) -> dict[str, Any]:
    """The rule texts of ``lang`` by rule id (empty for English, the pack's own language)."""
    check_language(lang)
    path = rule_catalogs_dir() / f"{lang}.yaml"
    if lang == DEFAULT_LANGUAGE or not path.is_file():
        return {}
    raw = read_yaml_catalog(path)
    return {"defaults": raw.get("defaults") or {}, "rules": raw.get("rules") or {}}


def localize_packs(packs: list[Any], lang: str) -> list[Any]:
    """``packs`` with every rule the ``lang`` catalog knows worded in that language.

    A rule the catalog does not know (a custom pack's) keeps its own wording: an
    organisation's rule is written in the organisation's language.
    """
    if lang == DEFAULT_LANGUAGE:
        return list(packs)
    catalog = rule_catalog(lang)
    words = report_text(lang)
    return [replace(pack, rules=tuple(_localize_rule(rule, catalog, words) for rule in pack.rules), lang=lang)
            for pack in packs]


def _localize_rule(rule: Any, catalog: dict[str, Any], words: ReportText) -> Any:
    entry = catalog["rules"].get(rule.id)
    if entry is None:
        return rule
    say = words.punctuate
    messages = entry["message"]
    english_default_pass = "{facts.label}: " + rule.title[0].lower() + rule.title[1:]
    incomplete = messages.get("incomplete") or catalog["defaults"]["incomplete"]
    if "pass" in messages:
        passed = messages["pass"]
    elif rule.pass_message == english_default_pass:
        passed = "{facts.label} : " + entry["title"][0].lower() + entry["title"][1:]
    else:
        passed = rule.pass_message
    reasons = entry.get("reasons") or []
    return replace(
        rule,
        title=entry["title"],
        description=say(" ".join(entry["description"].split())) if entry.get("description") else rule.description,
        fail_message=say(messages["fail"]),
        pass_message=say(passed),
        incomplete_message=say(incomplete),
        remediation=say(entry["remediation"]),
        reasons=tuple(replace(reason, say=say(text)) for reason, text in zip(rule.reasons, reasons))
        + rule.reasons[len(reasons):],
        citation=replace(rule.citation, section=entry["citation"]["section"], quote=entry["citation"]["quote"]),
    )


@dataclass(frozen=True)
class MessageLanguage:
    """What the engine needs to word a message in another language: the gap, the word
    between alternatives, what separates a finding's reasons, element labels, and values
    that are ours (classification names, dates), never the manifest's."""

    none: str
    alternative: str
    separator: str
    labels: dict[str, str]
    values: dict[str, dict[str, str]]
    dates: frozenset[str]
    text: ReportText

    def value(self, path: str, node: Any) -> Any:
        if isinstance(node, Phrase):
            return node.worded(self.text)
        if isinstance(node, list) and any(isinstance(item, Phrase) for item in node):
            return [item.worded(self.text) if isinstance(item, Phrase) else item for item in node]
        if isinstance(node, str):
            if path in self.dates:
                return self.text.date(node)
            names = self.values.get(path.rsplit(".", 1)[-1])
            if names is not None:
                return names.get(node, node)
        return node

    def shown(self, subject: dict[str, Any], pointer: str) -> dict[str, Any]:
        """``subject`` with its element's label in this language (a copy; the facts the
        predicates read stay as they are)."""
        section = re.sub(r"/\d+(?=/|$)", "", pointer).strip("/")
        template = self.labels.get(section)
        facts = subject.get("facts")
        if template is None or not isinstance(facts, dict):
            return subject
        from auditor.rules.message_templates import render_message

        label = render_message(template, subject, self)
        return {**subject, "facts": {**facts, "label": label}}


@cache
def message_language(lang: str) -> MessageLanguage | None:
    """The engine's words for ``lang``; ``None`` for English, the engine's own."""
    if lang == DEFAULT_LANGUAGE:
        return None
    text = report_text(lang)
    engine = {key[len("engine."):]: value for key, value in text.strings.items() if key.startswith("engine.")}
    labels = {key[len("labels."):]: value for key, value in engine.items() if key.startswith("labels.")}
    values: dict[str, dict[str, str]] = {}
    for key, value in engine.items():
        if key.startswith("values."):
            field, _, name = key[len("values."):].partition(".")
            values.setdefault(field, {})[name] = value
    return MessageLanguage(none=engine["none"], alternative=engine["alternative"], separator=engine["separator"],
                           labels=labels, values=values, dates=frozenset(engine.get("dates", ())), text=text)


@dataclass(frozen=True)
class DiffLanguage:
    """What ``wsaudit diff`` needs to word its changes in another language: the diff rules
    worded in it, the names of the manifest's parts, the comparison's own words, and the
    engine's words for the messages the rules render."""

    rules: Any
    areas: dict[str, str]
    unset: str
    unknown_api: str
    classification_labels: dict[str, str]
    message: MessageLanguage | None

    def rule(self, rule_id: str) -> Any:
        return next(rule for rule in self.rules.rules if rule.id == rule_id)

    def facts(self, facts: dict[str, Any]) -> dict[str, Any]:
        """``facts`` with the words the comparison put in them (never the manifest's) in
        this language; the English facts stay as they are for the rules' conditions."""
        shown: dict[str, Any] = {}
        for key, value in facts.items():
            if key == "area":
                value = self.areas.get(value, value)
            elif key == "api" and value == "unknown API":
                value = self.unknown_api
            elif key == "classification_label":
                value = self.classification_labels.get(value, value)
            elif key.endswith("_shown") and value == "(unset)":
                value = self.unset
            shown[key] = value
        return shown


def _diff_citation_keys() -> dict[str, str]:
    """Each diff rule's citation key, as the English rules file names it."""
    from auditor.resources import policies_dir

    raw = read_yaml_catalog(policies_dir() / "facts" / "diff-rules.yaml")
    return {rule["id"]: rule["citation"] for rule in raw["rules"]}


@cache
def diff_language(lang: str) -> DiffLanguage | None:
    """The diff rules and words of ``lang``; ``None`` for English, the rules file's own.

    The catalog is ``policies/i18n/diff-<lang>.yaml``, keyed by rule id. A rule it does not
    know keeps its English wording."""
    if lang == DEFAULT_LANGUAGE:
        return None
    check_language(lang)
    from auditor.rules.policy_facts import diff_rules

    path = rule_catalogs_dir() / f"diff-{lang}.yaml"
    if not path.is_file():
        raise CatalogError(f"no diff rule catalog for language {lang!r}", str(path))
    raw = read_yaml_catalog(path)
    english = diff_rules()
    say = report_text(lang).punctuate
    try:
        citations = raw["citations"]
        keys = _diff_citation_keys()
        rules = []
        for rule in english.rules:
            entry = raw["rules"].get(rule.id)
            if entry is None:
                rules.append(rule)
                continue
            cited = citations[keys[rule.id]]
            rules.append(replace(rule, title=entry["title"], message=say(entry["message"]),
                                 remediation=say(entry["remediation"]),
                                 citation=replace(rule.citation, section=cited["section"], quote=cited["quote"])))
        values = raw.get("values") or {}
        return DiffLanguage(
            rules=replace(english, rules=tuple(rules), finding_message=say(raw["messages"]["finding"]),
                          fixed_message=say(raw["messages"]["fixed"])),
            areas={key[len("diff.areas."):]: value for key, value in report_text(lang).strings.items()
                   if key.startswith("diff.areas.")}, unset=values["unset"], unknown_api=values["unknown_api"],
            classification_labels=dict(values["classification_label"]), message=message_language(lang))
    except (KeyError, TypeError, AttributeError) as exc:
        raise CatalogError(f"malformed diff rule catalog ({exc!r})", str(path)) from None
