"""The inventory of a manifest: its identity, scopes and data flow, as reports show them.

Built once per manifest from the validated data and the enrichment facts (classification,
API family, the most sensitive scope behind each element), so that no renderer reads a
manifest again or repeats a look-up. Values are worded for a reader here, but nothing is
judged: findings do that.
"""

from __future__ import annotations

from typing import Any

from auditor.rules.facts import Facts
from auditor.model.findings import FlowStep, Inventory, ScopeUse
from auditor.catalog.scope_names import canonical_scope

_LINKS = (("homepage", "homepage_url"), ("privacy policy", "privacy_policy_url"),
          ("data deletion help", "data_deletion_docs_url"))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value) or "none"
    return str(value)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _pairs(item: dict[str, Any], *fields: tuple[str, str]) -> list[tuple[str, str]]:
    """Label and value for each field the item states (a field left out is not shown)."""
    return [(label, _text(item[key])) for label, key in fields if key in item]


def _classification(facts: Facts, pointer: str) -> str:
    return str(facts.elements.get(pointer, {}).get("classification", "unknown"))


def _encryption(item: dict[str, Any]) -> list[tuple[str, str]]:
    encryption = item.get("encryption_at_rest")
    if not isinstance(encryption, dict) or "enabled" not in encryption:
        return []
    if not encryption["enabled"]:
        return [("encrypted at rest", "no")]
    extra = [str(encryption[key]) for key in ("algorithm", "key_management") if key in encryption]
    return [("encrypted at rest", "yes" + (f" ({', '.join(extra)})" if extra else ""))]


def _transport(item: dict[str, Any]) -> list[tuple[str, str]]:
    transport = item.get("transport")
    if not isinstance(transport, dict) or not transport:
        return []
    parts = [str(transport["protocol"])] if "protocol" in transport else []
    if "tls_min_version" in transport:
        parts.append(f"TLS {transport['tls_min_version']} or later")
    return [("transport", ", ".join(parts))]


def _section(data: dict[str, Any], key: str, build: Any) -> tuple[FlowStep, ...] | None:
    items = data.get(key)
    if not isinstance(items, list):
        return None
    return tuple(build(index, item) for index, item in enumerate(items) if isinstance(item, dict))


def build_inventory(data: dict[str, Any], facts: Facts) -> Inventory:
    """The inventory of a valid manifest's ``data``, with the facts enrichment computed."""
    app = data.get("app", {})
    links = tuple((label, str(app[key])) for label, key in _LINKS if key in app)
    if "security_contact" in app:
        links += (("security contact", str(app["security_contact"])),)

    scopes = []
    for index, item in enumerate(data.get("scopes", [])):
        scope_facts = facts.elements.get(f"/scopes/{index}", {})
        used_by = scope_facts.get("used_by_data")
        scopes.append(ScopeUse(
            scope=str(scope_facts.get("scope") or canonical_scope(str(item["scope"]))),
            classification=str(scope_facts.get("classification", "unknown")),
            api=scope_facts.get("api"),
            requested=item.get("requested"),
            justification=item.get("justification"),
            features=_strings(item.get("features")),
            data=tuple(used_by) if used_by is not None else None,
        ))

    def data_step(index: int, item: dict[str, Any]) -> FlowStep:
        details = _pairs(item, ("categories", "categories"), ("purposes", "purposes"),
                         ("secondary purposes", "secondary_purposes"), ("source scopes", "source_scopes"))
        return FlowStep(str(item["id"]), item.get("description"), _classification(facts, f"/data/{index}"),
                        (str(item["id"]),), tuple(details))

    def storage_step(index: int, item: dict[str, Any]) -> FlowStep:
        details = _pairs(item, ("location", "location")) + _encryption(item) + _pairs(
            item, ("retention", "retention"), ("region", "region"))
        return FlowStep(str(item["id"]), None, _classification(facts, f"/storage/{index}"),
                        _strings(item.get("data")), tuple(details))

    def transfer_step(index: int, item: dict[str, Any]) -> FlowStep:
        details = _pairs(item, ("recipient type", "recipient_type"), ("purpose", "purpose"),
                         ("user consent", "user_consent")) + _transport(item) + _pairs(item, ("network", "network"))
        return FlowStep(str(item["id"]), item.get("recipient"), _classification(facts, f"/transfers/{index}"),
                        _strings(item.get("data")), tuple(details))

    def access_step(index: int, item: dict[str, Any]) -> FlowStep:
        details = _pairs(item, ("basis", "basis"), ("consent documented", "consent_documented"))
        return FlowStep(str(item["role"]), None, _classification(facts, f"/human_access/{index}"),
                        _strings(item.get("data")), tuple(details))

    return Inventory(
        developer=str(app.get("developer", "")),
        app_type=str(app.get("type", "")),
        description=app.get("description"),
        links=links,
        scopes=tuple(scopes),
        data=_section(data, "data", data_step),
        storage=_section(data, "storage", storage_step),
        transfers=_section(data, "transfers", transfer_step),
        human_access=_section(data, "human_access", access_step),
    )
