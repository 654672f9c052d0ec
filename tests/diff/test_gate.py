"""``--fail-on`` for a diff: exit 1 exactly when the change brings a failing finding at or
above the gate. Escalations fail at severity info, so only ``--fail-on info`` blocks on
them alone; findings the change introduces block at their own severity."""

from __future__ import annotations

import json

import pytest

from tests.helpers import run_wsaudit
from tests.diff.support import AD_TRANSFER, AS_OF, DIGEST, LONGER_RETENTION, RESTRICTED_SCOPE, edited


def exit_code(write, head_text: str, fail_on: str, reverse: bool = False) -> int:
    base, head = write("base.yaml", DIGEST), write("head.yaml", head_text)
    if reverse:
        base, head = head, base
    result = run_wsaudit("diff", str(base), str(head), "--fail-on", fail_on, *AS_OF)
    assert result.code in (0, 1), result.stderr
    return result.code


@pytest.mark.parametrize("fail_on, expected", [("info", 1), ("low", 0), ("high", 0), ("never", 0)])
def test_an_escalation_alone_blocks_only_at_info(write, fail_on, expected):
    assert exit_code(write, edited(LONGER_RETENTION), fail_on) == expected


def test_the_escalation_alone_is_a_failing_info_finding(write):
    base, head = write("base.yaml", DIGEST), write("head.yaml", edited(LONGER_RETENTION))
    report = json.loads(run_wsaudit("diff", str(base), str(head), "--format", "json", *AS_OF).stdout)
    found = [(f["rule_id"], f["status"], f["severity"]) for f in report["findings"]]
    assert found == [("WUD-DIFF-010", "fail", "info")]
    assert report["diff"]["manifests"][0]["introduced"] == []


@pytest.mark.parametrize("fail_on, expected", [("low", 1), ("medium", 1), ("high", 0), ("critical", 0)])
def test_an_introduced_finding_blocks_at_its_own_severity(write, fail_on, expected):
    # The restricted scope introduces a medium finding (and an info escalation).
    assert exit_code(write, edited(RESTRICTED_SCOPE), fail_on) == expected


@pytest.mark.parametrize("fail_on, expected", [("critical", 1), ("never", 0)])
def test_a_critical_introduction_blocks_until_never(write, fail_on, expected):
    assert exit_code(write, edited(AD_TRANSFER), fail_on) == expected


@pytest.mark.parametrize("fail_on", ["info", "high"])
def test_reductions_and_fixes_never_block(write, fail_on):
    assert exit_code(write, edited(RESTRICTED_SCOPE, AD_TRANSFER, LONGER_RETENTION), fail_on, reverse=True) == 0
