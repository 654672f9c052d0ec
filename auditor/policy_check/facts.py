"""What a manifest obliges its privacy policy to disclose (clauses TR-8 and LU-5).

Each :class:`Requirement` is one fact the policy must state, the manifest element it comes
from, and the groups of words (from the language's word lists) that together show the fact
is stated. The kinds of access per Google API come from the scope catalog: the verbs of
Google's own consent text for each scope, mapped to read, write, send or delete by
``scope_access.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.policy_check.vocabulary import Group, Term, Vocabulary

_SCOPE_ACCESS = Path(__file__).resolve().parent / "scope_access.yaml"
_DURATION = re.compile(r"^P")
# Storage places on the developer's side: a policy saying "we store nothing" is contradicted
# by them, not by data kept on the user's own device or in the user's Google account.
DEVELOPER_SIDE = frozenset({"own_systems", "cloud_provider", "third_party", "portable_device"})
SALE_RECIPIENTS = frozenset({"data_broker", "information_reseller"})


@dataclass(frozen=True)
class Requirement:
    """One fact the policy must disclose.

    ``rule`` is the key of the rule in ``rules.yaml``; ``subject`` says the fact in words;
    ``element`` names the manifest element (``scopes/0``) and ``pointer`` points at it;
    ``groups`` are labelled term lists that must all occur in one window. ``needs`` names
    the manifest field that is missing when the fact cannot be judged (then incomplete).
    """

    rule: str
    key: str
    subject: str
    element: str
    pointer: str
    groups: tuple[tuple[str, Group], ...]
    needs: str | None = None


@dataclass(frozen=True)
class ScopeAccess:
    """Kinds of access per scope, read from Google's consent text."""

    verbs: dict[str, tuple[str, ...]]
    readonly_suffixes: tuple[str, ...]
    kinds: tuple[str, ...]

    def kinds_of(self, scope: str, description: str) -> tuple[str, ...]:
        if scope.endswith(self.readonly_suffixes):
            return ("read",)
        # Hyphenated words stay whole: "add-on" is a noun, not the verb "add".
        words = re.findall(r"[a-z]+(?:-[a-z]+)*", description.lower())
        found = {kind for word in words for kind in self.verbs.get(word, ())}
        return tuple(kind for kind in self.kinds if kind in found) or ("use",)


@cache
def scope_access() -> ScopeAccess:
    from auditor.resources import load_packaged_yaml

    with open(_SCOPE_ACCESS, encoding="utf-8") as handle:
        raw = load_packaged_yaml(handle)
    return ScopeAccess({verb: tuple(kinds) for verb, kinds in raw["verbs"].items()},
                       tuple(raw["readonly_suffixes"]), tuple(raw["kinds"]))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _union(*groups: Group) -> Group:
    return tuple(dict.fromkeys(term for group in groups for term in group))


def _literal(text: str) -> Term:
    return Term.parse(text.replace("*", " "))


def sensitive_scopes(data: dict[str, Any], catalog: ScopeCatalog) -> list[str]:
    """Requested scopes the catalog classifies as sensitive or restricted."""
    return [str(item.get("scope")) for item in _list(data.get("scopes"))
            if isinstance(item, dict) and catalog.classify(str(item.get("scope"))) in ("sensitive", "restricted")]


def api_access_requirements(data: dict[str, Any], catalog: ScopeCatalog, words: Vocabulary) -> list[Requirement]:
    """One requirement per Google API family and kind of access the scopes grant."""
    access = scope_access()
    apis: dict[str, dict[str, list[tuple[int, str]]]] = {}
    for index, item in enumerate(_list(data.get("scopes"))):
        entry = catalog.get(str(_dict(item).get("scope")))
        if entry is None or entry.status != "active":
            continue  # the audit reports unknown and retired scopes (SC-1)
        for kind in access.kinds_of(entry.scope, entry.description):
            apis.setdefault(entry.api, {}).setdefault(kind, []).append((index, entry.short))
    found = []
    for api, kinds in apis.items():
        for kind in access.kinds:
            if kind not in kinds:
                continue
            index, _ = kinds[kind][0]
            scopes = ", ".join(short for _, short in kinds[kind])
            found.append(Requirement(
                "access", f"access:{api}:{kind}", f"{kind} access to {api}", f"scopes/{index} ({scopes})",
                f"/scopes/{index}", ((f"{api} (API)", words.api_terms(api)), (f"{kind} (access)",
                                                                             words.terms("access", kind)))))
    return found


def data_requirements(data: dict[str, Any], words: Vocabulary) -> list[Requirement]:
    """One requirement per data element: its categories and each of its purposes."""
    found = []
    for index, item in enumerate(_list(data.get("data"))):
        item = _dict(item)
        element_id = str(item.get("id", index))
        categories = [str(c) for c in _list(item.get("categories"))]
        purposes = list(dict.fromkeys(str(p) for p in _list(item.get("purposes")) + _list(item.get("secondary_purposes"))))
        groups: list[tuple[str, Group]] = []
        if categories:
            groups.append((f"{', '.join(categories)} (data)", _union(*(words.terms("category", c) for c in categories))))
        groups += [(f"{purpose} (purpose)", words.terms("purpose", purpose)) for purpose in purposes]
        found.append(Requirement(
            "data", f"data:{element_id}", f"data `{element_id}` and its purposes ({', '.join(purposes)})",
            f"data/{index} ({element_id})", f"/data/{index}", tuple(groups),
            None if categories else f"/data/{index}/categories"))
    return found


