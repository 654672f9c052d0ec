"""``wsaudit diff``: compliance changes between two revisions, folders, or a git revision."""

from __future__ import annotations

import json
import shutil
import subprocess

from tests.helpers import EXAMPLES, run_wsaudit

AS_OF = ["--as-of", "2026-11-21"]
DIGEST = (EXAMPLES / "inbox-digest.yaml").read_text()


def escalate(text: str) -> str:
    """A head revision that adds a restricted scope and a transfer to an ad platform."""
    text = text.replace("  - scope: openid\n", "  - scope: https://mail.google.com/\n"
                        "    justification: Delete processed mail.\n    requested: incremental\n"
                        "    features: [cleanup]\n  - scope: openid\n", 1)
    return text.replace("transfers:\n", "transfers:\n  - id: ads\n    recipient: AdCo\n"
                        "    recipient_type: advertising_platform\n    data: [message-bodies]\n"
                        "    purpose: advertising\n", 1)


def test_diff_of_two_revisions_reports_escalations_and_exits_1(write):
    base, head = write("base/app.yaml", DIGEST), write("head/app.yaml", escalate(DIGEST))
    result = run_wsaudit("diff", str(base), str(head), "--format", "json", *AS_OF)
    assert result.code == 1, result.stderr
    report = json.loads(result.stdout)["diff"]
    [manifest] = report["manifests"]
    assert manifest["state"] == "changed"
    changes = {(c["area"], c["subject"]): c for c in manifest["changes"]}
    scope = changes[("scopes", "https://mail.google.com/")]
    assert scope["risk"] == "escalation" and "restricted" in scope["detail"]
    transfer = changes[("transfers", "ads")]
    assert transfer["risk"] == "escalation" and "AdCo" in transfer["detail"]
    assert transfer["line"] == escalate(DIGEST).splitlines().index("  - id: ads") + 1
    assert {f["rule_id"] for f in manifest["introduced"]} >= {"WUD-LU-002"}
    assert manifest["fixed"] == []
    assert report["summary"]["blocking"] >= 1
    # The reverse direction fixes what the forward one introduced, and blocks nothing.
    back = run_wsaudit("diff", str(head), str(base), "--format", "json", *AS_OF)
    assert back.code == 0, back.stderr
    [reverse] = json.loads(back.stdout)["diff"]["manifests"]
    assert {f["rule_id"] for f in reverse["fixed"]} >= {"WUD-LU-002"}
    assert {c["risk"] for c in reverse["changes"]} == {"reduction"}


def test_fail_on_decides_what_blocks(write):
    base, head = write("a.yaml", DIGEST), write("b.yaml", escalate(DIGEST))
    result = run_wsaudit("diff", str(base), str(head), "--fail-on", "critical", *AS_OF)
    assert result.code == 1, result.stderr
    result = run_wsaudit("diff", str(base), str(head), "--fail-on", "never", *AS_OF)
    assert result.code == 0, result.stderr


def test_broader_scope_replacing_a_narrower_one_and_encryption_turned_off(write):
    base = write("a.yaml", DIGEST)
    head_text = DIGEST.replace("  - scope: gmail.readonly\n", "  - scope: gmail.modify\n", 1)
    head_text = head_text.replace("source_scopes: [gmail.readonly]", "source_scopes: [gmail.modify]")
    head_text = head_text.replace("https://www.googleapis.com/auth/gmail.readonly]", "gmail.modify]")
    head_text = head_text.replace("enabled: true", "enabled: false", 1)
    head = write("b.yaml", head_text)
    report = json.loads(run_wsaudit("diff", str(base), str(head), "--format", "json", *AS_OF).stdout)["diff"]
    details = [(c["subject"], c["detail"], c["risk"]) for c in report["manifests"][0]["changes"]]
    assert ("https://www.googleapis.com/auth/gmail.modify",
            "broader scope replaces narrower https://www.googleapis.com/auth/gmail.readonly", "escalation") in details
    assert any(d.startswith("encryption at rest: true → false") and r == "escalation" for _, d, r in details)


