"""Scopes that authorize a method only for some arguments or some data (``restrictions.yaml``)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from auditor.catalog.scope_names import canonical_scope

_DATA = Path(__file__).resolve().parent / "restrictions.yaml"


@dataclass(frozen=True)
class Restriction:
    """One scope's limit on some methods; see the data file for the two kinds."""

    scope: str
    kind: str
    methods: tuple[str, ...]
    cost: str
    source: str
    quote: str
    parameter: str | None = None
    default: str | None = None
    allowed: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()

    def applies_to(self, method_id: str) -> bool:
        return any(fnmatch.fnmatchcase(method_id, pattern) for pattern in self.methods)

    def rules_out(self, parameters: dict[str, str | None], unseen: str = "") -> str | None:
        """Why the call's stated arguments rule this scope out, or ``None`` when they allow it.
        ``unseen`` names what may pass arguments the code does not show (see
        :class:`~auditor.scan.calls.ApiCall`): any of them may be one this scope forbids or
        a value it does not allow, so the scope is not offered."""
        if self.kind == "context":
            return self.cost
        if self.kind != "parameter":
            return None
        for name in self.forbidden:
            if name in parameters:
                return f"the call passes {name}: {self.cost}"
        if unseen:
            names = " or ".join([*self.forbidden, *([self.parameter] if self.parameter else [])])
            return f"the call may pass {names} through {unseen}: {self.cost}"
        if self.parameter is not None:
            value = parameters.get(self.parameter, self.default)
            if value is None:
                return f"the code does not state {self.parameter} as one of {', '.join(self.allowed)}: {self.cost}"
            if value not in self.allowed:
                return f"the call asks for {self.parameter}={value}: {self.cost}"
        return None


@cache
def load_restrictions() -> tuple[Restriction, ...]:
    """The packaged restrictions, read once."""
    from auditor.resources import load_packaged_yaml

    document = load_packaged_yaml(_DATA.read_text(encoding="utf-8"))
    return tuple(
        Restriction(canonical_scope(scope), item["kind"], tuple(item["methods"]), item["cost"],
                    item["source"], item["quote"], item.get("parameter"), item.get("default"),
                    tuple(item.get("allowed") or ()), tuple(item.get("forbidden") or ()))
        for item in document["restrictions"] for scope in item.get("scopes") or [item["scope"]])
