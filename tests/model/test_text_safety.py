"""Text from outside never drives the reader's screen: terminal, Markdown and HTML outputs.

Every command is fed manifest values, file names and waiver text that hold an ESC sequence
(clear screen, an OSC 8 hyperlink, an OSC 52 clipboard write), a one-byte C1 CSI, bidi
overrides and isolates, a line break followed by a forged error line, and a GitHub team
mention. No output may carry one of those characters raw, a finding or an error stays on
its own line, and in Markdown the mention is in a code span (GitHub notifies no one there).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from auditor.model.errors import AuditorError, ErrorList, ManifestError
from auditor.reporters.markdown import size
from auditor.reporters.templating import escape_markdown_html, escape_markdown_text
from auditor.model.text_safety import json_safe, printable, printable_block
from tests.helpers import run_wsaudit

AS_OF = ["--as-of", "2026-11-21"]

ESC_CLEAR = "\x1b[2J"
OSC8_LINK = "\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\"
OSC52_CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4=\x07"
C1_CSI = "\x9b2J"
FORGED_LINE = "\nforged.yaml:9:9: error: all clear"
MENTION = "@acme/security-team"
HOSTILE = (f"Evil{ESC_CLEAR}{OSC8_LINK}{OSC52_CLIPBOARD}{C1_CSI}\u202eexe.pdf\u2069\u2066\u200f"
           f"{FORGED_LINE} cc {MENTION}")
# The app name appears in every report; kept short so the tests can spell out its rendering.
APP_NAME = "Evil\u202eexe.pdf @acme/team"

# What no output may hold raw: C0 controls but line feed and tab, DEL, C1, every bidi
# control, line and paragraph separators.
RAW_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def assert_no_raw_controls(text: str) -> None:
    found = sorted({f"U+{ord(char):04X}" for char in RAW_UNSAFE.findall(text)})
    assert not found, f"raw control or bidi characters in the output: {found}"


def assert_no_forged_line(text: str) -> None:
    forged = [line for line in text.split("\n") if line.startswith("forged.yaml")]
    assert not forged, forged


def hostile_manifest(recipient: str = HOSTILE) -> str:
    document = {
        "manifest_version": 1,
        "app": {"name": APP_NAME, "developer": HOSTILE, "type": "web", "description": HOSTILE},
        "use_cases": [{"api": "gmail", "use_case": "productivity", "user_facing": True}],
        "scopes": [{"scope": "gmail.readonly", "justification": HOSTILE, "requested": "incremental"}],
        "data": [{"id": "bodies", "description": HOSTILE, "source_scopes": ["gmail.readonly"],
                  "purposes": ["user_facing_feature"]}],
        "transfers": [{"id": "sink", "recipient": recipient, "recipient_type": "data_broker", "data": ["bodies"],
                       "purpose": "sale"}],
    }
    return yaml.safe_dump(document, sort_keys=False)


def write_hostile(folder: Path, name: str = "hostile.yaml", recipient: str = HOSTILE) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(hostile_manifest(recipient), encoding="utf-8")
    return path


def mentions_outside_code(markdown: str) -> list[str]:
    """Places where GitHub would find a mention of ``@acme``: Markdown text outside code
    spans, and HTML (a ``<summary>``) outside ``<code>`` elements."""
    found: list[str] = []

    def visit(tokens: list) -> None:
        for token in tokens:
            if token.type in ("html_block", "html_inline"):
                outside = re.sub(r"<code>.*?</code>", "", token.content, flags=re.S)
                if "@acme" in outside:
                    found.append(token.content)
            elif token.type == "text" and "@acme" in token.content:
                found.append(token.content)
            if token.children:
                visit(token.children)

    visit(MarkdownIt("commonmark").enable("table").parse(markdown))
    return found


# ----------------------------------------------------------------------------- the sanitizer
def test_printable_escapes_every_kind_of_control_visibly():
    assert printable(ESC_CLEAR) == "\\x1b[2J"
    assert printable(OSC52_CLIPBOARD) == "\\x1b]52;c;cm0gLXJmIH4=\\x07"
    assert printable(C1_CSI) == "\\x9b2J"
    assert printable("a\nb\rc\td\x7f") == "a\\nb\\rc\\td\\x7f"
    assert printable("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c") == (
        "\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c")
    assert printable("zero\u200bwidth\ufeff\U000e0041") == "zero\\u200bwidth\\ufeff\\U000e0041"
    assert printable("bad\udcff.yaml") == "bad\\udcff.yaml"


def test_printable_keeps_ordinary_text_of_every_script():
    text = "Café, مرحبا, שלום, 日本語, emoji 👩\u200d💻, Persian می\u200cخواهم, path\\to\\file"
    assert printable(text) == text


def test_printable_block_keeps_our_line_feeds_and_tabs_only():
    assert printable_block("line one\n\tline two\x1b[2J\r") == "line one\n\tline two\\x1b[2J\\r"


@given(st.text())
def test_printable_is_idempotent_and_leaves_nothing_unsafe(text):
    once = printable(text)
    assert printable(once) == once
    assert "\n" not in once and not RAW_UNSAFE.search(once)


@given(st.recursive(st.text() | st.integers() | st.booleans(),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                    max_leaves=8))
def test_json_safe_keeps_every_value_and_shows_nothing_raw(value):
    text = json_safe(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value
    assert not RAW_UNSAFE.search(text)


def test_json_safe_writes_astral_characters_as_surrogate_pairs():
    assert json_safe(json.dumps("\U000e0041", ensure_ascii=False)) == '"\\udb40\\udc41"'


def test_an_error_is_one_line_whatever_its_path_message_and_hint_hold():
    error = ManifestError(f"bad value {HOSTILE}", f"dir/evil{FORGED_LINE}.yaml", 3, 5, hint=f"fix it{ESC_CLEAR}")
    text = str(error)
    assert "\n" not in text
    assert_no_raw_controls(text)
    assert text.startswith("dir/evil\\nforged.yaml:9:9: error: all clear.yaml:3:5: error: bad value Evil\\x1b[2J")
    assert text.endswith("(hint: fix it\\x1b[2J)")


def test_an_error_list_has_one_line_per_error():
    errors = ErrorList([AuditorError(f"first{FORGED_LINE}", "a.yaml", 1, 1),
                        AuditorError(f"second{FORGED_LINE}", "b.yaml", 2, 1)])
    assert str(errors).split("\n") == [
        "a.yaml:1:1: error: first\\nforged.yaml:9:9: error: all clear",
        "b.yaml:2:1: error: second\\nforged.yaml:9:9: error: all clear",
    ]


# --------------------------------------------------------------------- Markdown escaping
def test_markdown_puts_mentions_in_code_spans_and_keeps_e_mail_addresses():
    text = escape_markdown_text("ask @octocat or @acme/security-team, mail privacy@example.com")
    assert text == "ask `@octocat` or `@acme/security-team`, mail privacy@example.com"


def test_markdown_escaping_still_makes_syntax_inert_around_a_mention():
    text = escape_markdown_text("*bold* `@team` | [link](x) @lead")
    html = MarkdownIt("commonmark").render(text)
    assert "<em>" not in html and "<a " not in html
    assert mentions_outside_code(f"| a |\n|---|\n| {text} |") == []


def test_markdown_shows_controls_as_escapes():
    text = escape_markdown_text(HOSTILE)
    assert_no_raw_controls(text)
    assert "\n" not in text
    rendered = MarkdownIt("commonmark").render(text)
    assert "\\x1b[2J" in rendered and "\\u202e" in rendered


@given(st.text() | st.from_regex(r"[#@(*w.:/h)\x1b-]{0,30}"))
def test_markdown_escaping_never_shortens_a_text(text):
    # The Markdown report skips writing a block whose values alone cannot fit in the comment.
    assert size(escape_markdown_text(text)) >= len(text)


def test_markdown_html_context_puts_mentions_in_code_elements():
    assert escape_markdown_html("<b>@team</b>") == "&#60;b&#62;<code>@team</code>&#60;/b&#62;"
    assert escape_markdown_html(f"x{ESC_CLEAR}\ny") == "x&#92;x1b&#91;2J y"


# ------------------------------------------------------------------------------- validate
def test_validate_error_in_a_file_whose_name_holds_a_line_break_stays_one_line(tmp_path):
    name = f"bad{FORGED_LINE}{ESC_CLEAR}.yaml"
    (tmp_path / name).write_text("manifest_version: 1\n", encoding="utf-8")
    result = run_wsaudit("validate", name, cwd=tmp_path)
    assert result.code == 2, result.stderr
    assert_no_raw_controls(result.stderr)
    assert_no_forged_line(result.stderr)
    shown = "bad\\nforged.yaml:9:9: error: all clear\\x1b[2J.yaml:"
    lines = result.stderr.rstrip("\n").split("\n")
    assert lines[:-1] and all(line.startswith(shown) for line in lines[:-1]), lines
    assert re.fullmatch(r"1 of 1 manifest\(s\) invalid, \d+ error\(s\)", lines[-1]), lines


def test_validate_names_a_valid_file_with_a_hostile_name_on_one_line(tmp_path):
    name = f"ok{FORGED_LINE}\u202e.yaml"
    (tmp_path / name).write_text(hostile_manifest(), encoding="utf-8")
    result = run_wsaudit("validate", name, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.stdout == "ok\\nforged.yaml:9:9: error: all clear\\u202e.yaml: valid\nall 1 manifest(s) valid\n"


def test_validate_shows_an_undecodable_file_name_escaped_in_text_and_json(tmp_path):
    with open(os.path.join(os.fsencode(tmp_path), b"bad\xff.yaml"), "wb") as handle:
        handle.write(hostile_manifest().encode("utf-8"))
    text = run_wsaudit("validate", ".", cwd=tmp_path)
    assert text.code == 0, text.stderr
    assert text.stdout.splitlines()[0] in ("./bad\\udcff.yaml: valid", "bad\\udcff.yaml: valid")
    as_json = run_wsaudit("validate", ".", "--format", "json", cwd=tmp_path)
    assert as_json.code == 0, as_json.stderr
    [entry] = json.loads(as_json.stdout)["manifests"]
    assert entry["path"].endswith("bad\udcff.yaml")


# --------------------------------------------------------------------------------- audit
def write_waivers(folder: Path) -> Path:
    path = folder / "waivers.yaml"
    path.write_text(yaml.safe_dump({"waivers_version": 1, "waivers": [
        {"rule": "WUD-LU-002", "manifest": "hostile.yaml", "reason": HOSTILE, "approved_by": HOSTILE,
         "expires": "2027-03-31"},
        {"rule": "WUD-HA-001", "manifest": f"nowhere{FORGED_LINE}{ESC_CLEAR}.yaml", "reason": "stale",
         "approved_by": "security@example.com", "expires": "2027-03-31"},
    ]}, sort_keys=False), encoding="utf-8")
    return path


def test_audit_text_shows_every_outside_value_escaped_one_finding_a_line(tmp_path):
    write_hostile(tmp_path)
    write_waivers(tmp_path)
    result = run_wsaudit("audit", "hostile.yaml", "--waivers", "waivers.yaml", *AS_OF, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    assert_no_forged_line(result.stdout)
    lines = result.stdout.rstrip("\n").split("\n")
    assert lines[0].startswith("hostile.yaml (Evil\\u202eexe.pdf @acme/team): ")
    # Indented lines under a finding (its clause and fix, notes) and the heading of the
    # undecided ones are the report's own; every other line is one finding.
    findings = [line for line in lines[1:-1] if not line.startswith(("waivers.yaml:", "      ", "  not enough evidence"))]
    assert findings and all(line.startswith("  hostile.yaml:") for line in findings), findings
    waived = [line for line in findings if "[waived]" in line]
    assert waived and "waived until 2027-03-31 by Evil\\x1b[2J" in waived[0]
    notes = [line for line in lines if line.startswith("waivers.yaml:")]
    assert notes == ["waivers.yaml:10: warning: WUD-HA-001 for nowhere\\nforged.yaml:9:9: error: all clear\\x1b[2J.yaml: "
                     "waiver matches no failing or incomplete finding"], notes


def test_audit_markdown_has_no_raw_controls_and_pings_no_one(tmp_path):
    write_hostile(tmp_path)
    write_waivers(tmp_path)
    result = run_wsaudit("audit", "hostile.yaml", "--format", "markdown", "--waivers", "waivers.yaml", *AS_OF,
                         cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    assert_no_forged_line(result.stdout)
    assert "@acme" in result.stdout
    assert mentions_outside_code(result.stdout) == []


def test_audit_html_isolates_outside_values_and_shows_controls_as_escapes(tmp_path):
    write_hostile(tmp_path)
    write_waivers(tmp_path)
    result = run_wsaudit("audit", "hostile.yaml", "--format", "html", "--waivers", "waivers.yaml", *AS_OF,
                         cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    assert '<h2 id="manifest-1-title"><bdi>Evil\\u202eexe.pdf @acme/team</bdi>' in result.stdout
    assert "<dt>Developer</dt><dd><bdi>Evil\\x1b[2J\\x1b]8;;https://evil.example/" in result.stdout
    assert '<p class="message"><bdi>transfer' in result.stdout


def test_audit_json_keeps_exact_values_with_no_raw_controls(tmp_path):
    write_hostile(tmp_path)
    write_waivers(tmp_path)
    result = run_wsaudit("audit", "hostile.yaml", "--format", "json", "--waivers", "waivers.yaml", *AS_OF,
                         cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    report = json.loads(result.stdout)
    assert report["manifests"] == [{"app": APP_NAME, "path": "hostile.yaml"}]
    assert any(HOSTILE in finding["message"] for finding in report["findings"])


# ---------------------------------------------------------------------------------- diff
def test_diff_text_json_and_markdown_show_changed_values_safely(tmp_path):
    # The same findings on both sides, so nothing is introduced: exit 0 with one change.
    write_hostile(tmp_path / "base", recipient="Plain Recipient")
    write_hostile(tmp_path / "head")
    text = run_wsaudit("diff", "base/hostile.yaml", "head/hostile.yaml", *AS_OF, cwd=tmp_path)
    assert text.code == 0, text.stderr
    assert_no_raw_controls(text.stdout)
    assert_no_forged_line(text.stdout)
    changes = [line for line in text.stdout.split("\n") if line.startswith("  ") and "transfers" in line]
    assert changes and "Evil\\x1b[2J" in changes[0] and "forged.yaml:9:9" in changes[0]

    as_json = run_wsaudit("diff", "base/hostile.yaml", "head/hostile.yaml", "--format", "json", *AS_OF,
                          cwd=tmp_path)
    assert as_json.code == 0, as_json.stderr
    assert_no_raw_controls(as_json.stdout)
    [manifest] = json.loads(as_json.stdout)["manifests"]
    assert manifest["app"] == APP_NAME

    markdown = run_wsaudit("diff", "base/hostile.yaml", "head/hostile.yaml", "--format", "markdown", *AS_OF,
                           cwd=tmp_path)
    assert markdown.code == 0, markdown.stderr
    assert_no_raw_controls(markdown.stdout)
    assert "<summary>head/hostile.yaml (Evil&#92;u202eexe.pdf <code>@acme/team</code>)</summary>" in markdown.stdout
    assert mentions_outside_code(markdown.stdout) == []


# ------------------------------------------------------------------------------ disclose
def test_disclose_warnings_are_one_escaped_line_each(tmp_path):
    write_hostile(tmp_path)
    result = run_wsaudit("disclose", "hostile.yaml", *AS_OF, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stderr)
    warnings = result.stderr.rstrip("\n").split("\n")
    assert warnings and all(line.startswith("hostile.yaml:") for line in warnings), warnings
    assert any("transfer 'sink' to Evil\\x1b[2J" in line for line in warnings)


def test_disclose_markdown_has_no_raw_controls_and_pings_no_one(tmp_path):
    write_hostile(tmp_path)
    result = run_wsaudit("disclose", "hostile.yaml", "--fail-on", "never", *AS_OF, cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    assert_no_forged_line(result.stdout)
    assert "`@acme/team`" in result.stdout
    assert mentions_outside_code(result.stdout) == []


def test_disclose_html_isolates_manifest_values(tmp_path):
    write_hostile(tmp_path)
    result = run_wsaudit("disclose", "hostile.yaml", "--format", "html", "--fail-on", "never", *AS_OF,
                         cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    assert "<bdi>Evil\\u202eexe.pdf @acme/team</bdi>" in result.stdout
    # A <title> holds text only: the name is there, escaped, without the element.
    assert "<title>Evil\\u202eexe.pdf @acme/team: " in result.stdout


# --------------------------------------------------------------------------------- rules
def test_rules_text_keeps_a_custom_rule_title_on_one_line(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text(yaml.safe_dump({
        "pack_version": 1,
        "pack": {"id": "hostile", "version": "1", "title": "Hostile",
                 "policy": {"name": "Hostile policy", "url": "https://policy.example/"}},
        "rules": [{
            "id": "HOS-T-001", "clause": None, "title": f"Title{FORGED_LINE}{ESC_CLEAR}", "severity": "low",
            "category": "retention", "citation": {"section": "1", "quote": "q"}, "select": "/app",
            "assert": {"required": ["name"]}, "message": {"fail": "no name"}, "remediation": "r",
        }],
    }, sort_keys=False), encoding="utf-8")
    result = run_wsaudit("rules", "--no-builtin-policy", "--policy", str(pack))
    assert result.code == 0, result.stderr
    assert_no_raw_controls(result.stdout)
    assert_no_forged_line(result.stdout)
    assert "Title\\nforged.yaml:9:9: error: all clear\\x1b[2J" in result.stdout
    markdown = run_wsaudit("rules", "--no-builtin-policy", "--policy", str(pack), "--format", "markdown")
    assert markdown.code == 0, markdown.stderr
    assert_no_raw_controls(markdown.stdout)
