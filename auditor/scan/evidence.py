"""Code evidence for the audit (``wsaudit audit --code PATH``): facts about each declared scope.

The code is scanned once (:func:`auditor.scan.drift.scan_code`) and judged against each
manifest of the run: its calls are compared with that manifest's declared scopes
(:mod:`auditor.scan.least`). This module turns the comparison into facts, so the rules stay
data. Each element ``/scopes/N`` gets ``facts.code``:

``used``
    a call the code makes is authorized by the scope, or a scope string in the code names it;
``calls``
    the calls the scope authorizes, as ``method (file:line)``;
``strings``
    where a scope string names it, as ``file:line``;
``broader_than_needed``
    the calls the scope serves are authorized by a cheaper set of scopes (fewer restricted,
    then fewer sensitive, then fewer scopes: see :mod:`auditor.scan.least`);
``sufficient``, ``sufficient_for``, ``caveats``
    when broader: the scopes that would suffice (full URLs), the calls behind them, and what
    those scopes give up (a scope that reaches only some of the data).

and ``facts.use_evidence`` says what the scope is used by, in the code's terms. The whole app
gets ``manifest_facts.code``: the scanned ``paths``, ``files_scanned``, the number of
``calls`` and the ``needed`` scopes (the calls' least-privileged set).

Lists of places are cut at :data:`MAX_LISTED` items, the last one saying how many more there
are, so a scope behind hundreds of calls still gets a readable message. The words around the
values (``calls:``, ``and 3 more``, ``reaches``) are :class:`~auditor.rules.i18n.Phrase` values
worded by the report catalogs (group ``facts``), so a French audit says them in French.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from auditor.rules.i18n import Phrase

if TYPE_CHECKING:
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.scan.drift import CodeScan
    from auditor.scan.least import Caveat

MAX_LISTED = 10


def _listed(items: list[str]) -> list[str]:
    if len(items) <= MAX_LISTED:
        return items
    return items[:MAX_LISTED] + [Phrase("facts.more", count=len(items) - MAX_LISTED)]


def caveat_phrase(caveat: Caveat) -> Phrase:
    """What choosing ``caveat.scope`` gives up, as ``drive.file reaches only files …``; the
    cost is the restriction's English text unless the language's catalog words it
    (``costs.<scope>``)."""
    from auditor.catalog.scope_names import short_scope

    return Phrase("facts.caveat", scope=short_scope(caveat.scope), cost=caveat.cost)


def use_evidence(calls: list[str], strings: list[str]) -> Phrase:
    """What a scope's use rests on in the code: the calls it authorizes and the places a
    scope string names it (both as listed in ``facts.code``)."""
    if calls and strings:
        return Phrase("facts.use_evidence.calls_and_strings", calls=calls, strings=strings)
    if calls:
        return Phrase("facts.use_evidence.calls", calls=calls)
    if strings:
        return Phrase("facts.use_evidence.strings", strings=strings)
    return Phrase("facts.use_evidence.unused")


def _call_place(call: Any) -> str:
    return f"{call.method} ({call.path}:{call.line})"


def add_code_facts(elements: dict[str, dict[str, Any]], manifest: dict[str, Any], scan: CodeScan,
                   catalog: ScopeCatalog) -> None:
    """Add ``facts.code`` to every ``/scopes/N`` element and ``manifest_facts.code`` (see the
    module docstring); ``elements`` and ``manifest`` are the facts :func:`auditor.rules.facts.enrich`
    computed for one manifest."""
    from auditor.scan.drift import least_privilege

    pointers = sorted((pointer for pointer in elements if pointer.startswith("/scopes/")),
                      key=lambda pointer: int(pointer.rsplit("/", 1)[1]))
    declared = [elements[pointer]["scope"] for pointer in pointers]
    least = least_privilege(scan, declared, catalog)
    broader = {item.scope: item for item in least.broader} if least else {}
    for pointer in pointers:
        facts = elements[pointer]
        scope = facts["scope"]
        calls = [_call_place(call) for call in scan.calls if scope in call.scopes]
        strings = [f"{use.path}:{use.line}" for use in scan.uses if use.scope == scope]
        item = broader.get(scope)
        code: dict[str, Any] = {
            "used": bool(calls or strings),
            "calls": _listed(calls),
            "strings": _listed(strings),
            "broader_than_needed": item is not None,
            "sufficient": list(item.instead) if item else [],
            "sufficient_for": _listed([_call_place(call) for call in item.calls]) if item else [],
            "caveats": [caveat_phrase(caveat) for caveat in item.caveats] if item else [],
        }
        facts["code"] = code
        facts["use_evidence"] = use_evidence(code["calls"], code["strings"])
    manifest["code"] = {
        "paths": list(scan.paths),
        "files_scanned": scan.files_scanned,
        "calls": len(scan.calls),
        "needed": list(least.needed.scopes) if least else [],
    }
