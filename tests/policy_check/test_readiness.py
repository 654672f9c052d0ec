"""``wsaudit verify-readiness``: OAuth verification answers and the pieces still missing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.manifest.load import load_manifest
from auditor.catalog.domains import registrable_domain
from auditor.verification.readiness import add_calendar_months, assess_readiness
from tests.helpers import run_wsaudit

BASE = """\
manifest_version: 1
app:
  name: Mail Sorter
  developer: Example Labs
  type: web
  homepage_url: {homepage}
  privacy_policy_url: {policy}
{audience}scopes:
  - scope: gmail.modify
{justification}    features: [Sort the inbox]
security:
  casa: {{completed: true, tier: 2, date: {casa}}}
"""


def _manifest(tmp_path: Path, homepage="https://www.mailsorter.example/", policy="https://mailsorter.example/privacy",
              audience="external", justification="Move messages into the folders the user chose.",
              casa="2025-02-28") -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(BASE.format(homepage=homepage, policy=policy,
                                audience=f"  audience: {audience}\n" if audience else "",
                                justification=f"    justification: {justification}\n" if justification else "",
                                casa=casa), encoding="utf-8")
    return path


def _statuses(path: Path, as_of=datetime.date(2026, 1, 10)) -> dict[str, str]:
    readiness = assess_readiness(load_manifest(str(path)), ScopeCatalog.load(), as_of)
    return {f.rule_id: f.status for f in readiness.findings}


def test_registrable_domains_come_from_the_public_suffix_list():
    assert registrable_domain("https://www.shop.example.co.uk/privacy") == "example.co.uk"
    assert registrable_domain("https://app.github.io/") == "app.github.io"
    assert registrable_domain("https://co.uk/") is None
    assert registrable_domain("https://127.0.0.1/") is None


def test_a_punycode_host_and_its_unicode_spelling_have_the_same_registrable_domain():
    assert (registrable_domain("https://www.shop.example.xn--p1ai/"), registrable_domain("https://shop.example.рф/")) \
        == ("example.xn--p1ai", "example.рф")


def test_ready_external_app_passes_everything(tmp_path):
    assert _statuses(_manifest(tmp_path)) == {"VRC-VR1-001": "pass", "VRC-VR2-001": "pass", "VRC-VR2-002": "pass",
                                              "VRC-VR2-003": "pass"}


@pytest.mark.parametrize("homepage, policy", [
    ("https://mailsorter.example/", "https://mailsorter-legal.example/privacy"),
    ("http://mailsorter.example/", "https://mailsorter.example/privacy"),
    ("https://a.github.io/", "https://b.github.io/privacy"),
])
def test_domain_mismatch_or_plain_http_fails(tmp_path, homepage, policy):
    assert _statuses(_manifest(tmp_path, homepage=homepage, policy=policy))["VRC-VR1-001"] == "fail"


def test_internal_app_needs_no_verification(tmp_path):
    statuses = _statuses(_manifest(tmp_path, audience="internal", justification=None))
    assert statuses == {"VRC-VR1-001": "pass", "VRC-VR2-001": "pass"}


def test_unknown_audience_is_incomplete(tmp_path):
    assert _statuses(_manifest(tmp_path, audience=None))["VRC-VR2-001"] == "incomplete"


def test_scope_without_justification_fails(tmp_path):
    assert _statuses(_manifest(tmp_path, justification=None))["VRC-VR2-002"] == "fail"


def test_assessment_is_due_twelve_calendar_months_later():
    assert add_calendar_months(datetime.date(2024, 2, 29), 12) == datetime.date(2025, 2, 28)
    assert add_calendar_months(datetime.date(2025, 1, 31), 12) == datetime.date(2026, 1, 31)


def test_overdue_assessment_fails(tmp_path):
    path = _manifest(tmp_path, casa="2024-12-01")
    assert _statuses(path, as_of=datetime.date(2025, 12, 1))["VRC-VR2-003"] == "pass"
    assert _statuses(path, as_of=datetime.date(2025, 12, 2))["VRC-VR2-003"] == "fail"


def test_command_writes_markdown_answers_and_exits_1_on_missing_pieces(tmp_path):
    path = _manifest(tmp_path, justification=None, casa="2024-01-01")
    run = run_wsaudit("verify-readiness", str(path), "--as-of", "2026-01-10")
    assert run.code == 1, run.stderr
    assert "## Scopes and justifications" in run.stdout
    assert "Justification to paste: MISSING" in run.stdout
    assert "Next one due by 2025-01-01" in run.stdout
    assert "VRC-VR2-002" in run.stderr and "VRC-VR2-003" in run.stderr


def test_command_exits_0_when_ready_and_html_escapes_manifest_text(tmp_path):
    path = _manifest(tmp_path, justification='"<script>alert(1)</script> \u202e"')
    run = run_wsaudit("verify-readiness", str(path), "--format", "html", "--as-of", "2026-01-10")
    assert run.code == 0, run.stderr
    assert "<script>" not in run.stdout and "\u202e" not in run.stdout
    assert "&lt;script&gt;" in run.stdout


def test_invalid_manifest_exits_2(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("manifest_version: 1\napp: {}\n", encoding="utf-8")
    run = run_wsaudit("verify-readiness", str(path))
    assert run.code == 2, run.stderr


def test_audience_outside_the_vocabulary_is_a_schema_error(tmp_path):
    run = run_wsaudit("validate", str(_manifest(tmp_path, audience="everyone")))
    assert run.code == 2, run.stderr
    assert "audience" in run.stderr
