"""Scopes that authorize a method only for some arguments or some data (``restrictions.yaml``)."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.catalog.scope_names import canonical_scope

if TYPE_CHECKING:
    from auditor.rules.i18n import Phrase

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

    @property
    def cost_key(self) -> str:
        """Where a report catalog words ``cost`` (``costs.<scope>``, and for a limit on a
        parameter ``costs.<scope>.<parameter>``, as one scope may limit two): a language
        without it says the English of the data file."""
        from auditor.catalog.scope_names import short_scope

        key = f"costs.{short_scope(self.scope)}"
        if self.kind == "parameter":
            key += "." + (self.parameter or self.forbidden[0])
        return key

    def cost_phrase(self) -> Phrase:
        """``cost`` as reports word it (see :attr:`cost_key`)."""
        from auditor.rules.i18n import Phrase

        return Phrase(self.cost_key, default=self.cost)

    def rules_out(self, parameters: dict[str, str | None], unseen: str = "") -> Phrase | None:
        """Why the call's stated arguments rule this scope out, or ``None`` when they allow it.
        ``unseen`` is the kind of what may pass arguments the code does not show (see
        :class:`~auditor.scan.calls.ApiCall`): any of them may be one this scope forbids or
        a value it does not allow, so the scope is not offered."""
        from auditor.rules.i18n import Phrase

        if self.kind not in ("context", "parameter"):
            return None
        cost = self.cost_phrase()
        if self.kind == "context":
            return Phrase("scan.ruled_out.context", cost=cost)
        for name in self.forbidden:
            if name in parameters:
                return Phrase("scan.ruled_out.passes", name=name, cost=cost)
        if unseen:
            names = [*self.forbidden, *([self.parameter] if self.parameter else [])]
            return Phrase("scan.ruled_out.may_pass", names=names, unseen=Phrase(f"scan.unseen.{unseen}"), cost=cost)
        if self.parameter is not None:
            value = parameters.get(self.parameter, self.default)
            if value is None:
                return Phrase("scan.ruled_out.not_stated", parameter=self.parameter, allowed=list(self.allowed),
                              cost=cost)
            if value not in self.allowed:
                return Phrase("scan.ruled_out.asks_for", parameter=self.parameter, value=value, cost=cost)
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
