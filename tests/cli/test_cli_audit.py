"""``wsaudit audit`` end to end: exit codes, the JSON contract, text output, several outputs."""

from __future__ import annotations

import json
import os

import pytest

from auditor.rules.packs import load_packs

from tests.helpers import EXAMPLES, MINIMAL, run_wsaudit

AS_OF = ["--as-of", "2026-11-21"]
FINDING_FIELDS = {"rule_id", "clause", "title", "severity", "status", "manifest", "pointer", "line", "column",
                  "message", "remediation", "citation"}


def test_json_report_follows_the_contract():
    result = run_wsaudit("audit", "examples/manifests", "--format", "json", *AS_OF)
    assert result.code == 1, result.stderr  # the examples include critical failures
    report = json.loads(result.stdout)
    assert report["report_version"] == 1
    assert report["tool"]["name"] == "wsaudit"
    [pack] = report["policies"]
    assert (pack["id"], pack["rules"]) == ("workspace-user-data", len(load_packs()[0].rules))
    assert [m["path"] for m in report["manifests"]] == [f"examples/manifests/{p.name}" for p in sorted(EXAMPLES.glob("*.yaml"))]
    assert {m["app"] for m in report["manifests"]} >= {"Inbox Digest"}
    statuses = {f["status"] for f in report["findings"]}
    assert {"fail", "pass", "incomplete"} <= statuses  # passes are included
    for finding in report["findings"]:
        assert FINDING_FIELDS <= set(finding)
        assert set(finding["citation"]) == {"policy", "section", "quote", "url"}
        assert finding["pointer"] == "" or finding["pointer"].startswith("/")
        assert finding["line"] >= 1 and finding["column"] >= 1
    summary = report["summary"]
    for status in ("fail", "incomplete", "pass", "waived", "baselined"):
        assert summary[status] == sum(1 for f in report["findings"] if f["status"] == status)
    assert summary["fail_by_severity"]["critical"] == sum(
        1 for f in report["findings"] if f["status"] == "fail" and f["severity"] == "critical")


def test_json_finding_points_at_the_element():
    report = json.loads(run_wsaudit("audit", "examples/manifests/receipt-tracker.yaml", "--format", "json", *AS_OF).stdout)
    [broker] = [f for f in report["findings"] if f["rule_id"] == "WUD-LU-002" and f["status"] == "fail"]
    assert broker["pointer"] == "/transfers/1"
    lines = (EXAMPLES / "receipt-tracker.yaml").read_text().splitlines()
    assert lines[broker["line"] - 1][broker["column"] - 1:].startswith("id: research-panel")
    assert broker["clause"] == "LU-2" and broker["severity"] == "critical"
    assert "research-panel" in broker["message"]


def test_output_is_byte_identical_across_runs(tmp_path):
    first = run_wsaudit("audit", "examples/manifests", "--format", "json", *AS_OF)
    second = run_wsaudit("audit", "examples/manifests", "--format", "json", "--jobs", "2", *AS_OF)
    assert first.stdout == second.stdout
    text_a = run_wsaudit("audit", "examples/manifests", *AS_OF).stdout
    assert text_a == run_wsaudit("audit", "examples/manifests", *AS_OF).stdout


# Exit code per example for each --fail-on: receipt-tracker fails critical and medium rules,
# chat-standup-bot high and medium, calendar-connector medium only, inbox-digest nothing.
FAIL_ON_TABLE = {
    "critical": (1, 0, 0, 0),
    "high": (1, 1, 0, 0),
    "medium": (1, 1, 1, 0),
    "low": (1, 1, 1, 0),
    "info": (1, 1, 1, 0),
    "never": (0, 0, 0, 0),
}


@pytest.mark.parametrize("fail_on", sorted(FAIL_ON_TABLE))
def test_fail_on_thresholds(fail_on):
    names = ("receipt-tracker", "chat-standup-bot", "calendar-connector", "inbox-digest")
    codes = tuple(run_wsaudit("audit", str(EXAMPLES / f"{name}.yaml"), "--fail-on", fail_on, *AS_OF).code
                  for name in names)
    assert codes == FAIL_ON_TABLE[fail_on]


def test_strict_counts_incomplete_findings(write):
    path = write("m.yaml", MINIMAL)  # a bare manifest: everything is incomplete, nothing fails
    result = run_wsaudit("audit", str(path), *AS_OF)
    assert result.code == 0, result.stderr
    strict = run_wsaudit("audit", str(path), "--strict", *AS_OF)
    assert strict.code == 1, strict.stderr
    assert "not enough evidence to decide (--strict: these count as failures)" in strict.stdout


