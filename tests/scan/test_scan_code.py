"""``wsaudit scan-code``: scopes found in every supported language, with file, line and column."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.scan.lexer import JAVASCRIPT, PYTHON, YAML
from auditor.scan.scope_recognition import CodeScanner
from auditor.catalog.scope_names import canonical_scope
from auditor.scan.source_files import parse_ignore_line, walk_tree
from tests.helpers import run_wsaudit

# Each file of the fixture tree, and the scopes it uses: (text as written, scope). The
# position of each use is where its text first appears in the file.
TREE: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "src/quickstart.py": ('''\
"""Lists the user's Gmail labels."""
from google_auth_oauthlib.flow import InstalledAppFlow
from googleapiclient.discovery import build

# Scopes once tried and dropped: https://www.googleapis.com/auth/gmail.modify
SCOPES = ["https://www.googleapis.com/auth/gmail.readonly"]


def labels():
    flow = InstalledAppFlow.from_client_secrets_file("credentials.json", SCOPES)
    service = build("gmail", "v1", credentials=flow.run_local_server(port=0))
    return service.users().labels().list(userId="me").execute().get("labels", [])
''', [("https://www.googleapis.com/auth/gmail.readonly", "gmail.readonly")]),
    "src/service_account.py": ('''\
from google.oauth2 import service_account
from googleapiclient.discovery import build

credentials = service_account.Credentials.from_service_account_file(
    "service-account.json",
    scopes=[
        "drive.metadata.readonly",
        "openid",
    ],
)
drive = build("drive", "v3", credentials=credentials)
profile = {"email": "someone@example.com", "name": "profile"}
''', [("drive.metadata.readonly", "drive.metadata.readonly"), ('"openid"', "openid")]),
    "web/auth.js": ('''\
const { google } = require('googleapis');

const oauth2Client = new google.auth.OAuth2(CLIENT_ID, CLIENT_SECRET, REDIRECT_URL);
const url = oauth2Client.generateAuthUrl({
  access_type: 'offline',
  scope: ['https://www.googleapis.com/auth/calendar.events', 'profile'],
});
/* 'https://www.googleapis.com/auth/calendar' was too broad */
const inbox = 'https://mail.google.com/mail/u/0/#inbox';
''', [("https://www.googleapis.com/auth/calendar.events", "calendar.events"), ("'profile'", "profile")]),
    "web/sheets.ts": ('''\
import { GoogleAuth } from 'google-auth-library';

const SHEETS_SCOPES: string[] = [
  'https://www.googleapis.com/auth/spreadsheets.readonly',
];
export const auth = new GoogleAuth({ scopes: SHEETS_SCOPES });
// Legacy: 'https://www.googleapis.com/auth/spreadsheets' is no longer requested.
''', [("https://www.googleapis.com/auth/spreadsheets.readonly", "spreadsheets.readonly")]),
    "android/src/main/java/com/example/DriveQuickstart.java": ('''\
package com.example;

import com.google.api.services.drive.DriveScopes;
import java.util.Collections;
import java.util.List;

public class DriveQuickstart {
    // DriveScopes.DRIVE would be far too broad.
    private static final List<String> SCOPES = Collections.singletonList(DriveScopes.DRIVE_FILE);
    private static final String APPLICATION_NAME = "Drive API Java Quickstart";
}
''', [("DriveScopes.DRIVE_FILE", "drive.file")]),
    "android/src/main/kotlin/com/example/CalendarAuth.kt": ('''\
package com.example

import com.google.api.services.calendar.CalendarScopes

object CalendarAuth {
    val scopes = listOf(CalendarScopes.CALENDAR_READONLY, "https://www.googleapis.com/auth/tasks.readonly")
    val contacts = """https://www.googleapis.com/auth/contacts.readonly"""
}
''', [("CalendarScopes.CALENDAR_READONLY", "calendar.readonly"),
      ("https://www.googleapis.com/auth/tasks.readonly", "tasks.readonly"),
      ("https://www.googleapis.com/auth/contacts.readonly", "contacts.readonly")]),
    "cmd/notify/main.go": ('''\
