"""Each token source, end to end through google-auth against the local token endpoint, and
the ways a token endpoint can fail (refused, unreachable, slow, malformed)."""

from __future__ import annotations

import json

from cryptography.hazmat.primitives.asymmetric import rsa

from tests.probe.support import (
    CLIENT_ID,
    MANIFEST,
    SA_CLIENT_ID,
    authorized_user_file,
    closed_port,
    service_account_file,
)
from tests.probe.fake_google import fault

GRANTED = "https://www.googleapis.com/auth/gmail.readonly openid https://www.googleapis.com/auth/drive.file"
DWD_MANIFEST = MANIFEST.replace("111-mailhelper.apps.googleusercontent.com", f'"{SA_CLIENT_ID}"')


def tokeninfo(google) -> tuple[str, str]:
    return "--tokeninfo-url", f"{google.url}/tokeninfo"


def test_access_token_from_the_environment(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GRANTED, CLIENT_ID)
    run = probe(str(manifest), "--access-token-env", "MY_TOKEN", *tokeninfo(google), env={"MY_TOKEN": token})
    assert run.code == 0, run.stderr
    assert google.counts == {"tokeninfo": 1}


def test_authorized_user_file_uses_its_own_token_uri(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED)
    run = probe(str(manifest), "--credentials", str(credentials), *tokeninfo(google), "--format", "json")
    assert run.code == 0, run.stderr
    assert google.counts["token"] == 1 and google.counts["tokeninfo"] == 1
    findings = json.loads(run.stdout)["findings"]
    assert all(f["status"] == "pass" for f in findings)


