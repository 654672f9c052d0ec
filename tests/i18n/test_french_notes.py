"""``--lang fr``: waiver and baseline warnings worded from the catalog by their kind (the
JSON report keeps the English ``message``), and the least-privilege section of
``wsaudit scan-code`` in French."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.helpers import ENGLISH_REPORT_WORDS, EXAMPLES, REPO, run_wsaudit

AS_OF = ("--as-of", "2026-01-15")
ENGLISH_NOTES = re.compile(r"waiver expired|no longer waives|matches no failing|baseline record matches|drops it")
EXPIRED_FR = "exemption expirée le 31 décembre 2025"
UNMATCHED_FR = "exemption qui ne correspond à aucun résultat en échec ou incomplet"
STALE_FR = "enregistrement de référence qui ne correspond plus à aucun résultat"


@pytest.fixture(scope="module")
def noted(tmp_path_factory) -> dict[str, Path]:
    """A manifest, a baseline with one record its finding no longer matches, and a waiver
    file with an expired waiver and one that matches nothing."""
    folder = tmp_path_factory.mktemp("notes")
    manifest = folder / "app.yaml"
    shutil.copyfile(EXAMPLES / "mailbox-export.yaml", manifest)
    baseline = folder / "baseline.json"
    written = run_wsaudit("audit", str(manifest), *AS_OF, "--write-baseline", str(baseline))
    assert written.code in (0, 1), written.stderr
    # Fix the typo a record accepted: that record now matches nothing (a stale record).
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("scope: drive.files", "scope: drive.file"),
                        encoding="utf-8")
    waivers = folder / "waivers.yaml"
    waivers.write_text(f"""\
waivers_version: 1
waivers:
  - rule: WUD-SC-004
    manifest: {manifest}
    reason: Reviewed
    approved_by: security@example.com
    expires: 2025-12-31
  - rule: WUD-XX-999
    manifest: nothing.yaml
    reason: Nothing to waive
    approved_by: security@example.com
    expires: 2027-01-31
""", encoding="utf-8")
    return {"manifest": manifest, "baseline": baseline, "waivers": waivers}


def _audit(noted: dict[str, Path], *args: str) -> str:
    result = run_wsaudit("audit", str(noted["manifest"]), *AS_OF, "--baseline", str(noted["baseline"]),
                         "--waivers", str(noted["waivers"]), *args)
    assert result.code in (0, 1), result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "sarif"])
def test_french_report_words_waiver_and_baseline_notes_in_french(noted, fmt):
    shown = _audit(noted, "--lang", "fr", "--format", fmt)
    if fmt == "sarif":
        shown = json.dumps(json.loads(shown), ensure_ascii=False)
    found = (EXPIRED_FR in shown, UNMATCHED_FR in shown, STALE_FR in shown, ENGLISH_NOTES.search(shown))
    assert found == (True, True, True, None), found


def test_english_text_report_keeps_its_notes(noted):
    text = _audit(noted)
    assert ("waiver expired on 2025-12-31" in text, "waiver matches no failing or incomplete finding" in text,
            "baseline record matches no finding any more; --write-baseline drops it" in text) == (True, True, True)


def test_french_json_report_keeps_the_english_note_messages(noted):
    document = json.loads(_audit(noted, "--lang", "fr", "--format", "json"))
    messages = {note["kind"]: note["message"] for note in document["waivers"]}
    assert messages == {
        "expired": "waiver expired on 2025-12-31",
        "unmatched": "waiver matches no failing or incomplete finding",
        "stale_baseline": "baseline record matches no finding any more; --write-baseline drops it",
    }


# The fixed words of the least-privilege section, in English.
ENGLISH_SCAN_WORDS = re.compile(r"\b(scanned|[Ll]east privilege|broader than needed|undeclared|unauthorized|"
                                r"unresolved|not declared|Would suffice|Declared scopes|Classification \| Declared)\b")
LEAST_PRIVILEGE = ("examples/least-privilege/python", "--manifest", "examples/least-privilege/app.wsaudit.yaml")


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_french_scan_code_report_has_no_english_fixed_words(fmt):
    result = run_wsaudit("scan-code", *LEAST_PRIVILEGE, "--lang", "fr", "--format", fmt, cwd=REPO)
    assert result.code == 0, result.stderr
    # The scan's own findings are worded by the scan, in English; the report around them is French.
    fixed = "\n".join(line for line in result.stdout.splitlines() if "SCAN-00" not in line and " · " not in line)
    found = ("moindre privilège" in fixed.lower(), "(restreint)" in fixed, ENGLISH_REPORT_WORDS.search(fixed),
             ENGLISH_SCAN_WORDS.search(fixed))
    assert found == (True, True, None, None), found


def test_scan_code_refuses_an_unknown_language():
    result = run_wsaudit("scan-code", *LEAST_PRIVILEGE, "--lang", "xx", cwd=REPO)
    assert (result.code, "available: en, fr" in result.stderr) == (2, True), result.stderr


# The fixed words of the domain inventory, in English.
ENGLISH_INVENTORY_WORDS = re.compile(r"\b(Domain inventory|listed users|token lookup|third-party apps?|unreviewed|"
                                     r"restricted scopes|disappeared|no display name|no manifest|Drift|drift|"
                                     r"Users|users:|scopes:|non-sensitive|Reviewed|App and client|none)\b")


def _domain_report(lang: str):
    from auditor import __version__
    from auditor.model.report import Report
    from auditor.probe.inventory_model import AppReport, DomainInventory, FailedUser, GrantedScope

    reviewed = AppReport("111-mail.apps.googleusercontent.com", "Mail Helper", 7,
                         (GrantedScope("https://www.googleapis.com/auth/gmail.readonly", "restricted", 7),
                          GrantedScope("openid", "non_sensitive", 7)), "manifests/mail.yaml", "Mail Helper", ())
    unreviewed = AppReport("222-drive.apps.googleusercontent.com", "", 3,
                           (GrantedScope("https://www.googleapis.com/auth/drive", "restricted", 3),), None, None, ())
    inventory = DomainInventory(apps=(reviewed, unreviewed), users_listed=11, users_scanned=10, users_gone=1,
                                complete=False, failed_users=(FailedUser("u9", "user9@corp.example", "HTTP 403"),))
    return Report.of(__version__, (), "2026-01-15", [], domain_inventory=inventory, lang=lang)


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_french_domain_inventory_has_no_english_fixed_words(fmt):
    import io

    from auditor.reporters import RenderOptions, renderer

    out = io.StringIO()
    renderer(fmt)(_domain_report("fr"), out, RenderOptions())
    shown = out.getvalue()
    if fmt == "html":
        start = shown.index('id="domain-inventory"')
        shown = shown[start:shown.index("</section>", start)]
    found = ("nventaire du domaine" in shown, ENGLISH_INVENTORY_WORDS.search(shown))
    assert found == (True, None), found


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_english_domain_inventory_keeps_its_words(fmt):
    import io

    from auditor.reporters import RenderOptions, renderer

    out = io.StringIO()
    renderer(fmt)(_domain_report("en"), out, RenderOptions())
    assert "Domain inventory" in out.getvalue() and "listed users scanned" in out.getvalue()