package main

import (
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/google"
	"google.golang.org/api/gmail/v1"
)

// gmail.GmailModifyScope is not needed.
func config(b []byte) (*oauth2.Config, error) {
	return google.ConfigFromJSON(b, gmail.GmailSendScope, `https://www.googleapis.com/auth/chat.messages`)
}
''', [("gmail.GmailSendScope", "gmail.send"), ("https://www.googleapis.com/auth/chat.messages", "chat.messages")]),
    "dotnet/Program.cs": ('''\
using Google.Apis.Drive.v3;
using Google.Apis.Gmail.v1;

// GmailService.Scope.GmailModify was dropped.
static string[] Scopes = { GmailService.Scope.GmailReadonly, DriveService.ScopeConstants.DriveFile };
''', [("GmailService.Scope.GmailReadonly", "gmail.readonly"), ("DriveService.ScopeConstants.DriveFile", "drive.file")]),
    "addon/Code.gs": ('''\
/** Runs when the add-on opens. Needs https://mail.google.com/ through the manifest. */
function getDriveService() {
  return OAuth2.createService('drive')
      .setAuthorizationBaseUrl('https://accounts.google.com/o/oauth2/auth')
      .setScope('https://www.googleapis.com/auth/drive.readonly')
      .setPropertyStore(PropertiesService.getUserProperties());
}
''', [("https://www.googleapis.com/auth/drive.readonly", "drive.readonly")]),
    "addon/appsscript.json": ('''\
{
  "timeZone": "America/New_York",
  "oauthScopes": [
    "https://www.googleapis.com/auth/script.external_request",
    "https://www.googleapis.com/auth/documents.currentonly"
  ],
  "runtimeVersion": "V8"
}
''', [("https://www.googleapis.com/auth/script.external_request", "script.external_request"),
      ("https://www.googleapis.com/auth/documents.currentonly", "documents.currentonly")]),
    "config/google.json": ('''\
{
  "google": {
    "clientId": "1234-abc.apps.googleusercontent.com",
    "scopes": ["admin.directory.user.readonly", "email"],
    "service": "drive"
  }
}
''', [("admin.directory.user.readonly", "admin.directory.user.readonly"), ('"email"', "email")]),
    "config/oauth.yaml": ('''\
# OAuth client settings of the classroom sync job
google:
  oauth:
    scopes:
      - https://www.googleapis.com/auth/forms.body
      - classroom.courses.readonly
      - openid
    provider: drive   # the storage back end, not a scope
links:
  inbox: https://mail.google.com/mail/u/0/