def test_token_uri_option_overrides_the_file(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    dead = f"http://127.0.0.1:{closed_port()}/token"
    credentials, _refresh = authorized_user_file(google, write, GRANTED, token_uri=dead)
    # The file names a dead endpoint; the option points at the live one.
    run = probe(str(manifest), "--credentials", str(credentials), "--token-uri", f"{google.url}/token",
                *tokeninfo(google))
    assert run.code == 0, run.stderr
    # Without the option the file's endpoint is used, and cannot be reached.
    run = probe(str(manifest), "--credentials", str(credentials), *tokeninfo(google))
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert line.startswith(f"{dead}: error: cannot reach the token endpoint: connection refused")


def test_authorized_user_with_narrower_scopes(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED)
    run = probe(str(manifest), "--credentials", str(credentials), "--scopes", "gmail.readonly", *tokeninfo(google),
                "--format", "json", "--fail-on", "info")
    assert run.code == 1, run.stderr
    ungranted = [f for f in json.loads(run.stdout)["findings"] if f["rule_id"] == "WUD-PR-002" and f["status"] == "fail"]
    assert {f["pointer"] for f in ungranted} == {"/scopes/1", "/scopes/2"}


def test_refused_credentials_exit_3(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED)
    document = json.loads(credentials.read_text())
    document["refresh_token"] = google.secret("1//revoked")  # unknown to the endpoint
    credentials.write_text(json.dumps(document))
    run = probe(str(manifest), "--credentials", str(credentials), *tokeninfo(google))
    assert run.code == 3 and run.stdout == "", (run.stdout, run.stderr)
    [line] = run.error_lines
    assert line.startswith(f"{google.url}/token: error: the token endpoint refused the credentials: invalid_grant")
    assert google.counts["tokeninfo"] == 0


def test_malformed_token_endpoint_answer_exits_3(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED)
    google.queue("token", fault(malformed=True))
    run = probe(str(manifest), "--credentials", str(credentials), *tokeninfo(google))
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "not a token response" in line


def test_slow_token_endpoint_times_out(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED)
    google.latency["token"] = 6.0
    run = probe(str(manifest), "--credentials", str(credentials), *tokeninfo(google), "--timeout", "0.5")
    assert run.code == 3 and run.seconds < 5.0, run.stderr
    [line] = run.error_lines
    assert "the token endpoint did not answer within 0.5 s" in line


def test_service_account_signs_a_real_jwt(google, probe, write, rsa_key):
    manifest = write("mail.yaml", DWD_MANIFEST)
    credentials = service_account_file(google, write, rsa_key)
    run = probe(str(manifest), "--credentials", str(credentials), "--scopes", "gmail.readonly,openid",
                *tokeninfo(google), "--format", "json")
    assert run.code == 0, run.stderr
    report = json.loads(run.stdout)
    [client] = [f for f in report["findings"] if f["rule_id"] == "WUD-PR-003"]
    assert client["status"] == "pass" and SA_CLIENT_ID in client["message"]


def test_service_account_needs_scopes(google, probe, write, rsa_key):
    manifest = write("mail.yaml", DWD_MANIFEST)
    credentials = service_account_file(google, write, rsa_key)
    run = probe(str(manifest), "--credentials", str(credentials), *tokeninfo(google))
    assert run.code == 2 and "--scopes" in run.stderr and google.counts["token"] == 0, run.stderr


def test_service_account_with_an_unregistered_key_is_refused(google, probe, write, rsa_key):
    manifest = write("mail.yaml", DWD_MANIFEST)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    credentials = service_account_file(google, write, rsa_key, registered_key=other)
    run = probe(str(manifest), "--credentials", str(credentials), "--scopes", "gmail.readonly", *tokeninfo(google))
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "refused the credentials: invalid_grant (Invalid JWT Signature.)" in line


def test_domain_wide_delegation_subject(google, probe, write, rsa_key):
    manifest = write("mail.yaml", DWD_MANIFEST)
    credentials = service_account_file(google, write, rsa_key)
    account = google.service_accounts["probe@wsaudit-test.iam.gserviceaccount.com"]
    account.delegated["alice@corp.example"] = {"https://www.googleapis.com/auth/gmail.readonly", "openid",
                                               "https://www.googleapis.com/auth/drive.file"}
    run = probe(str(manifest), "--credentials", str(credentials), "--subject", "alice@corp.example",
                "--scopes", "gmail.readonly openid drive.file", *tokeninfo(google))
    assert run.code == 0, run.stderr
    issued = [info for info in google.tokens.values() if info["email"] == "alice@corp.example"]
    assert len(issued) == 1
    # A subject the admin did not delegate to is refused by the token endpoint.
    run = probe(str(manifest), "--credentials", str(credentials), "--subject", "bob@corp.example",
                "--scopes", "gmail.readonly", *tokeninfo(google))
    assert run.code == 3 and "unauthorized_client" in run.stderr and len(run.error_lines) == 1, run.stderr


def test_subject_needs_a_service_account(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED)
    run = probe(str(manifest), "--credentials", str(credentials), "--subject", "alice@corp.example", *tokeninfo(google))
    assert run.code == 2 and "service-account" in run.stderr, run.stderr


def test_application_default_credentials(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    credentials, _refresh = authorized_user_file(google, write, GRANTED, name="adc.json")
    run = probe(str(manifest), "--adc", "--token-uri", f"{google.url}/token", *tokeninfo(google),
                env={"GOOGLE_APPLICATION_CREDENTIALS": str(credentials)})
    assert run.code == 0, run.stderr
    assert google.counts["token"] == 1


def test_adc_service_account_with_subject(google, probe, write, rsa_key):
    manifest = write("mail.yaml", DWD_MANIFEST)
    credentials = service_account_file(google, write, rsa_key, name="adc-sa.json")
    account = google.service_accounts["probe@wsaudit-test.iam.gserviceaccount.com"]
    account.delegated["alice@corp.example"] = {"https://www.googleapis.com/auth/gmail.readonly"}
    run = probe(str(manifest), "--adc", "--subject", "alice@corp.example", "--scopes", "gmail.readonly",
                *tokeninfo(google), env={"GOOGLE_APPLICATION_CREDENTIALS": str(credentials)})
    assert run.code == 0, run.stderr
    assert [info["email"] for info in google.tokens.values()] == ["alice@corp.example"]


def test_no_application_default_credentials_exits_2(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    run = probe(str(manifest), "--adc", *tokeninfo(google))
    assert run.code == 2, run.stderr
    [line] = run.error_lines
    assert "no usable Application Default Credentials" in line


def test_unusable_credentials_files_exit_2(google, probe, write, rsa_key):
    manifest = write("mail.yaml", MANIFEST)
    cases = {
        "missing.json": (None, "no such file"),
        "garbage.json": ('{"type": "authorized_user", "refresh_token": "1//abc', "could not be parsed as JSON"),
        "list.json": ("[1, 2]", "expected a JSON object"),
        "external.json": ('{"type": "external_account"}', "unsupported credentials type 'external_account'"),
        "untyped.json": ("{}", "no \"type\" field"),
        "partial.json": ('{"type": "authorized_user", "client_id": "x"}', "lacks client_secret, refresh_token"),
    }
    for name, (content, message) in cases.items():
        path = write(name, content) if content is not None else probe.out.parent / name
        run = probe(str(manifest), "--credentials", str(path), *tokeninfo(google))
        assert run.code == 2, (name, run.stderr)
        [line] = run.error_lines
        assert message in line and str(path) in line, (name, line)
        assert "1//abc" not in line
    broken_key = json.loads(service_account_file(google, write, rsa_key).read_text())
    broken_key["private_key"] = "-----BEGIN PRIVATE KEY-----\nnot-a-key-at-all-but-secret\n-----END PRIVATE KEY-----\n"
    probe.extra_secrets.append("not-a-key-at-all-but-secret")
    run = probe(str(manifest), "--credentials", str(write("badkey.json", json.dumps(broken_key))),
                "--scopes", "gmail.readonly", *tokeninfo(google))
    assert run.code == 2 and "private_key could not be read" in run.stderr, run.stderr
