"""The code's evidence in French: ``audit --code --lang fr`` (what a scope's use rests on, the
calls cut for length, what a narrower scope gives up) and ``scan-code --lang fr`` (the scan's
own rules, messages, reasons and caveats) say nothing in English in any format, while the
English wording stays what it was."""

from __future__ import annotations

import html
import json
import pickle
import re

import pytest
import yaml

from auditor.reporters import FORMATS
from auditor.rules.i18n import Phrase, languages, report_text
from auditor.scan.report import RULE_KINDS, scan_rules
from tests.helpers import REPO, run_wsaudit

OTHER_LANGUAGES = [lang for lang in languages() if lang != "en"]
DRIVE = "https://www.googleapis.com/auth/drive"
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
LEAST = REPO / "examples" / "least-privilege"
CALLS = 12  # more than a message lists (auditor.scan.evidence.MAX_LISTED), so the list is cut
MANIFEST = """\
manifest_version: 1
app:
  name: Many Calls
  developer: Example Ltd
  type: web
scopes:
  - scope: drive
  - scope: calendar.readonly
"""


def _code() -> str:
    lines = ["from googleapiclient.discovery import build", "", "", "def run(credentials):",
             '    drive = build("drive", "v3", credentials=credentials)']
    lines += [f"    drive.files().list(pageSize={number}).execute()" for number in range(1, CALLS + 1)]
    lines.append("    drive.files().frobnicate().execute()")  # matches no method: SCAN-005
    return "\n".join(lines) + "\n"


def _restrictions() -> list[dict]:
    return yaml.safe_load((REPO / "auditor" / "scan" / "restrictions.yaml").read_text(encoding="utf-8"))["restrictions"]


def _english_fragments() -> list[str]:
    """The fixed English words around the values of every evidence phrase, scan rule, scan
    message and restriction cost: what a French report must not contain."""
    strings = report_text("en").strings
    texts: list[str] = []
    for key, value in strings.items():
        if key.startswith(("facts.", "scan.messages.", "scan.reasons.", "scan.rules.", "scan.citation.",
                           "scan.ruled_out.", "scan.unseen.")):
            texts += list(value.values()) if isinstance(value, dict) else [value]
    texts += [item["cost"] for item in _restrictions()]
    fragments = set()
    for text in texts:
        for part in re.split(r"\{[^}]*\}", text):
            part = part.strip(" ;,()")
            if re.search(r"[A-Za-z]{2,} [A-Za-z]{2,}", part) or re.fullmatch(r"[a-z]+:", part) or len(part) >= 7:
                fragments.add(part)
    return sorted(fragments)


ENGLISH = _english_fragments()


def _english_in(text: str) -> list[str]:
    # "data:" alone is also a manifest key a French message may name ("data: []").
    found = [fragment for fragment in ENGLISH
             if (re.search(rf"\b{fragment} (?!\\?\[)", text) if fragment.endswith(":") else fragment in text)]
    return found + re.findall(r"\band \d+ more\b", text)


