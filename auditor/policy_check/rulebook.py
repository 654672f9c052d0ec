"""Rule metadata kept as data (titles, severities, citations, remediation) for the checks
that the audit engine does not evaluate: ``check-policy`` and ``verify-readiness``.

The findings they produce are the project's ordinary :class:`~auditor.model.findings.Finding`, so
every report format, ``--fail-on``, baselines and SARIF work on them unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from auditor.model.errors import AuditorError
from auditor.model.findings import Citation, Finding, RuleInfo, Severity, Status
from auditor.model.report import PackInfo

_RULE_KEYS = {"id", "clause", "title", "severity", "category", "citation", "remediation"}


@dataclass(frozen=True)
class Rulebook:
    pack: PackInfo
    rules: dict[str, RuleInfo]

    def finding(self, key: str, status: str, source: str, pointer: str, position: tuple[int, int], message: str,
                identity: Any) -> Finding:
        """A finding of rule ``key`` about ``source`` (the file the position points into).

        ``identity`` is what the finding is about (the manifest element and the fact); its
        hash, not the line, identifies the finding for baselines and SARIF.
        """
        from auditor.rules.engine import content_digest, finding_fingerprint

        rule = self.rules[key]
        return Finding(rule, Status(status), source, pointer, position[0], position[1], message,
                       finding_fingerprint(rule.id, source, content_digest(identity)))


@cache
def load_rulebook(path: Path) -> Rulebook:
    """Read a rules file (``rules.yaml`` next to the module that judges them)."""
    from auditor.resources import load_packaged_yaml

    with open(path, encoding="utf-8") as handle:
        raw = load_packaged_yaml(handle)
    try:
        pack, policy = raw["pack"], raw["policy"]
        rules: dict[str, RuleInfo] = {}
        for key, item in raw["rules"].items():
            if set(item) != _RULE_KEYS:
                raise KeyError(f"rule {key} must have exactly {sorted(_RULE_KEYS)}")
            cited = item["citation"]
            citation = Citation(cited.get("policy", policy["name"]), cited["section"], cited["quote"],
                                cited.get("url", policy.get("url")))
            rules[key] = RuleInfo(item["id"], item["clause"], item["title"], Severity(item["severity"]),
                                  item["category"], " ".join(str(item["remediation"]).split()), citation)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise AuditorError(f"malformed rules file: {exc}", str(path)) from None
    info = PackInfo(str(pack["id"]), str(pack["version"]), str(pack["title"]), len(rules), path.name)
    return Rulebook(info, rules)