def test_text_output_groups_by_manifest_failures_first():
    result = run_wsaudit("audit", "examples/manifests/receipt-tracker.yaml", "examples/manifests/inbox-digest.yaml", *AS_OF)
    # Each failure is followed by indented lines with its clause and fix; the finding lines are the rest.
    lines = [line for line in result.stdout.splitlines() if not line.startswith("      ")]
    assert lines[0].startswith("examples/manifests/receipt-tracker.yaml (Tallyho Receipts): 4 failed")
    severities = [line.split()[1] for line in lines[1:5]]
    assert severities == ["CRITICAL", "CRITICAL", "CRITICAL", "MEDIUM"]
    assert lines[1].startswith("  examples/manifests/receipt-tracker.yaml:")
    # The manifest's undecided findings come after its failures, under a heading of their own.
    headers = [line for line in lines if not line.startswith(" ")]
    assert headers[1].startswith("examples/manifests/inbox-digest.yaml (Inbox Digest): 0 failed")
    assert lines.index(headers[1]) > 5
    assert lines[-1].startswith("2 manifest(s): 4 failed (3 critical, 1 medium)")
    assert "\x1b[" not in result.stdout  # no colour when not on a terminal


def test_colour_only_on_a_terminal_and_never_with_no_color():
    import pty
    import subprocess
    import sys

    from tests.helpers import REPO

    def run_on_tty(extra_env: dict) -> str:
        leader, follower = pty.openpty()
        env = {**os.environ, **extra_env}
        env.pop("NO_COLOR", None) if "NO_COLOR" not in extra_env else None
        process = subprocess.Popen([sys.executable, "-m", "auditor", "audit", "examples/manifests/receipt-tracker.yaml",
                                    *AS_OF], cwd=REPO, stdout=follower, stderr=subprocess.DEVNULL, env=env)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=60)
        os.close(leader)
        return b"".join(chunks).decode()

    assert "\x1b[" in run_on_tty({})
    assert "\x1b[" not in run_on_tty({"NO_COLOR": "1"})


def test_several_formats_in_one_run(tmp_path):
    text_out, json_out = tmp_path / "audit.txt", tmp_path / "audit.json"
    result = run_wsaudit("audit", "examples/manifests", "--format", "text", "-o", str(text_out),
                         "--format", "json", "-o", str(json_out), *AS_OF)
    assert result.code == 1 and result.stdout == "", (result.stdout, result.stderr)
    report = json.loads(json_out.read_text())
    assert text_out.read_text().splitlines()[-1].startswith(f"{len(report['manifests'])} manifest(s): {report['summary']['fail']} failed")


def test_format_output_pairing_errors_exit_2():
    result = run_wsaudit("audit", "examples/manifests", "--format", "text", "--format", "json")
    assert result.code == 2, result.stderr
    result = run_wsaudit("audit", "examples/manifests", "-o", "a", "-o", "b")
    assert result.code == 2, result.stderr


def test_invalid_manifest_exits_2_and_the_others_are_still_reported(write):
    bad = write("bad.yaml", MINIMAL + "bogus: 1\n")
    result = run_wsaudit("audit", str(bad), "examples/manifests/inbox-digest.yaml", "--format", "json", *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{bad}:8:1: error: unknown key 'bogus'")
    assert [m["path"] for m in json.loads(result.stdout)["manifests"]] == ["examples/manifests/inbox-digest.yaml"]


def test_bad_as_of_is_a_usage_error():
    result = run_wsaudit("audit", "examples/manifests", "--as-of", "yesterday")
    assert result.code == 2, result.stderr


def test_large_batch_uses_workers_and_matches_serial(tmp_path):
    sources = sorted(EXAMPLES.glob("*.yaml"))
    for index in range(70):
        source = sources[index % len(sources)]
        (tmp_path / f"m{index:03d}.yaml").write_text(source.read_text())
    serial = run_wsaudit("audit", str(tmp_path), "--format", "json", "--jobs", "1", *AS_OF)
    parallel = run_wsaudit("audit", str(tmp_path), "--format", "json", "--jobs", "2", *AS_OF)
    assert serial.code == parallel.code == 1, serial.stderr + parallel.stderr
    assert serial.stdout == parallel.stdout
    assert len(json.loads(parallel.stdout)["manifests"]) == 70


def test_control_characters_from_a_manifest_do_not_reach_the_terminal(write):
    text = (EXAMPLES / "receipt-tracker.yaml").read_text().replace(
        "name: Tallyho Receipts", 'name: "Tallyho\\e[2J Receipts"', 1)
    path = write("m.yaml", text)
    result = run_wsaudit("audit", str(path), *AS_OF)
    assert result.code == 1, result.stderr
    assert "\x1b" not in result.stdout
    assert "(Tallyho\\x1b[2J Receipts)" in result.stdout