def test_reordering_and_moving_lines_introduce_nothing(write):
    text = (EXAMPLES / "receipt-tracker.yaml").read_text()
    base = write("a.yaml", text)
    # Comment lines at the top, and the two transfers swapped (every transfer moves in its list).
    head_text = "# moved\n# around\n" + text
    block = head_text.split("\ntransfers:\n", 1)[1].split("\n\n", 1)[0]
    items = ["  - id:" + item for item in block.split("  - id:")[1:]]
    assert len(items) == 2
    head_text = head_text.replace(block, items[1].rstrip("\n") + "\n" + items[0].rstrip("\n"), 1)
    head = write("b.yaml", head_text)
    result = run_wsaudit("diff", str(base), str(head), "--format", "json", *AS_OF)
    report = json.loads(result.stdout)["diff"]
    assert report["manifests"][0]["state"] == "unchanged"
    assert result.code == 0, result.stderr


def test_folders_pair_by_relative_path_and_report_added_and_removed(tmp_path):
    base, head = tmp_path / "base", tmp_path / "head"
    base.mkdir(), head.mkdir()
    shutil.copy(EXAMPLES / "inbox-digest.yaml", base / "digest.yaml")
    shutil.copy(EXAMPLES / "inbox-digest.yaml", head / "digest.yaml")
    shutil.copy(EXAMPLES / "calendar-connector.yaml", base / "old.yaml")
    shutil.copy(EXAMPLES / "receipt-tracker.yaml", head / "new.yaml")
    result = run_wsaudit("diff", str(base), str(head), "--format", "json", *AS_OF)
    report = json.loads(result.stdout)["diff"]
    states = {(m["base"] and m["base"].rsplit("/", 1)[1], m["head"] and m["head"].rsplit("/", 1)[1]): m["state"]
              for m in report["manifests"]}
    assert states == {("digest.yaml", "digest.yaml"): "unchanged", (None, "new.yaml"): "added",
                      ("old.yaml", None): "removed"}
    assert result.code == 1, result.stderr  # the added manifest brings critical failures


def test_markdown_comment_has_a_verdict_and_well_formed_tables(write):
    base, head = write("a.yaml", DIGEST), write("b.yaml", escalate(DIGEST).replace("recipient: AdCo", "recipient: 'Ad|Co ![x](http://evil.example/x.png)'"))
    text = run_wsaudit("diff", str(base), str(head), "--format", "markdown", *AS_OF).stdout
    assert text.startswith("### :x: wsaudit: ")
    assert "![x](" not in text and "Ad\\|Co" in text
    for table in [block for block in text.split("\n\n") if block.lstrip().startswith("|")]:
        rows = [row for row in table.strip().splitlines() if row.startswith("|")]
        widths = {len(row.replace("\\|", "").split("|")) for row in rows}
        assert len(widths) == 1, table


def test_diff_against_a_git_revision(tmp_path):
    repo = tmp_path / "repo"
    (repo / "manifests").mkdir(parents=True)
    (repo / "manifests" / "app.yaml").write_text(DIGEST)
    (repo / "manifests" / "gone.yaml").write_text((EXAMPLES / "calendar-connector.yaml").read_text())

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                       env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                            "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})

    git("init", "-q", "-b", "main")
    git("add", ".")
    git("commit", "-q", "-m", "base")
    (repo / "manifests" / "app.yaml").write_text(escalate(DIGEST))
    (repo / "manifests" / "gone.yaml").unlink()
    result = run_wsaudit("diff", "--git-ref", "HEAD", "manifests", "--format", "json", *AS_OF, cwd=repo)
    assert result.code == 1, result.stderr
    report = json.loads(result.stdout)["diff"]
    by_state = {m["state"]: m for m in report["manifests"]}
    assert set(by_state) == {"changed", "removed"}
    assert by_state["changed"]["base"] == "HEAD:manifests/app.yaml"
    assert by_state["changed"]["head"] == "manifests/app.yaml"
    assert by_state["removed"]["base"] == "HEAD:manifests/gone.yaml"
    assert report["base"] == "HEAD" and report["head"] == "working tree"
    bad = run_wsaudit("diff", "--git-ref", "no-such-ref", "manifests", cwd=repo)
    assert bad.code == 2 and "error:" in bad.stderr, bad.stderr


def test_usage_errors_exit_2(write):
    result = run_wsaudit("diff")
    assert result.code == 2, result.stderr
    result = run_wsaudit("diff", str(write("a.yaml", DIGEST)), str(EXAMPLES))
    assert result.code == 2, result.stderr
