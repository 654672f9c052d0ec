"""``wsaudit rules``: select rules and show them as text, JSON or the Markdown reference."""

from __future__ import annotations

import json
from typing import Any

from auditor.rules.packs import PolicyPack, Rule
from auditor.model.text_safety import printable, printable_block


def filter_rules(packs: list[PolicyPack], severities: tuple[str, ...] = (), categories: tuple[str, ...] = (),
                 clauses: tuple[str, ...] = ()) -> list[Rule]:
    """The rules of ``packs`` matching every given filter, ordered by id."""
    wanted_clauses = {clause.upper() for clause in clauses}
    chosen = [
        rule for pack in packs for rule in pack.rules
        if (not severities or rule.severity in severities)
        and (not categories or rule.category in categories)
        and (not wanted_clauses or (rule.clause or "").upper() in wanted_clauses)
    ]
    return sorted(chosen, key=rule_order)


# The order of the policy coverage table: scopes, use cases, transparency, consent, Limited
# Use, human access, security; rules without a clause (custom ones) last.
_CLAUSE_FAMILIES = ("SC", "UC", "TR", "CN", "LU", "HA", "SE")


def rule_order(rule: Rule) -> tuple[int, int, str]:
    family, _, number = (rule.clause or "").partition("-")
    rank = _CLAUSE_FAMILIES.index(family) if family in _CLAUSE_FAMILIES else len(_CLAUSE_FAMILIES)
    return (rank, int(number) if number.isdigit() else 0, rule.id)


def _rule_json(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id, "clause": rule.clause, "title": rule.title, "severity": rule.severity,
        "category": rule.category, "pack": rule.pack_id, "select": rule.select,
        "citation": rule.citation.to_json(), "remediation": rule.remediation,
    }


def render_rules(packs: list[PolicyPack], rules: list[Rule], output_format: str) -> str:
    if output_format == "json":
        return json.dumps({"rules": [_rule_json(rule) for rule in rules]}, indent=2, sort_keys=True,
                          ensure_ascii=False) + "\n"
    if output_format == "markdown":
        return render_reference(packs, rules)
    width = max((len(rule.id) for rule in rules), default=7)
    lines = [f"{'ID':<{width}}  {'CLAUSE':<6}  {'SEVERITY':<8}  TITLE"]
    for rule in rules:
        # A custom pack's title is outside text: one visible line, whatever it holds.
        lines.append(f"{rule.id:<{width}}  {rule.clause or '-':<6}  {rule.severity:<8}  {printable(rule.title)}")
    lines.append(f"{len(rules)} rule(s)")
    return "\n".join(lines) + "\n"


def render_reference(packs: list[PolicyPack], rules: list[Rule]) -> str:
    """The Markdown rule reference (``docs/rules.md``), from its template."""
    from auditor.reporters.templating import markdown_environment

    template = markdown_environment().get_template("rules-reference.md.j2")
    by_pack = [(pack, [rule for rule in rules if rule.pack_id == pack.id]) for pack in packs]
    # The reference is Markdown meant as written (a pack's description may use it), so only
    # control and bidi characters, which no document needs raw, are shown as escapes.
    return printable_block(template.render(packs=by_pack).rstrip("\n")) + "\n"
