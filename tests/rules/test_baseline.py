"""Baselines: recorded findings are reported as baselined, matched by content, never by line."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.rules.engine import content_digest
from tests.helpers import EXAMPLES, run_wsaudit

AS_OF = ["--as-of", "2026-11-21"]


def statuses(path, baseline) -> dict[tuple[str, str], str]:
    result = run_wsaudit("audit", str(path), "--format", "json", "--baseline", str(baseline), *AS_OF)
    report = json.loads(result.stdout)
    return {(f["rule_id"], f["pointer"]): f["status"] for f in report["findings"] if f["status"] != "pass"}, result.code


def test_write_then_apply_baseline(tmp_path):
    manifest = tmp_path / "bot.yaml"
    manifest.write_text((EXAMPLES / "chat-standup-bot.yaml").read_text())
    baseline = tmp_path / "baseline.json"
    first = run_wsaudit("audit", str(manifest), "--write-baseline", str(baseline), *AS_OF)
    assert first.code == 1, first.stderr
    document = json.loads(baseline.read_text())
    assert document["baseline_version"] == 1
    assert sorted((f["rule_id"], f["pointer"]) for f in document["findings"]) == [
        ("WUD-CN-003", "/consent/navigation_away_counts_as_consent"), ("WUD-LU-003", "/transfers/0/user_consent"),
        ("WUD-LU-003", "/transfers/1/user_consent"), ("WUD-SC-004", "/scopes/1"),
        ("WUD-SE-003", "/transfers/1/transport"), ("WUD-SE-010", "/security/https_only"),
        ("WUD-VR-002", "/scopes/1")]  # incomplete: the example does not say its audience
    found, code = statuses(manifest, baseline)
    assert code == 0
    assert set(found.values()) == {"baselined"}
    # Writing the baseline again from a baselined run keeps the same records.
    again = tmp_path / "again.json"
    run_wsaudit("audit", str(manifest), "--baseline", str(baseline), "--write-baseline", str(again), *AS_OF)
    assert json.loads(again.read_text())["findings"] == [
        {**record, "status": "baselined"} for record in document["findings"]]


def test_baseline_survives_lines_inserted_above_and_reordered_lists(tmp_path):
    manifest = tmp_path / "bot.yaml"
    original = (EXAMPLES / "chat-standup-bot.yaml").read_text()
    manifest.write_text(original)
    baseline = tmp_path / "baseline.json"
    run_wsaudit("audit", str(manifest), "--write-baseline", str(baseline), *AS_OF)
    # Lines inserted above every baselined element, and a new transfer put first in its list
    # so the baselined webhook transfer moves from /transfers/1 to /transfers/2.
    edited = original.replace("manifest_version: 1\n", "manifest_version: 1\n# a note\n# another note\n", 1)
    edited = edited.replace("transfers:\n", "transfers:\n  - id: audit-log\n    recipient: Internal audit log\n"
                            "    recipient_type: affiliate\n    data: [" + _first_data_id(original) + "]\n"
                            "    purpose: security\n    network: internal\n", 1)
    manifest.write_text(edited)
    found, code = statuses(manifest, baseline)
    assert found[("WUD-SE-003", "/transfers/2/transport")] == "baselined"
    assert found[("WUD-CN-003", "/consent/navigation_away_counts_as_consent")] == "baselined"
    assert "fail" not in found.values()
    assert code == 0


def test_a_changed_element_comes_back(tmp_path):
    manifest = tmp_path / "bot.yaml"
    original = (EXAMPLES / "chat-standup-bot.yaml").read_text()
    manifest.write_text(original)
    baseline = tmp_path / "baseline.json"
    run_wsaudit("audit", str(manifest), "--write-baseline", str(baseline), *AS_OF)
    # A note added to the consent element changes nothing the rules read: still baselined.
    manifest.write_text(original.replace("consent:\n", "consent:\n  x-reviewed: by the privacy team\n", 1))
    found, _ = statuses(manifest, baseline)
    assert found[("WUD-CN-003", "/consent/navigation_away_counts_as_consent")] == "baselined"
    # A real change to the element (still failing CN-3) is no longer the finding accepted.
    manifest.write_text(original.replace("  affirmative_action: button\n", "  affirmative_action: tap\n", 1))
    found, code = statuses(manifest, baseline)
    assert found[("WUD-CN-003", "/consent/navigation_away_counts_as_consent")] == "fail"
    assert found[("WUD-SE-010", "/security/https_only")] == "baselined"
    assert code == 1


def test_new_finding_fails_despite_baseline(tmp_path):
    manifest = tmp_path / "m.yaml"
    original = (EXAMPLES / "inbox-digest.yaml").read_text()
    manifest.write_text(original)
    baseline = tmp_path / "baseline.json"
    result = run_wsaudit("audit", str(manifest), "--write-baseline", str(baseline), *AS_OF)
    assert result.code == 0, result.stderr
    assert json.loads(baseline.read_text())["findings"] == []
    manifest.write_text(original.replace("navigation_away_counts_as_consent: false",
                                         "navigation_away_counts_as_consent: true"))
    found, code = statuses(manifest, baseline)
    # Navigating away as consent also voids the consent the model-host transfer relies on.
    assert found == {("WUD-CN-003", "/consent/navigation_away_counts_as_consent"): "fail",
                     ("WUD-LU-003", "/transfers/0/user_consent"): "fail"}
    assert code == 1


def test_bad_baseline_file_exits_2(write):
    bad = write("baseline.json", "{not json")
    result = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--baseline", str(bad), *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{bad}:1:2: error: the baseline is not valid JSON")
    other = write("other.json", json.dumps({"findings": []}))
    outcome = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--baseline", str(other))
    assert outcome.code == 2, outcome.stderr


def _first_data_id(text: str) -> str:
    block = text.split("\ndata:\n", 1)[1]
    return block.split("id:", 1)[1].split()[0].strip()


BAD_BASELINES = {
    # kind: (content, where the error is, a fragment of its message)
    "findings null": ('{"baseline_version": 1, "findings": null}', "", "findings must be a list"),
    "list at top": ("[1, 2]", ":1:1", "not a wsaudit baseline"),
    "record not a mapping": ('{"baseline_version": 1, "findings": ["x"]}', "", "findings[0] must be a mapping"),
    "number for a string": ('{"baseline_version": 1, "findings": [{"rule_id": 1, "manifest": "m.yaml", '
                            '"pointer": "/app", "fingerprint": "f"}]}', "", "findings[0] has a non-string rule_id"),
    "missing field": ('{"baseline_version": 1, "findings": [{"rule_id": "X-1"}]}', "", "findings[0] lacks manifest"),
    "utf-16": ('{"baseline_version": 1, "findings": []}'.encode("utf-16"), ":1:1", "UTF-16"),
    "deep": ("[" * 100_000 + "]" * 100_000, ":1:65", "nesting deeper than 64 levels"),
    "NaN": ('{"baseline_version": 1, "findings": [], "x": NaN}', ":1:46", "NaN"),
    "Infinity": ('{"baseline_version": 1, "findings": [], "x": -Infinity}', ":1:46", "-Infinity"),
    "huge integer": ('{"baseline_version": 1, "findings": [], "x": ' + "9" * 5000 + "}", ":1:46", "4300 digits"),
    "overflowing float": ('{"baseline_version": 1, "findings": [], "x": 1e999}', "", "1e999"),
}


@pytest.mark.parametrize("kind", sorted(BAD_BASELINES))
def test_malformed_baseline_is_one_located_error(write, kind):
    content, where, fragment = BAD_BASELINES[kind]
    baseline = write("baseline.json", content)
    result = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--baseline", str(baseline), *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.splitlines()[0].startswith(f"{baseline}{where}: error: "), result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


def test_baseline_given_as_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "baseline.json"
    os.mkfifo(fifo)
    result = run_wsaudit("audit", str(EXAMPLES / "inbox-digest.yaml"), "--baseline", str(fifo), *AS_OF)
    assert result.code == 2, result.stderr
    assert result.stderr.startswith(f"{fifo}: error: ") and "not a regular file" in result.stderr


def test_many_identical_records_are_matched_in_linear_time():
    from auditor.rules.baseline import Baseline, BaselineEntry
    from auditor.model.findings import Citation, Finding, RuleInfo
    from auditor.model.report import ManifestResult

    from tests.helpers import work_done

    citation = Citation("P", "S", "Q", None)
    rule = RuleInfo("X-1", None, "T", "low", "c", "R", citation)

    def match(count: int) -> tuple[Baseline, ManifestResult]:
        findings = tuple(Finding(rule, "fail", "m.yaml", f"/moved/{index}", index + 1, 1, "F", fingerprint="same")
                         for index in range(count + 1))
        baseline = Baseline([BaselineEntry("X-1", "m.yaml", f"/data/{index}", "same") for index in range(count)])
        return baseline, ManifestResult("m.yaml", "App", findings)

    baseline, result = match(5_000)
    applied = baseline.apply(result)
    assert sorted(finding.status for finding in applied.findings) == ["baselined"] * 5_000 + ["fail"]
    assert baseline.unused() == 0
    small, large = (work_done(lambda pair=match(count): pair[0].apply(pair[1])) for count in (5_000, 10_000))
    assert large <= 2.2 * small  # twice the records, twice the work


def test_a_record_whose_finding_was_fixed_is_reported_stale_in_text_and_json(tmp_path, wsaudit):
    import shutil

    manifest = tmp_path / "app.yaml"
    shutil.copyfile(EXAMPLES / "mailbox-export.yaml", manifest)
    baseline = tmp_path / "baseline.json"
    written = wsaudit("audit", str(manifest), "--write-baseline", str(baseline))
    assert written.code in (0, 1), written.stderr
    # Fix the typo the SC-1 record accepted: that record now matches nothing.
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("scope: drive.files", "scope: drive.file"),
                        encoding="utf-8")
    text = wsaudit("audit", str(manifest), "--baseline", str(baseline))
    report = json.loads(wsaudit("audit", str(manifest), "--baseline", str(baseline), "--format", "json").stdout)
    stale = [(note["rule_id"], note["pointer"]) for note in report["waivers"] if note["kind"] == "stale_baseline"]
    assert (stale, "1 stale baseline record(s)" in text.stdout) == ([("WUD-SC-001", "/scopes/1")], True), text.stderr


def test_records_of_manifests_not_audited_are_not_judged_stale(tmp_path, wsaudit):
    import shutil

    for name in ("a.yaml", "b.yaml"):
        shutil.copyfile(EXAMPLES / "mailbox-export.yaml", tmp_path / name)
    baseline = tmp_path / "baseline.json"
    written = wsaudit("audit", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), "--write-baseline", str(baseline))
    assert written.code in (0, 1), written.stderr
    report = json.loads(wsaudit("audit", str(tmp_path / "a.yaml"), "--baseline", str(baseline), "--format",
                                "json").stdout)
    assert [note for note in report["waivers"] if note["kind"] == "stale_baseline"] == []


def test_a_baseline_keeps_messages_holding_unicode_line_separators(tmp_path):
    """A record whose message holds U+2028, U+2029 or U+0085 is written whole, and the
    baseline reads back with every record."""
    import io

    from auditor.model.findings import Finding, RuleInfo, Severity, Status
    from auditor.model.report import ManifestResult
    from auditor.rules.baseline import load_baseline, write_baseline

    info = RuleInfo(id="WUD-T-001", title="t", severity=Severity.HIGH, category="c", clause="X-1",
                    citation={}, remediation="r")
    messages = ["one\u2028two", "three\u0085four", "five\u2029six", "plain"]
    findings = tuple(Finding(info, Status.FAIL, "app.yaml", f"/scopes/{index}", 1, 1, message, f"{index:032x}")
                     for index, message in enumerate(messages))
    out = io.StringIO()
    write_baseline([ManifestResult("app.yaml", "App", findings)], "0", out)
    path = tmp_path / "baseline.json"
    path.write_text(out.getvalue(), encoding="utf-8")
    assert len(load_baseline(str(path))) == len(messages), out.getvalue()


_KEYS = st.sampled_from(["a", "b", "x-note", "é", "x-"]) | st.text(max_size=4)
_ELEMENTS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12)


def _notes_dropped(value):
    if isinstance(value, dict):
        return {key: _notes_dropped(item) for key, item in value.items() if not key.startswith("x-")}
    if isinstance(value, list):
        return [_notes_dropped(item) for item in value]
    return value


@given(_ELEMENTS)
def test_an_elements_digest_hashes_its_canonical_json_without_notes(element):
    # Baselines written by earlier versions match findings by this digest: its text must stay
    # the sorted, non-ASCII-preserving JSON of the element, whatever encodes it.
    text = json.dumps(_notes_dropped(element), sort_keys=True, ensure_ascii=False)
    assert content_digest(element) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