def _shown_text(name: str, content: str) -> str:
    """What a reader of the report sees of it: the HTML's text without script and style, the
    JSON report's findings (its other values are data and stay English), SARIF's texts."""
    if name.endswith("html"):
        content = re.sub(r"<(script|style)\b.*?</\1>", "", content, flags=re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", content))
    if name.endswith("json"):
        return json.dumps(json.loads(content)["findings"], ensure_ascii=False)
    if name.endswith("sarif"):
        texts: list[str] = []

        def collect(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key in ("text", "markdown") and isinstance(value, str):
                        texts.append(value)
                    else:
                        collect(value)
            elif isinstance(node, list):
                for item in node:
                    collect(item)

        collect(json.loads(content))
        return "\n".join(texts)
    return content


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("project")
    (root / "code").mkdir()
    (root / "code" / "many.py").write_text(_code(), encoding="utf-8")
    (root / "code" / "blob.py").write_bytes(b"abc\x00def")  # binary: not scanned
    (root / "app.yaml").write_text(MANIFEST, encoding="utf-8")
    return root


def _reports(project, command: tuple[str, ...], lang: str, name: str) -> dict[str, str]:
    out = project / f"{name}-{lang}"
    out.mkdir(exist_ok=True)
    targets = [arg for fmt in FORMATS for arg in ("--format", fmt, "-o", str(out / f"report.{fmt}"))]
    result = run_wsaudit(*command, "--lang", lang, *targets)
    assert result.code == 1, result.stderr
    return {fmt: (out / f"report.{fmt}").read_text(encoding="utf-8") for fmt in FORMATS}


@pytest.fixture(scope="module")
def french_audit(project):
    return _reports(project, ("audit", str(project / "app.yaml"), "--code", str(project / "code"),
                              "--as-of", "2026-06-01", "-v"), "fr", "audit")


@pytest.fixture(scope="module")
def french_scan(project):
    return _reports(project, ("scan-code", str(project / "code"), "--manifest", str(project / "app.yaml"),
                              "--fail-on", "info"), "fr", "scan")


def test_the_english_fragments_cover_the_evidence_and_the_scan():
    assert {"named in the code at", "calls:", "data:", "is declared but never seen in the scanned code",
            "binary content"} <= set(ENGLISH)


@pytest.mark.parametrize("fmt", FORMATS)
def test_french_audit_with_code_says_its_evidence_in_french(french_audit, fmt):
    assert _english_in(_shown_text(fmt, french_audit[fmt])) == []


def test_french_audit_words_the_code_evidence_and_the_cut_list(french_audit):
    findings = json.loads(french_audit["json"])["findings"]
    [used] = [f["message"] for f in findings if f["rule_id"] == "WUD-SC-006" and f["status"] == "pass"]
    assert used.startswith(f"{DRIVE} est utilisé (appels\u00a0: drive.files.list (")
    assert used.endswith(f", et {CALLS - 10} autres)")
    [broader] = [f["message"] for f in findings if f["rule_id"] == "WUD-SC-004" and f["pointer"] == "/scopes/0"]
    assert "mais drive.file atteint uniquement les fichiers que l'application a créés" in broader


def test_french_audit_of_the_least_privilege_example_has_no_english_evidence():
    result = run_wsaudit("audit", str(LEAST / "app.wsaudit.yaml"), "--code", str(LEAST), "--lang", "fr",
                         "--format", "json", "--as-of", "2026-06-01")
    assert result.code == 1, result.stderr
    messages = [f["message"] for f in json.loads(result.stdout)["findings"]]
    assert any("nommé dans le code à" in message for message in messages)
    assert _english_in("\n".join(messages)) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_french_scan_code_says_everything_in_french(french_scan, fmt):
    assert _english_in(_shown_text(fmt, french_scan[fmt])) == []


def test_french_scan_words_its_rules_reasons_and_caveats(french_scan):
    findings = {f["rule_id"]: f for f in json.loads(french_scan["json"])["findings"]}
    assert set(findings) == {"SCAN-003", "SCAN-004", "SCAN-005"}
    assert findings["SCAN-003"]["title"] == report_text("fr")("scan.rules.broader.title")
    assert findings["SCAN-005"]["message"].endswith(
        "ne correspond à aucune méthode\u00a0: drive v3 n'a ni méthode ni ressource 'frobnicate' à cet endroit")
    assert "contenu binaire" in french_scan["text"]
    assert findings["SCAN-004"]["citation"]["section"] == "Demander le nombre minimal d'autorisations pertinentes"


def test_english_scan_and_evidence_keep_their_wording(project):
    scan = run_wsaudit("scan-code", str(project / "code"), "--manifest", str(project / "app.yaml"), "--format", "json",
                       "--fail-on", "info")
    assert scan.code == 1, scan.stderr
    findings = {f["rule_id"]: f for f in json.loads(scan.stdout)["findings"]}
    assert findings["SCAN-003"]["message"] == (
        f"{DRIVE} (restricted) is broader than the calls it serves need: {DRIVE_FILE} (non-sensitive) would suffice "
        "for drive.files.list; but drive.file reaches only files the app created or the user opened with it "
        "(for example with the Google Picker)")
    assert findings["SCAN-005"]["message"] == ("drive.files().frobnicate() looks like a Google API call but was not "
                                               "matched: drive v3 has no method or resource 'frobnicate' there")
    audit = run_wsaudit("audit", str(project / "app.yaml"), "--code", str(project / "code"), "--format", "json",
                        "--as-of", "2026-06-01")
    assert audit.code == 1, audit.stderr
    [used] = [f["message"] for f in json.loads(audit.stdout)["findings"]
              if f["rule_id"] == "WUD-SC-006" and f["status"] == "pass"]
    assert used.startswith(f"{DRIVE} is used (calls: drive.files.list (") and used.endswith(", and 2 more)")


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_scan_rule_is_worded_in_every_language(lang):
    english, other = scan_rules(report_text("en")), scan_rules(report_text(lang))
    assert sorted(other) == sorted(RULE_KINDS)
    for kind, rule in other.items():
        assert (rule.id, rule.clause, rule.severity) == (english[kind].id, english[kind].clause, english[kind].severity)
        assert rule.title != english[kind].title and rule.remediation != english[kind].remediation, kind
        assert rule.citation.quote != english[kind].citation.quote


@pytest.mark.parametrize("lang", OTHER_LANGUAGES)
def test_every_cost_a_caveat_or_a_ruled_out_scope_can_name_is_worded_in_every_language(lang):
    from auditor.scan.restrictions import load_restrictions

    strings = report_text(lang).strings
    assert sorted({item.cost_key for item in load_restrictions()} - set(strings)) == []


def test_a_phrase_crosses_processes_and_is_worded_again():
    phrase = Phrase("facts.use_evidence.calls", calls=["drive.files.list (a.py:3)", Phrase("facts.more", count=4)])
    copy = pickle.loads(pickle.dumps(phrase))
    assert copy == "calls: drive.files.list (a.py:3), and 4 more"
    assert copy.worded(report_text("fr")) == "appels\u00a0: drive.files.list (a.py:3), et 4 autres"


def test_scan_code_help_says_what_lang_translates_and_what_stays_english():
    result = run_wsaudit("scan-code", "--help")
    assert result.code == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "the scan's rule titles, messages, remediation and citations, the least-privilege section" in text
    assert "(statuses, classifications, least_privilege, uses, skip reasons) stay English" in text