''', [("https://www.googleapis.com/auth/forms.body", "forms.body"),
      ("classroom.courses.readonly", "classroom.courses.readonly"), ("- openid", "openid")]),
}

# Files whose scopes must never be reported: vendored folders and ignored files.
HIDDEN = {
    "node_modules/googleapis/index.js": "const s = 'https://www.googleapis.com/auth/cloud-platform';\n",
    "vendor/google.golang.org/api/gmail/v1/gmail-gen.go": 'const MailGoogleComScope = "https://mail.google.com/"\n',
    ".venv/lib/python3.11/site-packages/x.py": 'S = "https://www.googleapis.com/auth/admin.directory.group"\n',
    "third_party/lib.js": "var s = 'https://www.googleapis.com/auth/youtube';\n",
    "dist/bundle.js": "var s = 'https://www.googleapis.com/auth/drive.appdata';\n",
    "build/out.py": 'S = "https://www.googleapis.com/auth/photoslibrary"\n',
    "generated/client.py": 'S = "https://www.googleapis.com/auth/gmail.insert"\n',
    "config/secrets.local.json": '{"scopes": ["https://www.googleapis.com/auth/gmail.settings.basic"]}\n',
    "web/legacy/old.js": "var s = 'https://www.googleapis.com/auth/gmail.metadata';\n",
}
GITIGNORES = {
    ".gitignore": "generated/\n*.local.json\n/dist/\n/build/\n",
    "web/.gitignore": "legacy/\n",
}
DECLARED = ["gmail.readonly", "drive.file", "gmail.compose"]
UNUSED = ["gmail.compose"]


def _manifest(scopes: list[str]) -> str:
    lines = ["manifest_version: 1", "app: {name: Tree, developer: Tree Ltd, type: web}", "scopes:"]
    return "\n".join(lines + [f"  - scope: {scope}" for scope in scopes]) + "\n"


def _expected() -> set[tuple[str, int, int, str]]:
    expected = set()
    for path, (text, uses) in TREE.items():
        for written, scope in uses:
            offset = text.index(written)
            if written.startswith(("'", '"', "- ")):
                offset += 2 if written.startswith("- ") else 1
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            expected.add((path, line, column, canonical_scope(scope)))
    return expected


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for path, content in {**{p: t for p, (t, _) in TREE.items()}, **HIDDEN, **GITIGNORES}.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def _scan(root: Path, manifest: Path, *extra: str):
    return run_wsaudit("scan-code", ".", "--manifest", str(manifest), *extra, cwd=root)


def test_every_scope_is_found_with_file_line_and_column(tree: Path, tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(DECLARED), encoding="utf-8")
    result = _scan(tree, manifest, "--format", "json")
    assert result.code == 1, result.stderr
    report = json.loads(result.stdout)
    found = {(use["path"], use["line"], use["column"], use["scope"]) for use in report["uses"]}
    assert found == _expected()
    assert report["files_scanned"] == len(TREE)
    forms = {use["form"] for use in report["uses"]}
    assert forms == {"url", "short", "java_constant", "go_constant", "dotnet_constant"}


def test_vendored_and_ignored_folders_are_not_read(tree: Path, tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(DECLARED), encoding="utf-8")
    report = json.loads(_scan(tree, manifest, "--format", "json").stdout)
    paths = {use["path"] for use in report["uses"]}
    assert paths == set(TREE)
    hidden_scopes = {"cloud-platform", "admin.directory.group", "youtube", "drive.appdata", "photoslibrary",
                     "gmail.insert", "gmail.settings.basic", "gmail.metadata", "https://mail.google.com/"}
    assert not {canonical_scope(scope) for scope in hidden_scopes} & {use["scope"] for use in report["uses"]}


def test_undeclared_scopes_fail_and_unused_ones_are_info(tree: Path, tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(DECLARED), encoding="utf-8")
    result = _scan(tree, manifest)
    assert result.code == 1, result.stderr
    lines = [line.strip() for line in result.stdout.splitlines()]
    # The text report: `path:line:col  SEVERITY  RULE  message`, one result per file.
    undeclared_lines = [line.split()[0] for line in lines if "  SCAN-001  " in line]
    declared = {canonical_scope(scope) for scope in DECLARED}
    undeclared = sorted(use for use in _expected() if use[3] not in declared)
    assert sorted(undeclared_lines) == sorted(f"{p}:{ln}:{col}" for p, ln, col, _ in undeclared)
    assert "https://www.googleapis.com/auth/chat.messages (restricted) is used here but not declared" in result.stdout
    assert "(sensitive) is used here as gmail.GmailSendScope but not declared" in result.stdout
    infos = [line for line in lines if "  SCAN-004  " in line]
    assert infos == [f"{manifest}:6:5  INFO      SCAN-004  https://www.googleapis.com/auth/gmail.compose (restricted) "
                     "is declared but never seen in the scanned code"]
    assert any(line.startswith(f"scanned {len(TREE)} file(s): ") for line in lines)
    # The quickstart requests the restricted gmail.readonly but only lists labels.
    assert (f"{manifest}:4:5  MEDIUM    SCAN-003  https://www.googleapis.com/auth/gmail.readonly (restricted) is "
            "broader than the calls it serves need: https://www.googleapis.com/auth/gmail.labels (non-sensitive) "
            "would suffice for gmail.users.labels.list") in lines
    assert "  gmail.labels (non-sensitive), not declared: gmail.users.labels.list (src/quickstart.py:12)" in (
        result.stdout.splitlines())


def test_all_scopes_declared_passes(tree: Path, tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    every = sorted({scope for _, _, _, scope in _expected()})
    manifest.write_text(_manifest(every), encoding="utf-8")
    result = _scan(tree, manifest, "--format", "json")
    assert result.code == 0, result.stdout
    report = json.loads(result.stdout)
    assert [f["rule_id"] for f in report["findings"] if f["status"] == "fail"] == ["SCAN-003"]  # broader, medium
    assert all(item["declared"] and item["uses"] >= 1 for item in report["scopes"])


def test_output_is_deterministic_and_written_with_o(tree: Path, tmp_path: Path):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(DECLARED), encoding="utf-8")
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    result = _scan(tree, manifest, "--format", "json", "-o", str(first))
    assert result.code == 1, result.stderr
    result = _scan(tree, manifest, "--format", "json", "-o", str(second))
    assert result.code == 1, result.stderr
    assert first.read_bytes() == second.read_bytes()
    uses = json.loads(first.read_text())["uses"]
    assert [(u["path"], u["line"], u["column"]) for u in uses] == sorted((u["path"], u["line"], u["column"]) for u in uses)


def test_manifest_and_wsaudit_files_in_the_tree_do_not_count(tree: Path):
    (tree / "manifests").mkdir()
    manifest = tree / "manifests" / "app.wsaudit.yaml"
    manifest.write_text(_manifest(DECLARED + ["forms.body.readonly"]), encoding="utf-8")
    (tree / "manifests" / "other.wsaudit.yaml").write_text(_manifest(["gmail.settings.sharing"]), encoding="utf-8")
    # Sorted keys put report_version after a long findings list: recognised by structure.
    (tree / "report.json").write_text(json.dumps({"findings": [
        {"message": f"https://www.googleapis.com/auth/forms.body.readonly is sensitive ({n})"} for n in range(100)],
        "report_version": 1, "tool": {"name": "wsaudit", "version": "1"}}, sort_keys=True), encoding="utf-8")
    (tree / "results.sarif.json").write_text(json.dumps({"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"results": [{"message": {"text": "https://www.googleapis.com/auth/forms.body.readonly"}}] * 80,
                  "tool": {"driver": {"name": "wsaudit"}}}], "version": "2.1.0"}, sort_keys=True), encoding="utf-8")
    result = _scan(tree, manifest, "--format", "json")
    report = json.loads(result.stdout)
    scopes = {use["scope"] for use in report["uses"]}
    assert canonical_scope("forms.body.readonly") not in scopes
    assert canonical_scope("gmail.settings.sharing") not in scopes
    unused = [f["message"] for f in report["findings"] if f["rule_id"] == "SCAN-004"]
    assert any(message.startswith(canonical_scope("forms.body.readonly") + " ") for message in unused)


def test_a_report_of_another_tool_is_read(tmp_path: Path):
    root = tmp_path / "src"
    root.mkdir()
    (root / "other.json").write_text(json.dumps({"report_version": 1, "tool": {"name": "other"},
                                                 "scope": "https://www.googleapis.com/auth/drive"}))
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(["openid"]), encoding="utf-8")
    report = json.loads(run_wsaudit("scan-code", str(root), "--manifest", str(manifest), "--format", "json").stdout)
    assert [use["scope"] for use in report["uses"]] == [canonical_scope("drive")]


def test_build_and_out_folders_are_read_unless_ignored(tmp_path: Path):
    root = tmp_path / "src"
    for folder in ("build", "out", "lib/dist"):
        (root / folder).mkdir(parents=True)
        (root / folder / "auth.py").write_text('S = "https://www.googleapis.com/auth/drive"\n')
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(["openid"]), encoding="utf-8")
    report = json.loads(run_wsaudit("scan-code", str(root), "--manifest", str(manifest), "--format", "json").stdout)
    assert sorted(use["path"] for use in report["uses"]) == [
        f"{root}/build/auth.py", f"{root}/lib/dist/auth.py", f"{root}/out/auth.py"]


def test_large_and_binary_files_are_skipped(tmp_path: Path):
    root = tmp_path / "src"
    root.mkdir()
    (root / "big.py").write_text("# padding\n" * 200 + 'S = "https://www.googleapis.com/auth/drive"\n')
    (root / "blob.json").write_bytes(b'{"s": "https://www.googleapis.com/auth/drive"}\x00\x01')
    (root / "ok.py").write_text('S = "https://www.googleapis.com/auth/drive"\n')
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(["openid"]), encoding="utf-8")
    result = run_wsaudit("scan-code", str(root), "--manifest", str(manifest), "--format", "json",
                         "--max-file-size", "1KiB")
    report = json.loads(result.stdout)
    assert {item["path"]: item["reason"].split(" (")[0] for item in report["skipped"]} == {
        f"{root}/big.py": "larger than the 1024 byte limit", f"{root}/blob.json": "binary content"}
    assert [use["path"] for use in report["uses"]] == [f"{root}/ok.py"]
    assert result.code == 1, result.stderr


def test_ignore_marker_and_explicit_files(tmp_path: Path):
    source = tmp_path / "notes.txt"
    source.write_text("uses https://www.googleapis.com/auth/drive\n"
                      "mentions https://www.googleapis.com/auth/gmail.send  # wsaudit: ignore\n")
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(["drive"]), encoding="utf-8")
    result = run_wsaudit("scan-code", str(source), "--manifest", str(manifest))
    assert result.code == 0, result.stdout
    assert "scanned 1 file(s): 1 use(s) of 1 scope(s); 0 undeclared" in result.stdout


@pytest.mark.parametrize("args, fragment", [
    (["missing-folder"], "missing-folder: error: no such file or folder"),
    (["."], "error: missing manifest_version"),
])
def test_bad_input_exits_2(tmp_path: Path, args, fragment):
    manifest = tmp_path / "app.yaml"
    manifest.write_text(_manifest(["openid"]) if args[0] != "." else "app: {}\n", encoding="utf-8")
    result = run_wsaudit("scan-code", *args, "--manifest", str(manifest), cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- recognition rules


@pytest.fixture(scope="module")
def scanner() -> CodeScanner:
    return CodeScanner(ScopeCatalog.load())


@pytest.mark.parametrize("code", [
    'service = build("drive", "v3")',
    'email = user["email"]',
    'print("profile", "openid")',
    'label = "Drive"',
    'x = "gmail.readonly is what we would need"',
    '# SCOPES = ["https://www.googleapis.com/auth/drive"]',
    'url = "https://mail.google.com/mail/u/0/"',
    'home = "https://mail.google.com"',
    'prefix = "https://www.googleapis.com/auth/"',
    'telescope = ["drive"]',
])
def test_python_lines_that_are_not_scope_uses(scanner: CodeScanner, code: str):
    assert scanner.scan_text("x.py", code + "\n", PYTHON) == []


@pytest.mark.parametrize("code, scopes", [
    ('SCOPES = ["drive", "openid"]', ["drive", "openid"]),
    ('flow = Flow(scopes=["email"])', ["email"]),
    ('scope = "openid email profile"', ["openid", "email", "profile"]),
    ('requested = "openid email"', ["openid", "email"]),
    ('x = "gmail.send"', ["gmail.send"]),
    ('x = "userinfo.email"', ["email"]),
    ('x = "https://www.googleapis.com/auth/gmail.readonly."', ["gmail.readonly"]),
    ('x = "https://mail.google.com/"', ["https://mail.google.com/"]),
    ('x = "https://www.google.com/m8/feeds/"', ["https://www.google.com/m8/feeds"]),
    ('x = "https://www.googleapis.com/auth/not.a.real.scope"', ["not.a.real.scope"]),
])
def test_python_lines_that_are_scope_uses(scanner: CodeScanner, code: str, scopes: list[str]):
    found = [use.scope for use in scanner.scan_text("x.py", code + "\n", PYTHON)]
    assert found == [canonical_scope(scope) for scope in scopes]


def test_javascript_setter_call_is_a_scope_context(scanner: CodeScanner):
    code = "builder.setScopes(Arrays.asList('email', 'profile'));\nlog('email');\n"
    found = [(use.line, use.scope) for use in scanner.scan_text("x.js", code, JAVASCRIPT)]
    assert found == [(1, canonical_scope("email")), (1, canonical_scope("profile"))]


def test_yaml_that_does_not_parse_still_yields_urls(scanner: CodeScanner):
    text = "scopes: {{ .Values.scopes }}\nextra: https://www.googleapis.com/auth/drive.file\n"
    found = [(use.line, use.column, use.scope) for use in scanner.scan_text("chart.yaml", text, YAML)]
    assert found == [(2, 8, canonical_scope("drive.file"))]


# ---------------------------------------------------------------- .gitignore semantics

IGNORE_RULES = """\
# comment line
*.log
!keep.log
/root-only.txt
docs/*.tmp
**/cache/
logs/**
a/**/b.txt
[abc].dat
\\#hash.txt
trailing.txt   \n\
build-*/
*.bak
sub/nested.ignored
"""
IGNORE_FILES = [
    "app.log", "keep.log", "sub/keep.log", "sub/app.log", "root-only.txt", "sub/root-only.txt", "docs/x.tmp",
    "docs/deep/x.tmp", "x/cache/f.py", "cache/f.py", "y/cache", "logs/a/b.txt", "logsx/f.txt", "a/b.txt",
    "a/x/y/b.txt", "a.dat", "d.dat", "#hash.txt", "trailing.txt", "build-1/f.py", "pkg/m.gen.py",
    "pkg/wanted.gen.py", "pkg/local.cfg", "pkg/sub/local.cfg", "sub/nested.ignored", "x.bak", "notes.txt",
    "secret.txt", "pkg/secret.txt",
]


def _git(*args: str, cwd: Path) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def test_gitignore_rules_match_git(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    _git("init", "-q", cwd=root)
    (root / ".gitignore").write_text(IGNORE_RULES)
    (root / "pkg").mkdir()
    (root / "pkg" / ".gitignore").write_text("*.gen.py\n!wanted.gen.py\n/local.cfg\n")
    (root / ".git" / "info").mkdir(exist_ok=True)
    (root / ".git" / "info" / "exclude").write_text("secret.txt\n")
    for name in IGNORE_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")
    expected = sorted(_git("ls-files", "--others", "--exclude-standard", cwd=root).splitlines())
    assert "keep.log" in expected and "app.log" not in expected  # the oracle saw the rules
    ours = sorted(path.removeprefix(f"{root}/") for path in walk_tree(str(root)))
    assert ours == expected
    # From a subfolder, the rules of the folders above still apply.
    sub_expected = sorted(_git("ls-files", "--others", "--exclude-standard", cwd=root / "pkg").splitlines())
    sub_ours = sorted(path.removeprefix(f"{root}/pkg/") for path in walk_tree(str(root / "pkg")))
    assert sub_ours == sub_expected


@pytest.mark.parametrize("line, path, is_dir, ignored", [
    ("foo/", "foo", True, True),
    ("foo/", "foo", False, False),
    ("/foo", "bar/foo", False, False),
    ("a/*.c", "a/b/x.c", False, False),
    ("**/x", "p/q/x", False, True),
    ("x/**", "x/p/q", False, True),
    ("[!a]b", "cb", False, True),
    ("[!a]b", "ab", False, False),
    ("\\!bang", "!bang", False, True),
])
def test_single_ignore_patterns(line: str, path: str, is_dir: bool, ignored: bool):
    rule = parse_ignore_line(line)
    assert rule is not None
    assert rule.matches(path, is_dir) is ignored
