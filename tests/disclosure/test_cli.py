"""``wsaudit disclose`` end to end: options, outputs and errors."""

from __future__ import annotations

import re

from tests.helpers import MINIMAL, run_wsaudit
from tests.disclosure.support import EXAMPLE_PATHS, markdown_to_html, render
from tests.helpers import HEAVY, imported_modules

INBOX = "examples/manifests/inbox-digest.yaml"


def test_default_is_english_markdown_on_stdout():
    result = run_wsaudit("disclose", INBOX, "--as-of", "2026-11-21")
    assert result.code == 0 and result.stderr == "", result.stderr
    assert result.stdout == render(INBOX, "markdown", "en").replace(
        "- Privacy policy: <https://inboxdigest.example/privacy>\n",
        "- Privacy policy: <https://inboxdigest.example/privacy>\n- Last updated: 21 November 2026\n")


def test_as_of_is_printed_as_the_date_of_last_update_in_the_language():
    french = run_wsaudit("disclose", INBOX, "--lang", "fr", "--as-of", "2026-05-01")
    assert "- Dernière mise à jour\u00a0: 1er mai 2026\n" in french.stdout
    assert "Dernière mise à jour" not in run_wsaudit("disclose", INBOX, "--lang", "fr").stdout


def test_html_to_a_file(tmp_path):
    out = tmp_path / "privacy.html"
    result = run_wsaudit("disclose", INBOX, "--format", "html", "--lang", "fr", "-o", str(out), "--fail-on", "never")
    assert result.code == 0 and result.stdout == "" and result.stderr == "", (result.stdout, result.stderr)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>\n") and '<html lang="fr">' in text
    assert text == render(INBOX, "html", "fr")


def test_in_product_writes_only_the_consent_text():
    for path in EXAMPLE_PATHS:
        result = run_wsaudit("disclose", str(path), "--in-product", "--fail-on", "never")
        assert result.code == 0, result.stderr
        html = markdown_to_html(result.stdout)
        assert re.findall(r"<h(\d)>", html) == ["1"]
        assert "<table>" not in html
        assert result.stdout == render(path, "markdown", "en", in_product=True)
    result = run_wsaudit("disclose", INBOX, "--in-product", "--format", "html")
    assert result.stdout.count("<h2>") == 0 and 'class="consent"' in result.stdout


def test_manifest_from_stdin():
    result = run_wsaudit("disclose", "-", stdin=MINIMAL.encode("utf-8"))
    assert result.code == 0, result.stderr
    assert result.stdout.startswith("# Tiny: how your Google user data is used\n")


def test_invalid_manifest_exits_2_with_positions_and_writes_nothing(tmp_path, write):
    bad = write("bad.yaml", MINIMAL.replace("type: web", "type: webapp") + "transfers: [{id: x}]\n")
    out = tmp_path / "out.md"
    result = run_wsaudit("disclose", str(bad), "-o", str(out))
    assert result.code == 2 and result.stdout == "" and not out.exists(), (result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert lines and all(re.match(rf"{re.escape(str(bad))}:\d+:\d+: error: ", line) for line in lines)
    assert any("app.type" in line for line in lines)


def test_missing_manifest_and_bad_options_exit_2(tmp_path):
    missing = run_wsaudit("disclose", str(tmp_path / "nope.yaml"))
    assert missing.code == 2 and "error:" in missing.stderr, missing.stderr
    language = run_wsaudit("disclose", INBOX, "--lang", "zz")
    assert language.code == 2 and "choose from en, fr" in language.stderr, language.stderr
    date = run_wsaudit("disclose", INBOX, "--as-of", "21/11/2026")
    assert date.code == 2 and "is not a date" in date.stderr, date.stderr
    (tmp_path / "a-file").write_text("not a folder\n", encoding="utf-8")
    unwritable = run_wsaudit("disclose", INBOX, "-o", str(tmp_path / "a-file" / "x.md"))
    assert unwritable.code == 2 and "cannot write" in unwritable.stderr, unwritable.stderr


def test_help_lists_the_languages_and_imports_nothing_heavy():
    result = run_wsaudit("disclose", "--help")
    assert result.code == 0 and "--lang [en|fr]" in result.stdout and "--require-pass" in result.stdout, \
        (result.stdout, result.stderr)
    modules = imported_modules("disclose", "--help")
    assert "click" in modules
    assert sorted(name for name in modules if name.split(".")[0] in HEAVY) == []


def test_samples_in_the_user_guide_are_current():
    from tests.helpers import REPO

    guide = (REPO / "docs" / "disclosures.md").read_text(encoding="utf-8")
    samples = re.findall(r"<!-- sample: (.*?) -->\n```markdown\n(.*?)```\n", guide, flags=re.S)
    assert len(samples) == 2
    for command, expected in samples:
        result = run_wsaudit(*command.split())
        assert result.code == 0, result.stderr
        assert result.stdout == expected, command
