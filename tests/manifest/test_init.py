"""``wsaudit init``: a starter manifest that validates and prompts for every field the rules read."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from auditor.catalog.scope_catalog import ScopeCatalog
from auditor.resources import policies_dir
from tests.helpers import REPO, run_wsaudit

PROMPT = re.compile(r"^(\s*)# (\s*(?:- )?[a-z_][a-z0-9_]*:(?: .*)?)$")
APPS_SCRIPT = {
    "timeZone": "Europe/London",
    "dependencies": {"enabledAdvancedServices": [{"userSymbol": "Gmail", "serviceId": "gmail", "version": "v1"}]},
    "oauthScopes": [
        "https://www.googleapis.com/auth/gmail.addons.execute",
        "https://www.googleapis.com/auth/gmail.readonly",
        "https://www.googleapis.com/auth/script.external_request",
    ],
    "urlFetchWhitelist": ["https://api.example.com/"],
    "addOns": {"common": {"name": "Mail Helper", "logoUrl": "https://example.com/logo.png"}, "gmail": {}},
    "runtimeVersion": "V8",
}


def _init(tmp_path: Path, *args: str):
    return run_wsaudit("init", *args, cwd=tmp_path)


def _validate(path: Path):
    return run_wsaudit("validate", str(path))


def _uncomment_prompts(text: str) -> str:
    """The starter with every prompt line turned into YAML, as a user answering all of them would."""
    lines = []
    for line in text.splitlines():
        match = PROMPT.match(line)
        lines.append(match.group(1) + match.group(2) if match else line)
    return "\n".join(lines) + "\n"


def test_from_scopes_validates_and_comments_each_classification(tmp_path: Path):
    target = tmp_path / "app.wsaudit.yaml"
    result = _init(tmp_path, "--scope", "gmail.readonly", "--scope", "https://www.googleapis.com/auth/calendar.events",
                   "--scope", "openid", "--scope", "gmail.readonly", "--name", "Inbox Digest",
                   "--developer", 'Example "Labs" Ltd', "-o", str(target))
    assert result.code == 0, result.stderr
    validation = _validate(target)
    assert validation.code == 0, validation.stderr
    text = target.read_text()
    data = yaml.safe_load(text)
    assert [item["scope"] for item in data["scopes"]] == ["gmail.readonly", "calendar.events", "openid"]
    assert data["app"] == {"name": "Inbox Digest", "developer": 'Example "Labs" Ltd', "type": "web"}
    catalog = ScopeCatalog.load()
    for scope, label in (("gmail.readonly", "restricted"), ("calendar.events", "sensitive"), ("openid", "non-sensitive")):
        comment = f"  # {scope} - {label} scope of the {catalog.get(scope).api} API"
        consent = f"  #   Google's consent text: {catalog.get(scope).description}"
        before = text.split(f"  - scope: {scope}\n")[0]
        assert comment in before and consent in before, scope
    # Justifications are asked for the sensitive and restricted scopes only.
    assert text.count("# justification:") == 2
    assert "# narrower_rejected_because:" in text.split("  - scope: gmail.readonly\n")[1].split("- scope:")[0]
    # The restricted Gmail scope needs an approved Gmail use case.
    assert "#   - api: gmail\n#     use_case: <email_backup|email_client|productivity|reporting>" in text


def test_to_stdout_validates_as_written(tmp_path: Path):
    result = _init(tmp_path, "--scope", "drive.file")
    assert result.code == 0, result.stderr
    validation = run_wsaudit("validate", "-", stdin=result.stdout.encode())
    assert validation.code == 0, validation.stderr
    assert list(tmp_path.iterdir()) == []


def test_from_appsscript_json(tmp_path: Path):
    project = tmp_path / "appsscript.json"
    project.write_text(json.dumps(APPS_SCRIPT, indent=2))
    target = tmp_path / "addon.wsaudit.yaml"
    result = _init(tmp_path, "--from-appsscript", str(project), "--scope", "openid", "-o", str(target))
    assert result.code == 0, result.stderr
    outcome = _validate(target)
    assert outcome.code == 0, outcome.stderr
    text = target.read_text()
    data = yaml.safe_load(text)
    assert data["app"]["type"] == "workspace_addon"
    assert [item["scope"] for item in data["scopes"]] == [
        "gmail.addons.execute", "gmail.readonly", "script.external_request", "openid"]
    assert "#   https://api.example.com/" in text.split("# transfers:")[0]
    assert "  # gmail.readonly - restricted scope of the gmail API" in text


def test_every_field_the_rules_ask_about_is_a_prompt(tmp_path: Path):
    result = _init(tmp_path, "--scope", "gmail.readonly", "--scope", "drive", "--scope", "openid")
    assert result.code == 0, result.stderr
    answered = yaml.safe_load(_uncomment_prompts(result.stdout))
    fields = sorted(set(_rule_fields()))
    assert len(fields) > 40  # the pack was read
    missing = [field for field in fields if not _present(answered, field)]
    assert missing == []
    # Nothing real is commented out by accident: the starter's own values are unchanged.
    assert yaml.safe_load(result.stdout)["scopes"] == [{"scope": "gmail.readonly"}, {"scope": "drive"},
                                                       {"scope": "openid"}]


def _rule_fields() -> Iterator[tuple[str, ...]]:
    """Every manifest field a rule of the built-in pack reads: its ``needs`` and the
    properties its ``when`` and ``assert`` schemas name (facts are computed, not asked; the
    subject's ``manifest`` property is the whole manifest)."""
    pack = yaml.safe_load((policies_dir() / "workspace-user-data.yaml").read_text())
    for rule in pack["rules"]:
        base = tuple(token for token in rule["select"].split("/")[1:])
        for need in rule.get("needs", []):
            for alternative in need if isinstance(need, list) else [need]:
                if alternative.startswith("/"):
                    yield tuple(alternative.split("/")[1:])
                elif not alternative.startswith(("facts/", "manifest_facts/")):
                    yield base + tuple(alternative.split("/"))
        for key in ("when", "assert"):
            for path in _schema_paths(rule.get(key), ()):
                if path[0] != "manifest":
                    yield base + path
                elif len(path) > 1:
                    yield path[1:]


def _schema_paths(schema: Any, prefix: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    if isinstance(schema, list):
        for item in schema:
            yield from _schema_paths(item, prefix)
    elif isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties":
                for name, sub in value.items():
                    if name in ("facts", "manifest_facts"):
                        continue
                    yield prefix + (name,)
                    yield from _schema_paths(sub, prefix + (name,))
            elif key == "required":
                yield from (prefix + (name,) for name in value if name not in ("facts", "manifest_facts"))
            elif key in ("items", "contains"):
                yield from _schema_paths(value, prefix + ("*",))
            else:
                yield from _schema_paths(value, prefix)


def _present(node: Any, path: tuple[str, ...]) -> bool:
    if not path:
        return True
    token, rest = path[0], path[1:]
    if token == "*":
        return isinstance(node, list) and any(_present(item, rest) for item in node)
    return isinstance(node, dict) and token in node and _present(node[token], rest)


def test_every_app_type_of_the_schema_is_offered(tmp_path: Path):
    schema = json.loads((REPO / "auditor" / "schemas" / "manifest-v1.schema.json").read_text())
    for app_type in schema["properties"]["app"]["properties"]["type"]["enum"]:
        result = _init(tmp_path, "--scope", "openid", "--type", app_type)
        assert result.code == 0, result.stderr
        assert yaml.safe_load(result.stdout)["app"]["type"] == app_type
        assert f"  type: {app_type}  # web, installed, mobile, workspace_addon, chat_app, service" in result.stdout
    outcome = _init(tmp_path, "--type", "desktop")
    assert outcome.code == 2, outcome.stderr


def test_refuses_to_overwrite_without_force(tmp_path: Path):
    target = tmp_path / "app.wsaudit.yaml"
    target.write_text("keep me\n")
    result = _init(tmp_path, "--scope", "openid", "-o", str(target))
    assert result.code == 2, result.stderr
    assert f"{target}: error: the file exists; give --force to overwrite it" in result.stderr
    assert target.read_text() == "keep me\n"
    forced = _init(tmp_path, "--scope", "openid", "-o", str(target), "--force")
    assert forced.code == 0, forced.stderr
    outcome = _validate(target)
    assert outcome.code == 0, outcome.stderr


def test_without_scopes_a_placeholder_keeps_it_valid(tmp_path: Path):
    result = _init(tmp_path)
    assert result.code == 0, result.stderr
    assert "note: no scope given" in result.stderr
    assert yaml.safe_load(result.stdout)["scopes"] == [{"scope": "openid"}]
    outcome = run_wsaudit("validate", "-", stdin=result.stdout.encode())
    assert outcome.code == 0, outcome.stderr


def test_unknown_scope_is_kept_with_a_note(tmp_path: Path):
    result = _init(tmp_path, "--scope", "gmail.readonli")
    assert result.code == 0, result.stderr
    assert "note: gmail.readonli is not in the scope catalog (closest known: " \
           "https://www.googleapis.com/auth/gmail.readonly)" in result.stderr
    assert "  # gmail.readonli - not in the scope catalog" in result.stdout
    outcome = run_wsaudit("validate", "-", stdin=result.stdout.encode())
    assert outcome.code == 0, outcome.stderr


@pytest.mark.parametrize("args, content, fragment", [
    (["--scope", "not a scope"], None, "--scope: error: 'not a scope' is not a scope name"),
    (["--from-appsscript", "appsscript.json"], '{"oauthScopes": [\n  "x",\n]}', "appsscript.json:3:1: error: invalid JSON"),
    (["--from-appsscript", "appsscript.json"], '{"oauthScopes": "x"}', "oauthScopes must be a list"),
    (["--from-appsscript", "missing.json"], None, "missing.json: error: no such file"),
])
def test_bad_input_exits_2(tmp_path: Path, args, content, fragment):
    if content is not None:
        (tmp_path / "appsscript.json").write_text(content)
    result = _init(tmp_path, *args)
    assert result.code == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------- --from-code

CODE = {
    "src/backup.py": ('from googleapiclient.discovery import build\n\n'
                      'SCOPES = ["https://www.googleapis.com/auth/drive", "openid"]\n'
                      'drive = build("drive", "v3")\n'
                      'drive.files().create(body=meta, media_body=media).execute()\n'),
    "src/notify.js": ("const { google } = require('googleapis');\n"
                      "const gmail = google.gmail({version: 'v1', auth});\n"
                      "await gmail.users.messages.send({userId: 'me', requestBody: {raw}});\n"),
}


def _code_tree(tmp_path: Path) -> Path:
    for path, text in CODE.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    return tmp_path / "src"


def test_from_code_declares_the_least_privileged_scopes_with_the_calls_behind_them(tmp_path: Path):
    _code_tree(tmp_path)
    result = _init(tmp_path, "--from-code", "src", "-o", "app.wsaudit.yaml")
    assert result.code == 0, result.stderr
    text = (tmp_path / "app.wsaudit.yaml").read_text(encoding="utf-8")
    scopes = [item["scope"] for item in yaml.safe_load(text)["scopes"]]
    # drive is what the code asks for; drive.file is what its one call needs.
    assert scopes == ["drive.file", "gmail.send", "openid"]
    assert "#   From the code: drive.files.create (backup.py:5)" in text
    assert "#   From the code: gmail.users.messages.send (notify.js:3)" in text
    assert "# gmail.send - sensitive scope of the gmail API" in text
    assert "the code asks for drive at backup.py:3, which no call found needs: left out" in result.stderr
    outcome = _validate(tmp_path / "app.wsaudit.yaml")
    assert outcome.code == 0, outcome.stderr


def test_from_code_and_scope_together(tmp_path: Path):
    _code_tree(tmp_path)
    result = _init(tmp_path, "--from-code", "src/notify.js", "--scope", "calendar.readonly")
    assert result.code == 0, result.stderr
    assert [item["scope"] for item in yaml.safe_load(result.stdout)["scopes"]] == ["calendar.readonly", "gmail.send"]


def test_from_code_without_calls_says_so(tmp_path: Path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "main.py").write_text("print('hello')\n", encoding="utf-8")
    result = _init(tmp_path, "--from-code", "empty")
    assert result.code == 0, result.stderr
    assert "note: no Google API call found in empty" in result.stderr


def test_from_code_with_a_missing_path_exits_2(tmp_path: Path):
    result = _init(tmp_path, "--from-code", "nowhere")
    assert result.code == 2, result.stderr
    assert "nowhere: error: no such file or folder" in result.stderr
