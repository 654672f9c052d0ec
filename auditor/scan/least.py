"""The least-privileged scope set that authorizes a set of calls, and how a manifest compares.

Each call is authorized by any one of a few scopes (the method table, narrowed by the
restrictions the call's arguments trigger). Choosing the cheapest set that covers every call
is a weighted set cover. Cost is compared in this order: fewer restricted scopes, fewer
sensitive scopes, fewer scopes, then narrower scopes (a scope that authorizes fewer methods
of the table is narrower), then the scope names (so ties break the same way every run).
Per-app sizes are small, so the search is exact (branch and bound) up to ``MAX_NODES``
search steps; beyond that a greedy cover is used and the result says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable

from auditor.scan.restrictions import Restriction, load_restrictions

if TYPE_CHECKING:
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.rules.i18n import Phrase
    from auditor.scan.calls import ApiCall

MAX_NODES = 20000
_CLASS_RANK = {"non_sensitive": 0, "sensitive": 1, "restricted": 2}


@dataclass(frozen=True)
class Excluded:
    """A scope that authorizes a method but not this call, and why (a catalog phrase, worded
    in the report's language)."""

    scope: str
    reason: Phrase


@dataclass(frozen=True)
class Caveat:
    """A scope offered for a call that reaches only some data: what the feature would give up
    (the restriction's :meth:`~auditor.scan.restrictions.Restriction.cost_phrase`)."""

    scope: str
    cost: Phrase
    source: str


@dataclass(frozen=True)
class CallNeed:
    """One call and the scopes that really authorize it."""

    call: ApiCall
    options: frozenset[str]
    excluded: tuple[Excluded, ...] = ()
    caveats: tuple[Caveat, ...] = ()


@dataclass(frozen=True)
class Cover:
    """A chosen scope set; ``exact`` is False when the search gave up and went greedy."""

    scopes: tuple[str, ...]
    exact: bool = True


@dataclass(frozen=True)
class Broader:
    """A declared scope broader than the calls it serves need."""

    scope: str
    instead: tuple[str, ...]
    calls: tuple[ApiCall, ...]
    caveats: tuple[Caveat, ...] = ()
    excluded: tuple[Excluded, ...] = ()


@dataclass(frozen=True)
class RuledOut:
    """Scopes cheaper than the one chosen for some calls that those calls rule out, all for
    the same reason: why the least-privileged set does not hold them."""

    scopes: tuple[str, ...]
    reason: Phrase
    calls: tuple[ApiCall, ...]


@dataclass(frozen=True)
class LeastPrivilege:
    """What the calls need and how the declared scopes compare with it."""

    needs: tuple[CallNeed, ...]
    needed: Cover
    broader: tuple[Broader, ...] = ()
    unauthorized: tuple[CallNeed, ...] = ()
    serving: frozenset[str] = field(default_factory=frozenset)
    ruled_out: tuple[RuledOut, ...] = ()


class ScopeCost:
    """The cost order of scopes and scope sets (see the module docstring)."""

    def __init__(self, catalog: ScopeCatalog, breadth: dict[str, int]) -> None:
        self.catalog = catalog
        self.breadth = breadth

    def rank(self, scope: str) -> int:
        classification = self.catalog.classify(scope)
        return _CLASS_RANK.get(classification or "restricted", 2)

    def of(self, scopes: Iterable[str]) -> tuple:
        scopes = sorted(set(scopes))
        ranks = [self.rank(scope) for scope in scopes]
        return (ranks.count(2), ranks.count(1), len(scopes), sum(self.breadth.get(s, 0) for s in scopes), scopes)

    def single(self, scope: str) -> tuple:
        return self.of([scope])


def needs_of(calls: Iterable[ApiCall], restrictions: tuple[Restriction, ...] | None = None) -> tuple[CallNeed, ...]:
    """Each call with the scopes that authorize it given its stated arguments."""
    restrictions = load_restrictions() if restrictions is None else restrictions
    needs = []
    for call in calls:
        options = set(call.scopes)
        excluded, caveats = [], []
        for restriction in restrictions:
            if restriction.scope not in options or not restriction.applies_to(call.method):
                continue
            reason = restriction.rules_out(call.stated, call.unseen)
            if reason is not None:
                options.discard(restriction.scope)
                excluded.append(Excluded(restriction.scope, reason))
            elif restriction.kind == "reach":
                caveats.append(Caveat(restriction.scope, restriction.cost_phrase(), restriction.source))
        needs.append(CallNeed(call, frozenset(options), tuple(excluded), tuple(caveats)))
    return tuple(needs)


def least_cover(option_sets: Iterable[frozenset[str]], cost: ScopeCost, max_nodes: int = MAX_NODES) -> Cover:
    """The cheapest scope set with at least one scope of every option set."""
    distinct = sorted({options for options in option_sets if options}, key=lambda options: (len(options), sorted(options)))
    if not distinct:
        return Cover(())
    best: list = [None, None]
    nodes = [0]

    def search(chosen: frozenset[str], remaining: list[frozenset[str]]) -> None:
        nodes[0] += 1
        if nodes[0] > max_nodes:
            return
        here = cost.of(chosen)
        if best[0] is not None and here >= best[0]:
            return
        open_sets = [options for options in remaining if not options & chosen]
        if not open_sets:
            best[0], best[1] = here, chosen
            return
        pick = min(open_sets, key=lambda options: (len(options), sorted(options)))
        for scope in sorted(pick, key=cost.single):
            search(chosen | {scope}, open_sets)

    search(frozenset(), distinct)
    if nodes[0] <= max_nodes and best[1] is not None:
        return Cover(tuple(sorted(best[1])))
    return Cover(tuple(sorted(_greedy(distinct, cost))), exact=False)


def _greedy(option_sets: list[frozenset[str]], cost: ScopeCost) -> set[str]:
    chosen: set[str] = set()
    remaining = list(option_sets)
    while remaining:
        candidates = sorted({scope for options in remaining for scope in options})
        scope = max(candidates, key=lambda s: (sum(1 for o in remaining if s in o) / (1 + 10 * cost.rank(s)),
                                                [-x if isinstance(x, int) else 0 for x in cost.single(s)[:4]]))
        chosen.add(scope)
        remaining = [options for options in remaining if scope not in options]
    return chosen


def compare(needs: tuple[CallNeed, ...], declared: Iterable[str], cost: ScopeCost) -> LeastPrivilege:
    """The least set for every call, and each declared scope judged against the calls it serves."""
    declared = sorted(set(declared))
    needed = least_cover((need.options for need in needs), cost)
    unauthorized = tuple(need for need in needs if need.options and not need.options & set(declared))
    broader = []
    serving: set[str] = set()
    for scope in declared:
        served = [need for need in needs if scope in need.call.scopes]
        if served:
            serving.add(scope)
        usable = [need for need in served if scope in need.options]
        if not usable:
            continue
        cover = least_cover((need.options for need in usable), cost)
        if scope in cover.scopes or cost.of(cover.scopes) >= cost.single(scope):
            continue
        instead = set(cover.scopes)
        caveats = {(c.scope, c.cost): c for need in usable for c in need.caveats if c.scope in instead}
        excluded = {(e.scope, e.reason): e for need in usable for e in need.excluded}
        broader.append(Broader(scope, cover.scopes, tuple(need.call for need in usable),
                               tuple(caveats[key] for key in sorted(caveats)),
                               tuple(excluded[key] for key in sorted(excluded))))
    return LeastPrivilege(needs, needed, tuple(broader), unauthorized, frozenset(serving),
                          ruled_out(needs, needed, cost))


def ruled_out(needs: tuple[CallNeed, ...], needed: Cover, cost: ScopeCost) -> tuple[RuledOut, ...]:
    """The scopes the calls rule out that would have been cheaper than the scope chosen for
    them (any, for a call no chosen scope authorizes): what a reader asks when a narrower
    scope is not offered. Scopes ruled out for the same reason in the same calls go
    together; in the order of their first scope, then of the reason."""
    chosen = set(needed.scopes)
    by_scope: dict[tuple[str, str], tuple[Phrase, list[ApiCall]]] = {}
    for need in needs:
        ceiling = min((cost.single(scope) for scope in need.options & chosen), default=None)
        for item in need.excluded:
            if ceiling is None or cost.single(item.scope) < ceiling:
                by_scope.setdefault((item.scope, str(item.reason)), (item.reason, []))[1].append(need.call)
    together: dict[tuple[str, tuple[ApiCall, ...]], tuple[Phrase, list[str]]] = {}
    for (scope, text), (reason, calls) in sorted(by_scope.items()):
        together.setdefault((text, tuple(calls)), (reason, []))[1].append(scope)
    return tuple(sorted((RuledOut(tuple(scopes), reason, calls) for (_, calls), (reason, scopes) in together.items()),
                        key=lambda item: (item.scopes, str(item.reason))))
