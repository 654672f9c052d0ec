"""No token, refresh token, client secret or private key ever reaches stdout, stderr, a
report or a log line.

Every probe test already runs through the ``probe`` fixture, which greps all of a run's
outputs (and every request line the fake server saw) for every secret the test used. The
tests here add the hard cases: request logging on, every report format, and endpoints
that echo the secrets back in their error messages.
"""

from __future__ import annotations

import json

import pytest

from auditor.probe.redaction import MASK, Secret, redact, remember
from auditor.reporters import FORMATS

from tests.probe.support import (
    ADMIN,
    CLIENT_ID,
    MANIFEST,
    SA_EMAIL,
    assert_no_secret,
    authorized_user_file,
    service_account_file,
)
from tests.probe.fake_google import DIRECTORY_SCOPES, fault

GRANTED = "https://www.googleapis.com/auth/gmail.readonly openid https://www.googleapis.com/auth/gmail.modify"


def every_format(probe) -> list[str]:
    args = []
    for name in sorted(FORMATS):
        args += ["--format", name, "-o", str(probe.out / f"report.{name}")]
    return args


def test_each_token_source_with_request_logging_and_every_format(google, probe, write, rsa_key):
    manifest = write("mail.yaml", MANIFEST)
    tokeninfo = ("--tokeninfo-url", f"{google.url}/tokeninfo", "--log-requests", "-v", *every_format(probe))
    env_token = google.issue_token(GRANTED, CLIENT_ID)
    user_file, _refresh = authorized_user_file(google, write, GRANTED)
    sa_file = service_account_file(google, write, rsa_key)
    google.service_accounts[SA_EMAIL].delegated["alice@corp.example"] = set(GRANTED.split())
    runs = [
        probe(str(manifest), "--access-token-env", "T", *tokeninfo, env={"T": env_token}),
        probe(str(manifest), "--credentials", str(user_file), *tokeninfo),
        probe(str(manifest), "--credentials", str(sa_file), "--subject", "alice@corp.example",
              "--scopes", GRANTED, *tokeninfo),
        probe(str(manifest), "--adc", "--token-uri", f"{google.url}/token", *tokeninfo,
              env={"GOOGLE_APPLICATION_CREDENTIALS": str(user_file)}),
    ]
    for run in runs:
        assert run.code == 1, run.stderr  # gmail.modify is granted but undeclared
        assert "/tokeninfo -> HTTP 200" in run.stderr  # the log is on
        assert set(run.reports) == {f"report.{name}" for name in FORMATS}
    # The fixture grepped every output; make sure it had the secrets to grep for.
    assert {env_token, json.loads(user_file.read_text())["refresh_token"]} <= set(probe.secrets())
    assert len(google.tokens) == 4 and all(token in probe.secrets() for token in google.tokens)
    assert set(rsa_key.secret_lines()) <= set(probe.secrets())


def test_domain_inventory_with_request_logging(google, probe, write, rsa_key):
    google.add_users(50, lambda index: [{"clientId": CLIENT_ID, "displayText": "Mail Helper", "scopes": ["openid"]}])
    sa_file = service_account_file(google, write, rsa_key)
    google.service_accounts[SA_EMAIL].delegated[ADMIN] = set(DIRECTORY_SCOPES)
    run = probe("--domain", "--credentials", str(sa_file), "--subject", ADMIN, "--admin-api-url", google.url,
                "--log-requests", "--format", "json", "-o", str(probe.out / "inv.json"),
                "--format", "text", "-o", str(probe.out / "inv.txt"))
    assert run.code == 0, run.stderr
    assert run.stderr.count("/tokens -> HTTP 200") == 50 and "inventory: 50 users scanned" in run.stderr
    assert any(line.startswith("POST /token") for line in google.request_lines)


def test_secrets_echoed_by_a_refusing_token_endpoint_are_masked(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    user_file, refresh = authorized_user_file(google, write, GRANTED)
    client_secret = json.loads(user_file.read_text())["client_secret"]
    google.queue("token", fault(400, body={"error": "invalid_grant",
                                           "error_description": f"refresh token {refresh} for secret {client_secret}"}))
    run = probe(str(manifest), "--credentials", str(user_file), "--tokeninfo-url", f"{google.url}/tokeninfo",
                "--log-requests")
    assert run.code == 3, run.stderr
    assert f"refresh token {MASK} for secret {MASK}" in run.stderr


def test_a_token_echoed_by_tokeninfo_is_masked(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GRANTED, CLIENT_ID)
    google.queue("tokeninfo", fault(400, body={"error": "invalid_token", "error_description": f"bad token {token}"}))
    run = probe(str(manifest), "--access-token-env", "T", "--tokeninfo-url", f"{google.url}/tokeninfo",
                env={"T": token})
    assert run.code == 3 and f"bad token {MASK}" in run.stderr, run.stderr
    google.queue("tokeninfo", fault(403, body={"error": {"code": 403, "message": f"no access for {token}"}}))
    run = probe(str(manifest), "--access-token-env", "T", "--tokeninfo-url", f"{google.url}/tokeninfo",
                env={"T": token})
    assert run.code == 3 and f"answered HTTP 403: no access for {MASK}" in run.stderr, run.stderr


def test_the_check_itself_catches_a_leak():
    with pytest.raises(AssertionError, match="leaked"):
        assert_no_secret(["all fine", "here is ya29-abcdefgh in the middle"], ["ya29-abcdefgh"])
    assert_no_secret(["all fine"], ["ya29-abcdefgh"])


def test_secret_values_never_print_themselves():
    secret = Secret("ya29-never-print-me")
    assert "never-print" not in repr(secret) and "never-print" not in str(secret) and "never-print" not in f"{secret}"
    assert secret.reveal() == "ya29-never-print-me"
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(secret)


def test_redaction_masks_every_line_of_a_key():
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n"
    remember(pem)
    text = redact("oops: MIIEvQIBADANBgkqhkiG9w0BAQEFAASC and BKcwggSjAgEAAoIBAQC7")
    assert text == f"oops: {MASK} and {MASK}"
    assert redact("short ab words stay") == "short ab words stay"


def test_redaction_masks_every_encoding_of_a_secret():
    from tests.probe.echo import encodings, forbidden

    secret = "ya29.unit-Test/Secret+Value=Q9"
    remember(secret)
    for form in encodings(secret):
        masked = redact(f"echo: {form} end")
        assert MASK in masked and masked.startswith("echo: ") and masked.endswith(" end"), form
        assert not [spelling for spelling in forbidden(secret) if spelling in masked], (form, masked)


def test_redaction_runs_before_the_cut_and_never_leaves_part_of_a_secret():
    from auditor.probe.redaction import redact_head

    secret = "ya29.cut-" + "Z" * 300
    remember(secret)
    for offset in (0, 150, 199, 200, 201):
        head, cut = redact_head("x" * offset + secret + " tail " + "y" * 5000, 200)
        assert "ZZZZZZZZ" not in head and cut
        assert head.startswith("x" * min(offset, 200))
        if offset < 200:
            assert MASK[:200 - offset] in head
    assert redact_head("short", 200) == ("short", False)


def test_redaction_leaves_ordinary_text_alone():
    remember("ya29.ordinary-secret-value")
    text = "HTTP 403: Not Authorized &amp; %2F \\/ dGhpcyBpcyBiYXNlNjQ= caf\u00e9"
    assert redact(text) == text
