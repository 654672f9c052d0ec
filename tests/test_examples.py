"""Every shipped example is a test input: it audits to exactly the failures its comment lists."""

from __future__ import annotations

import datetime
import re
from collections import Counter

import pytest

from auditor.rules.batch import AuditSettings, audit_one
from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.model.report import ManifestResult
from auditor.rules.packs import load_packs
from auditor.manifest.file_reading import DEFAULT_MAX_BYTES
from tests.helpers import EXAMPLES

AS_OF = datetime.date(2026, 11, 21)
EXPECT = re.compile(r"^#\s+expect:\s+fail\s+([A-Z]{2}-\d+)\s+at\s+(\S+)")


def expected_failures(text: str) -> tuple[Counter, bool]:
    failures: Counter = Counter()
    closed = False
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = EXPECT.match(line)
        if match:
            failures[(match.group(1), match.group(2))] += 1
        elif re.match(r"^#\s+expect:\s+no (other )?failures\s*$", line):
            closed = True
    return failures, closed


@pytest.fixture(scope="module")
def settings():
    return AuditSettings(tuple(load_packs()), ScopeCatalog.load(), AS_OF, DEFAULT_MAX_BYTES)


EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def test_there_are_enough_examples():
    names = {path.stem for path in EXAMPLE_FILES}
    assert len(names) >= 6
    assert "inbox-digest" in names  # the fully compliant one


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_example_findings_match_its_comment(settings, path):
    expected, closed = expected_failures(path.read_text())
    assert closed, "the comment must end its list with 'expect: no other failures' or 'expect: no failures'"
    result = audit_one(str(path), settings)
    assert isinstance(result, ManifestResult), result
    got = Counter((finding.clause, finding.pointer) for finding in result.findings if finding.status == "fail")
    assert got == expected


def test_compliant_example_has_no_failure_and_no_incomplete(settings):
    result = audit_one(str(EXAMPLES / "inbox-digest.yaml"), settings)
    assert isinstance(result, ManifestResult)
    assert {finding.status for finding in result.findings} == {"pass"}
    assert len(result.findings) >= 40
