"""Inputs the fuzz campaign found crashing, kept as plain tests so they stay fixed."""

from __future__ import annotations

import json

from tests.helpers import run_wsaudit

TRACKER = "examples/manifests/receipt-tracker.yaml"
# GitHub refuses a comment body of this many characters or more.
COMMENT_LIMIT = 65_536


def test_markdown_report_stays_under_the_comment_limit_with_a_huge_waiver_pattern(write):
    # An expired waiver whose manifest pattern is 70,000 characters long: its warning used to
    # push the Markdown report past the comment limit and stop the run with a traceback.
    waivers = write("waivers.yaml", f"""\
waivers_version: 1
waivers:
  - rule: WUD-SC-004
    manifest: "{'a' * 70_000}"
    reason: Reviewed
    approved_by: security@example.com
    expires: 2025-01-31
""")
    result = run_wsaudit("audit", TRACKER, "--waivers", str(waivers), "--format", "markdown", "--as-of", "2026-11-21")
    assert result.code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stdout) < COMMENT_LIMIT
    # The warning is kept, its pattern clipped: the reader still learns the waiver expired.
    [warning] = [line for line in result.stdout.splitlines() if "WUD-SC-004 for aaa" in line]
    assert "**Waiver warnings**" in result.stdout
    assert warning.endswith("a…: waiver expired on 2025-01-31") and len(warning) < 70_000, warning[-200:]
    assert result.stdout.rstrip().endswith("</sub>")


def test_a_custom_pack_may_keep_an_extension_key_of_any_value_beside_its_messages(write):
    # `x-` keys are allowed in every mapping of a pack; one beside a rule's message templates
    # holding a list stopped the run with an internal error when the facts the templates
    # read were listed.
    pack = write("extra.yaml", """\
pack_version: 1
pack:
  id: extra
  version: 2026.12.0
  title: Extra checks
rules:
  - id: EXTRA-001
    title: Apps have a name
    severity: low
    category: transparency
    citation:
      section: Transparency
      quote: "disclose"
    select: /app
    assert:
      required: [name]
    message:
      fail: "{facts.label} has no name"
      x-note: [reviewed, 2026]
    remediation: Name it.
""")
    result = run_wsaudit("audit", TRACKER, "--policy", str(pack), "--no-builtin-policy", "--format", "json")
    findings = json.loads(result.stdout)["findings"] if result.code == 0 else []
    assert (result.code, [(finding["rule_id"], finding["status"]) for finding in findings]) == (
        0, [("EXTRA-001", "pass")]), result.stderr