def transfer_requirements(data: dict[str, Any], words: Vocabulary) -> list[Requirement]:
    """One requirement per transfer: the recipient, by name or kind, and that data goes there."""
    found = []
    for index, item in enumerate(_list(data.get("transfers"))):
        item = _dict(item)
        element_id = str(item.get("id", index))
        recipient, kind = str(item.get("recipient", "")), str(item.get("recipient_type", "other"))
        who = _union((_literal(recipient),), words.terms("recipient_type", kind))
        found.append(Requirement(
            "recipient", f"recipient:{element_id}", f"that data goes to {recipient} ({kind})",
            f"transfers/{index} ({element_id})", f"/transfers/{index}",
            ((f"{kind} (recipient)", who), ("sharing", words.terms("sharing")))))
    return found


def storage_requirements(data: dict[str, Any], words: Vocabulary) -> list[Requirement]:
    """Two requirements per storage place: where data is kept, and for how long."""
    found = []
    for index, item in enumerate(_list(data.get("storage"))):
        item = _dict(item)
        element_id = str(item.get("id", index))
        location = str(item.get("location", ""))
        element = f"storage/{index} ({element_id})"
        found.append(Requirement(
            "storage", f"storage:{element_id}", f"that data is kept ({location})", element, f"/storage/{index}",
            ((f"{location} (place)", words.terms("location", location)), ("storing", words.terms("storing")))))
        retention = item.get("retention")
        if retention is None:
            found.append(Requirement("retention", f"retention:{element_id}", "how long data is kept", element,
                                     f"/storage/{index}", (), f"/storage/{index}/retention"))
            continue
        kind = "duration" if _DURATION.match(str(retention)) else str(retention)
        groups = words.groups("retention", kind)
        labels = [f"{retention} (how long)", "kept or deleted"]
        found.append(Requirement(
            "retention", f"retention:{element_id}", f"how long data is kept ({retention})", element,
            f"/storage/{index}/retention", tuple(zip(labels, groups))))
    return found


def app_requirements(data: dict[str, Any], catalog: ScopeCatalog, words: Vocabulary) -> list[Requirement]:
    """Deletion, security contact and, with sensitive or restricted scopes, Limited Use."""
    app = _dict(data.get("app"))
    deletion_pointer = "/app/data_deletion_docs_url" if "data_deletion_docs_url" in app else "/app"
    found = [Requirement("deletion", "deletion", "how users delete their data", deletion_pointer.lstrip("/"),
                         deletion_pointer, (("deletion by the user", words.terms("deletion")),))]
    contact = words.terms("security_contact")
    if app.get("security_contact"):
        contact = _union((_literal(str(app["security_contact"])),), contact)
    contact_pointer = "/app/security_contact" if "security_contact" in app else "/app"
    found.append(Requirement("contact", "contact", "a security contact", contact_pointer.lstrip("/"), contact_pointer,
                             (("security contact", contact),)))
    if sensitive_scopes(data, catalog):
        pointer = "/app/limited_use_statement" if "limited_use_statement" in app else "/app"
        groups = words.groups("limited_use")
        found.append(Requirement("limited_use", "limited_use", "the Limited Use statement", pointer.lstrip("/"),
                                 pointer, tuple(zip(("limited use", "user data policy", "adhere"), groups))))
    return found


def required_facts(data: dict[str, Any], catalog: ScopeCatalog, words: Vocabulary) -> list[Requirement]:
    """Every fact the privacy policy of this manifest's app must disclose."""
    return (api_access_requirements(data, catalog, words) + data_requirements(data, words)
            + transfer_requirements(data, words) + storage_requirements(data, words)
            + app_requirements(data, catalog, words))


@dataclass(frozen=True)
class ClaimCheck:
    """A blanket claim a policy may make, and the manifest elements that contradict it.

    ``declared`` is false when the manifest leaves out the section that could contradict
    the claim (then the claim cannot be judged)."""

    claim: str
    declared: bool
    contradicted_by: tuple[tuple[str, str], ...]


def claim_checks(data: dict[str, Any]) -> list[ClaimCheck]:
    """For each kind of blanket claim, what in the manifest would make it false."""
    transfers = [(f"/transfers/{i}", str(_dict(t).get("id", i))) for i, t in enumerate(_list(data.get("transfers")))]
    stores = [(f"/storage/{i}", str(_dict(s).get("id", i))) for i, s in enumerate(_list(data.get("storage")))
              if _dict(s).get("location") in DEVELOPER_SIDE]
    sales = [(f"/transfers/{i}", str(_dict(t).get("id", i))) for i, t in enumerate(_list(data.get("transfers")))
             if _dict(t).get("purpose") == "sale" or _dict(t).get("recipient_type") in SALE_RECIPIENTS]
    sales += [(f"/data/{i}", str(_dict(d).get("id", i))) for i, d in enumerate(_list(data.get("data")))
              if "sale" in _list(_dict(d).get("purposes")) + _list(_dict(d).get("secondary_purposes"))]
    return [ClaimCheck("no_sharing", "transfers" in data, tuple(transfers)),
            ClaimCheck("no_storage", "storage" in data, tuple(stores)),
            ClaimCheck("no_sale", "transfers" in data and "data" in data, tuple(sales))]
