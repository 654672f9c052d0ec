"""Endpoints that echo the request back, credentials and all, in every error shape the probe
handles: no spelling of a credential reaches stdout, stderr, a report or a log line.

Each endpoint answers with the request line, its headers and its body, followed by every
encoding of the credentials it carried (:func:`tests.probe.echo.encodings`); the outputs are
then searched for every spelling in :func:`tests.probe.echo.forbidden`.
"""

from __future__ import annotations

import json

import pytest

from tests.probe.support import CLIENT_ID, MANIFEST, authorized_user_file
from tests.probe.echo import encodings, forbidden
from tests.probe.fake_google import DIRECTORY_SCOPES, fault

GRANTED = "https://www.googleapis.com/auth/gmail.readonly openid"


def assert_no_spelling(texts: list[str], secrets: list[str]) -> None:
    assert secrets
    for secret in secrets:
        for spelling in forbidden(secret):
            for text in texts:
                assert spelling not in text, f"{spelling!r} (a spelling of a secret) leaked into:\n{text[:3000]}"


def assert_echoed(google, secrets: list[str]) -> None:
    """The endpoint really did send every encoding of every secret (else the test proves nothing)."""
    assert google.echoed
    said = "\n".join(google.echoed)
    assert all(form in said for secret in secrets for form in encodings(secret))


def test_the_echo_spells_each_secret_every_way():
    secret = "ya29.a0-Zz/Q9+x=tail"
    forms = encodings(secret)
    assert "ya29.a0-Zz%2FQ9%2Bx%3Dtail" in forms and "ya29.a0-Zz%2fQ9%2bx%3dtail" in forms
    assert "ya29.a0-Zz/Q9%2Bx%3Dtail" in forms and "ya29.a0-Zz\\/Q9+x=tail" in forms
    assert "ya29.a0-Zz%252FQ9%252Bx%253Dtail" in forms and "ya29&#x2E;a0&#x2D;Zz&#x2F;Q9&#x2B;x&#x3D;tail" in forms
    cores = [spelling for spelling in forbidden(secret) if len(spelling) > 12 and spelling not in forms]
    assert len(cores) >= 3  # base64 at three alignments (and in the URL-safe alphabet where it differs)


@pytest.mark.parametrize(("status", "shape"), [(400, "oauth"), (401, "json"), (403, "text"), (404, "html"),
                                               (400, "long"), (501, "json"), (500, "long")])
def test_tokeninfo_echoing_the_token_leaks_no_spelling_of_it(google, probe, write, status, shape):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GRANTED, CLIENT_ID)
    echo = fault(status, echo=shape)
    # A 500 is retried: every attempt echoes, the last one is reported.
    google.queue("tokeninfo", *([echo] * (5 if status == 500 else 1)))
    run = probe(str(manifest), "--access-token-env", "T", "--tokeninfo-url", f"{google.url}/tokeninfo",
                "--log-requests", "--format", "json", "-o", str(probe.out / "report.json"), env={"T": token})
    assert run.code == 3, run.stderr
    assert_echoed(google, [token])
    assert "[redacted]" in run.stderr  # the echo reached the message, masked
    assert_no_spelling(run.texts, [token])


def test_long_echo_is_masked_before_it_is_cut(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GRANTED, CLIENT_ID)
    google.queue("tokeninfo", fault(400, echo="long"))
    run = probe(str(manifest), "--access-token-env", "T", "--tokeninfo-url", f"{google.url}/tokeninfo",
                env={"T": token})
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "x" * 180 + " [redacted]" in line and line.endswith("…")
    assert_no_spelling([line], [token])


def test_tokeninfo_answering_the_token_as_its_fields_keeps_it_out_of_every_report(google, probe, write):
    manifest = write("mail.yaml", MANIFEST)
    token = google.issue_token(GRANTED, CLIENT_ID)
    google.queue("tokeninfo", fault(200, body={"azp": token, "aud": CLIENT_ID, "scope": f"openid {token}",
                                               "email": token, "expires_in": "3599"}))
    formats = [arg for name in ("json", "text", "sarif", "html", "markdown", "junit")
               for arg in ("--format", name, "-o", str(probe.out / f"report.{name}"))]
    run = probe(str(manifest), "--access-token-env", "T", "--tokeninfo-url", f"{google.url}/tokeninfo", *formats,
                env={"T": token})
    assert run.code == 1, run.stderr  # the echoed "scope" is granted but undeclared
    assert "[redacted]" in run.reports["report.json"]
    assert_no_spelling(run.texts, [token])


@pytest.mark.parametrize("shape", ["oauth", "html"])
def test_token_endpoint_echoing_the_refresh_token_and_client_secret(google, probe, write, shape):
    manifest = write("mail.yaml", MANIFEST)
    user_file, refresh = authorized_user_file(google, write, GRANTED)
    client_secret = json.loads(user_file.read_text())["client_secret"]
    google.queue("token", fault(400, echo=shape))
    run = probe(str(manifest), "--credentials", str(user_file), "--tokeninfo-url", f"{google.url}/tokeninfo",
                "--log-requests")
    assert run.code == 3, run.stderr
    assert_echoed(google, [refresh, client_secret])
    assert "refused the credentials" in run.stderr
    assert_no_spelling(run.texts, [refresh, client_secret])


def test_directory_echoing_the_admin_token_in_users_and_lookups(google, probe, write):
    admin = google.issue_token(" ".join(sorted(DIRECTORY_SCOPES)), "admin-client", "admin@corp.example")
    google.add_users(40, lambda index: [{"clientId": CLIENT_ID, "displayText": f"Mail Helper {admin}",
                                         "scopes": ["openid", admin]}])
    for number, shape in enumerate(("json", "text", "html", "long")):
        google.user_faults[f"u{number * 7:02d}"] = fault((403, 400)[number % 2], echo=shape)
    # With the app's manifest, the echoed scope is judged too: the drift findings name it.
    manifest = write("manifests/mail.yaml", MANIFEST)
    formats = [arg for name in ("json", "text", "markdown", "html", "sarif", "junit")
               for arg in ("--format", name, "-o", str(probe.out / f"inv.{name}"))]
    run = probe("--domain", "--access-token-env", "ADMIN_TOKEN", "--admin-api-url", google.url, "--log-requests",
                "--manifests", str(manifest), *formats, env={"ADMIN_TOKEN": admin})
    assert run.code == 3, run.stderr
    report = run.report("inv.json")
    inventory = report["inventory"]
    assert len(inventory["failed_users"]) == 4
    assert all("[redacted]" in user["reason"] for user in inventory["failed_users"])
    assert any("[redacted]" in finding["message"] for finding in report["findings"])
    assert_no_spelling(run.texts, [admin])
    # The users list itself echoing: the run stops, and still nothing leaks.
    google.queue("users", fault(400, echo="json"))
    run = probe("--domain", "--access-token-env", "ADMIN_TOKEN", "--admin-api-url", google.url,
                "--format", "json", env={"ADMIN_TOKEN": admin})
    assert run.code == 3 and "[redacted]" in json.loads(run.stdout)["inventory"]["stopped_by"], (run.stdout, run.stderr)
    assert_no_spelling(run.texts, [admin])
