"""The audit half of the honesty guard: which audit failures a disclosure must not hide.

The disclosure itself only says what the manifest supports (see
:mod:`auditor.disclosure.build`). This module runs the policy audit over the same manifest
so that ``wsaudit disclose`` can warn that what the manifest declares breaks the policy,
and refuse to write anything with ``--require-pass``.
"""

from __future__ import annotations

import datetime

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.findings import SEVERITY_RANK, Finding
from auditor.manifest.load import Manifest


def blocking_failures(manifest: Manifest, fail_on: str, as_of: datetime.date) -> list[Finding]:
    """Failed findings of the built-in policy at or above ``fail_on`` (none for ``never``)."""
    if fail_on == "never":
        return []
    from auditor.rules.engine import evaluate
    from auditor.rules.packs import load_packs

    result = evaluate(manifest, load_packs(), ScopeCatalog.load(), as_of)
    threshold = SEVERITY_RANK[fail_on]
    return [finding for finding in result.findings
            if finding.status == "fail" and SEVERITY_RANK[finding.severity] <= threshold]


def format_warning(finding: Finding) -> str:
    """``path:line:col: warning: RULE (severity): message`` for stderr."""
    return (f"{finding.manifest}:{finding.line}:{finding.column}: warning: "
            f"{finding.rule_id} ({finding.severity}): {finding.message}")
