"""The valid inputs every fuzz target starts from.

Mutants of valid files reach much further into the pipeline than random bytes: most of them
still parse, many still validate, and so the engine, the reporters, the disclosure and the
diff see them too. Seeds are the shipped examples, the minimal manifest, the rule-case
fragments, the built-in and documented policy packs, a waiver file and a baseline written
the way ``wsaudit audit --write-baseline`` writes one.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cache

import yaml

from tests.helpers import EXAMPLES, MINIMAL, REPO

AS_OF = datetime.date(2026, 11, 21)


@dataclass(frozen=True)
class Seed:
    """One valid input: a name to report it by and its bytes."""

    name: str
    raw: bytes = field(repr=False)


class Mutant:
    """A seed after mutation. Its repr names the seed and shows where the bytes changed, so a
    failure report reads as a small edit of a known file rather than a wall of bytes.
    (A plain class: Hypothesis prints dataclasses field by field, ignoring ``__repr__``.)"""

    __slots__ = ("seed", "raw")

    def __init__(self, seed: Seed, raw: bytes) -> None:
        self.seed = seed
        self.raw = raw

    def __repr__(self) -> str:
        old, new = self.seed.raw, self.raw
        start = 0
        while start < min(len(old), len(new)) and old[start] == new[start]:
            start += 1
        end_old, end_new = len(old), len(new)
        while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
            end_old, end_new = end_old - 1, end_new - 1
        line = old.count(b"\n", 0, start) + 1

        def clip(data: bytes) -> bytes:
            return data if len(data) <= 300 else data[:150] + b"..." + data[-150:]

        return (f"Mutant({self.seed.name!r}, {len(new)} bytes, from byte {start} (line {line}): "
                f"{clip(old[start:end_old])!r} -> {clip(new[start:end_new])!r})")


@cache
def manifest_seeds() -> tuple[Seed, ...]:
    """Every example manifest, the minimal one, and each manifest of the rule cases."""
    seeds = [Seed(path.name, path.read_bytes()) for path in sorted(EXAMPLES.glob("*.yaml"))]
    seeds.append(Seed("minimal.yaml", MINIMAL.encode("utf-8")))
    for path in sorted((REPO / "tests" / "rules" / "cases").glob("*.yaml")):
        cases = yaml.safe_load(path.read_text(encoding="utf-8")).get("cases", [])
        for index, case in enumerate(cases):
            if isinstance(case.get("manifest"), str):
                seeds.append(Seed(f"{path.stem}#{index}", case["manifest"].encode("utf-8")))
    return tuple(seeds)


SMALL_PACK = """\
pack_version: 1
pack: {id: small, version: "1", title: Small pack}
$defs: {}
rules:
  - id: SMALL-1
    title: Every scope says why it is needed
    severity: low
    category: scopes
    tags: [minimum-scope]
    citation: {section: S, quote: Q, url: "https://example.com/policy"}
    select: /scopes/*
    when_absent: incomplete
    needs: [justification]
    assert: {properties: {justification: {type: string, minLength: 1, pattern: "^[A-Z]"}}}
    message: {fail: "{facts.label} has no justification", pass: "{scope} says why"}
    remediation: Add a justification.
  - id: SMALL-2
    title: The app has a name
    severity: info
    category: app
    citation: {section: S2, quote: Q2}
    select: /app
    when: {required: [name]}
    assert: {anyOf: [{properties: {name: {maxLength: 100}}}, {not: {type: object}}]}
    message: {fail: "{name} is too long"}
    remediation: Shorten it.
"""


@cache
def documented_pack() -> str:
    """The worked example of ``docs/rules.md``, as a reviewer would copy it."""
    blocks = re.findall(r"```yaml\n(.*?)```", (REPO / "docs" / "rules.md").read_text(encoding="utf-8"), flags=re.S)
    return next(block for block in blocks if block.startswith("pack_version:"))


@cache
def pack_seeds() -> tuple[Seed, ...]:
    builtin = REPO / "policies" / "workspace-user-data.yaml"
    return (
        Seed(builtin.name, builtin.read_bytes()),
        Seed("acme-rules.yaml", documented_pack().encode("utf-8")),
        Seed("small.yaml", SMALL_PACK.encode("utf-8")),
    )


WAIVERS = """\
waivers_version: 1
x-owner: privacy-review
waivers:
  - rule: WUD-TR-004
    manifest: "*receipt-tracker.yaml"
    pointer: /disclosure
    reason: Sharing text ships in the next release
    approved_by: privacy-review@example.com
    expires: 2026-12-31
  - rule: WUD-SC-004
    manifest: "*"
    reason: Reviewed scope by scope in the quarterly access review
    approved_by: security@example.com
    expires: 2027-01-31
  - rule: WUD-SE-011
    manifest: "*.yaml"
    reason: Expired on purpose
    approved_by: security@example.com
    expires: 2025-01-31
  - rule: ACME-RET-001
    manifest: "[a-z]*"
    pointer: /storage/0
    reason: "Unicode: réexamen prévu — 審査中"
    approved_by: dpo@example.com
    expires: 2030-01-01
"""


@cache
def waiver_seeds() -> tuple[Seed, ...]:
    return (Seed("waivers.yaml", WAIVERS.encode("utf-8")),)
