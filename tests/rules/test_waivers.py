"""Waivers: a waived finding keeps its severity and message; expired and unmatched ones are reported."""

from __future__ import annotations

import json
import os

import pytest

from tests.helpers import EXAMPLES, run_wsaudit

AS_OF = ["--as-of", "2026-11-21"]
TRACKER = "examples/manifests/receipt-tracker.yaml"


def audit_json(*args: str):
    result = run_wsaudit("audit", TRACKER, "--format", "json", *AS_OF, *args)
    return result, json.loads(result.stdout)


def test_waived_finding_keeps_severity_and_message_and_stops_failing(write):
    _, before = audit_json()
    [original] = [f for f in before["findings"] if f["rule_id"] == "WUD-TR-004"]
    waivers = write("waivers.yaml", f"""\
waivers_version: 1
waivers:
  - rule: WUD-TR-004
    manifest: {TRACKER}
    pointer: /disclosure
    reason: Sharing text ships in the next release
    approved_by: privacy-review@example.com
    expires: 2026-12-31
""")
    result, report = audit_json("--waivers", str(waivers), "--fail-on", "medium")
    [waived] = [f for f in report["findings"] if f["rule_id"] == "WUD-TR-004"]
    assert waived["status"] == "waived"
    assert (waived["severity"], waived["message"]) == (original["severity"], original["message"])
    assert waived["waiver"] == {"reason": "Sharing text ships in the next release",
                                "approved_by": "privacy-review@example.com", "expires": "2026-12-31"}
    assert report["summary"]["waived"] == 1
    assert report["summary"]["fail"] == before["summary"]["fail"] - 1
    assert report["waivers"] == []
    assert result.code == 1, result.stderr  # the critical failures are not waived
    text = run_wsaudit("audit", TRACKER, "--waivers", str(waivers), *AS_OF).stdout
    assert "[waived] the disclosure leaves something out" in text
    assert "waived until 2026-12-31 by privacy-review@example.com: Sharing text ships in the next release" in text


def test_glob_waiver_covers_every_matching_manifest_and_can_clear_the_run(write):
    waivers = write("waivers.yaml", """\
waivers_version: 1
waivers:
  - rule: WUD-SC-004
    manifest: examples/manifests/*.yaml
    reason: Reviewed scope by scope in the quarterly access review
    approved_by: security@example.com
    expires: 2027-01-31
  - rule: WUD-SE-011
    manifest: examples/manifests/calendar-*.yaml
    reason: Customer-hosted key, out of our control
    approved_by: security@example.com
    expires: 2027-01-31
""")
    path = str(EXAMPLES / "calendar-connector.yaml").replace(str(EXAMPLES.parent.parent) + "/", "")
    result = run_wsaudit("audit", path, "--waivers", str(waivers), "--fail-on", "medium", *AS_OF)
    assert result.code == 0, result.stdout
    assert result.stdout.count("[waived]") == 2


def test_expired_waiver_stops_waiving_and_is_reported(write):
    waivers = write("waivers.yaml", f"""\
waivers_version: 1
waivers:
  - rule: WUD-TR-004
    manifest: {TRACKER}
    reason: Temporary
    approved_by: someone@example.com
    expires: 2026-11-20
""")
    result, report = audit_json("--waivers", str(waivers))
    [finding] = [f for f in report["findings"] if f["rule_id"] == "WUD-TR-004"]
    assert finding["status"] == "fail"
    assert report["waivers"] == [{
        "kind": "expired", "rule_id": "WUD-TR-004", "manifest": TRACKER, "pointer": None,
        "source": str(waivers), "line": 3,
        "message": "waiver expired on 2026-11-20 and no longer waives a finding",
    }]
    # The last day of a waiver still counts.
    _, same_day = audit_json("--waivers", str(waivers), "--as-of", "2026-11-20")
    assert [f["status"] for f in same_day["findings"] if f["rule_id"] == "WUD-TR-004"] == ["waived"]
    text = run_wsaudit("audit", TRACKER, "--waivers", str(waivers), *AS_OF).stdout
    assert f"{waivers}:3: warning: WUD-TR-004 for {TRACKER}: waiver expired on 2026-11-20" in text


def test_unmatched_waiver_is_reported(write):
    waivers = write("waivers.yaml", f"""\
waivers_version: 1
waivers:
  - rule: WUD-SE-006
    manifest: {TRACKER}
    reason: No longer needed?
    approved_by: someone@example.com
    expires: 2027-06-30
  - rule: WUD-TR-004
    manifest: {TRACKER}
    pointer: /consent
    reason: Wrong element
    approved_by: someone@example.com
    expires: 2027-06-30
""")
    _, report = audit_json("--waivers", str(waivers))
    assert [(w["kind"], w["rule_id"], w["line"]) for w in report["waivers"]] == [
        ("unmatched", "WUD-SE-006", 3), ("unmatched", "WUD-TR-004", 8)]
    assert report["summary"]["waived"] == 0


def test_malformed_waiver_file_exits_2_located(write):
    waivers = write("waivers.yaml", """\
waivers_version: 1
waivers:
  - rule: WUD-TR-004
    manifest: x.yaml
    reason: r
    expires: 2027-13-01
""")
    result = run_wsaudit("audit", TRACKER, "--waivers", str(waivers), *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"{waivers}:3:5: error: waivers[0] is missing the required key 'approved_by'",
        f"{waivers}:6:14: error: waivers[0].expires: '2027-13-01' is not valid here; expected a calendar date, "
        "YYYY-MM-DD, after which the waiver stops waiving",
    ]


def test_a_waiver_of_an_element_covers_findings_about_its_fields(write):
    manifest = "examples/manifests/drive-sharing-report.yaml"
    waivers = write("waivers.yaml", f"""\
waivers_version: 1
waivers:
  - rule: WUD-SC-008
    manifest: {manifest}
    pointer: /auth
    reason: Every user's sharing must be reported
    approved_by: security@example.com
    expires: 2027-06-30
""")
    result = run_wsaudit("audit", manifest, "--format", "json", *AS_OF, "--waivers", str(waivers))
    report = json.loads(result.stdout)
    [waived] = [f for f in report["findings"] if f["rule_id"] == "WUD-SC-008"]
    assert (waived["status"], waived["pointer"]) == ("waived", "/auth/impersonates")
    assert report["waivers"] == []


BAD_WAIVER_FILES = {
    # kind: (content, line, column, fragment of the message)
    "utf-16": ("waivers_version: 1\nwaivers: []\n".encode("utf-16"), 1, 1, "UTF-16"),
    "deep": ("waivers_version: 1\nwaivers: " + "[" * 2000 + "]" * 2000 + "\n", 2, 74, "nesting deeper than 64 levels"),
    "tagged scalar": ('waivers_version: !!int ""\nwaivers: []\n', 1, 18, "cannot be read as !!int"),
    "huge integer": ("waivers_version: " + "1" * 5000 + "\nwaivers: []\n", 1, 18, "4300 digits"),
}


@pytest.mark.parametrize("kind", sorted(BAD_WAIVER_FILES))
def test_waiver_file_of_wrong_encoding_depth_or_scalar_is_one_located_error(write, kind):
    content, line, column, fragment = BAD_WAIVER_FILES[kind]
    waivers = write("waivers.yaml", content)
    result = run_wsaudit("audit", TRACKER, "--waivers", str(waivers), *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{waivers}:{line}:{column}: error: "), result.stderr
    assert fragment in result.stderr and "Traceback" not in result.stderr


def test_waiver_file_given_as_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "waivers.yaml"
    os.mkfifo(fifo)
    result = run_wsaudit("audit", TRACKER, "--waivers", str(fifo), *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{fifo}: error: ") and "not a regular file" in result.stderr


def test_long_waiver_file_costs_linear_time():
    import datetime

    from auditor.model.findings import Citation, Finding, RuleInfo, Waiver
    from auditor.model.report import ManifestResult
    from auditor.rules.waivers import WaiverSet
    from tests.helpers import work_done

    citation = Citation("P", "S", "Q", None)

    def waiving(count: int) -> tuple[WaiverSet, ManifestResult]:
        waivers = [Waiver(rule_id=f"X-{index}", manifest="*.yaml", pointer=None, reason="r", approved_by="a",
                          expires="2099-01-01", source="w.yaml", line=index) for index in range(count)]
        findings = tuple(Finding(RuleInfo(f"X-{index}", None, "T", "low", "c", "R", citation), "fail", "m.yaml",
                                 f"/data/{index}", 1, 1, "F") for index in range(count))
        return WaiverSet(waivers, datetime.date(2026, 11, 21)), ManifestResult("m.yaml", "App", findings)

    waiver_set, result = waiving(5_000)
    assert {finding.status for finding in waiver_set.apply(result).findings} == {"waived"}
    small, large = (work_done(lambda pair=waiving(count): pair[0].apply(pair[1])) for count in (5_000, 10_000))
    assert large <= 2.2 * small  # twice the waivers and findings, twice the work


def test_long_waiver_file_of_one_rule_costs_linear_time():
    # One waiver per element, all of one rule: each finding is compared with the waivers of
    # its own node and the nodes above it, not with every waiver of the rule.
    import datetime

    from auditor.model.findings import Citation, Finding, RuleInfo, Waiver
    from auditor.model.report import ManifestResult
    from auditor.rules.waivers import WaiverSet
    from tests.helpers import work_done

    rule = RuleInfo("X-1", None, "T", "low", "c", "R", Citation("P", "S", "Q", None))

    def waiving(count: int) -> tuple[WaiverSet, ManifestResult]:
        waivers = [Waiver(rule_id="X-1", manifest="*.yaml", pointer=f"/data/{index}", reason="r", approved_by="a",
                          expires="2099-01-01", source="w.yaml", line=index) for index in range(count)]
        findings = tuple(Finding(rule, "fail", "m.yaml", f"/data/{index}/purposes", 1, 1, "F")
                         for index in range(count))
        return WaiverSet(waivers, datetime.date(2026, 11, 21)), ManifestResult("m.yaml", "App", findings)

    waiver_set, result = waiving(2_000)
    waived = waiver_set.apply(result).findings
    assert len(waived) == 2_000 and all(finding.pointer == f"{finding.waiver.pointer}/purposes" for finding in waived)
    small, large = (work_done(lambda pair=waiving(count): pair[0].apply(pair[1])) for count in (2_000, 4_000))
    assert large <= 2.2 * small  # twice the waivers and findings, twice the work
