"""The probe's pure parts, in process: tokeninfo parsing, Retry-After, backoff, endpoint
checks, and the HTTP client against the local server."""

from __future__ import annotations

import email.utils
import random
import time

import pytest

from auditor.model.errors import AuditorError, ProbeError
from auditor.probe.http_client import HttpClient, RetryPolicy, parse_retry_after
from auditor.probe.redaction import Secret
from auditor.probe.run import check_endpoint
from auditor.probe.tokeninfo import fetch_tokeninfo, parse_bool, parse_int, parse_tokeninfo

from tests.probe.fake_google import fault


def test_tokeninfo_strings_are_parsed_defensively():
    info = parse_tokeninfo({"azp": "123", "aud": 123, "scope": "email  openid gmail.readonly ",
                            "expires_in": "3599", "email_verified": "true", "email": "a@b.example"})
    assert info.scopes == ("https://www.googleapis.com/auth/gmail.readonly",
                           "https://www.googleapis.com/auth/userinfo.email", "openid")
    assert (info.azp, info.aud, info.client_ids) == ("123", "123", ("123",))
    assert (info.expires_in, info.email_verified) == (3599, True)
    odd = parse_tokeninfo({"scope": 42, "expires_in": "soon", "email_verified": "yes", "azp": ["x"], "aud": True})
    assert (odd.scopes, odd.expires_in, odd.email_verified, odd.client_ids) == ((), None, None, ())
    assert [parse_int(v) for v in ("12", " 7 ", 3, 2.0, 2.5, True, None, "-4")] == [12, 7, 3, 2, None, None, None, -4]
    assert [parse_bool(v) for v in ("true", "FALSE", True, "0", "maybe", 1)] == [True, False, True, False, None, None]


def test_retry_after_reads_seconds_and_dates():
    now = time.time()
    assert parse_retry_after("3", now) == 3.0
    assert parse_retry_after(" 0 ", now) == 0.0
    when = email.utils.formatdate(now + 30, usegmt=True)
    assert 28 <= parse_retry_after(when, now) <= 31
    assert parse_retry_after(email.utils.formatdate(now - 60, usegmt=True), now) == 0.0
    assert [parse_retry_after(value, now) for value in (None, "", "-1", "soon", "nan")] == [None] * 5


def test_backoff_grows_exponentially_with_jitter_and_a_ceiling():
    policy = RetryPolicy(base_delay=0.5, max_delay=4.0)
    rng = random.Random(7)
    for retry, ceiling in ((1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (9, 4.0)):
        pauses = [policy.backoff(retry, rng) for _ in range(200)]
        assert all(ceiling / 2 <= pause <= ceiling for pause in pauses)
        assert max(pauses) - min(pauses) > ceiling / 4  # jittered, not fixed


def test_endpoints_must_be_https_except_on_loopback():
    assert check_endpoint("https://oauth2.googleapis.com/tokeninfo", "--tokeninfo-url")
    for url in ("http://127.0.0.1:8080/t", "http://localhost/t", "http://[::1]:9/t"):
        assert check_endpoint(url, "--token-uri") == url
    for url, words in (("http://proxy.corp.example/t", "plain HTTP"), ("ftp://x/t", r"absolute http\(s\)"),
                       ("/tokeninfo", r"absolute http\(s\)"), ("https://x.example/t?access_token=ya29-secret", "query"), ("https://me:pw@x.example/t", "user info")):
        with pytest.raises(AuditorError, match=words) as caught:
            check_endpoint(url, "--tokeninfo-url")
        assert "ya29-secret" not in str(caught.value) and "pw@" not in str(caught.value)


def test_http_client_honours_retry_after_against_the_server(google):
    token = google.issue_token("openid", "client-1")
    google.queue("tokeninfo", fault(429, retry_after="1"))
    client = HttpClient(timeout=5, retry=RetryPolicy(base_delay=0.05))
    started = time.monotonic()
    info = fetch_tokeninfo(client, f"{google.url}/tokeninfo", Secret(token))
    assert time.monotonic() - started >= 1.0
    assert info.scopes == ("openid",) and (client.calls, client.retries) == (2, 1)


def test_http_client_gives_up_after_its_attempts(google):
    google.queue("tokeninfo", *[fault(503)] * 3)
    client = HttpClient(timeout=5, retry=RetryPolicy(attempts=3, base_delay=0.01))
    with pytest.raises(ProbeError, match="answered HTTP 503 after 3 attempts"):
        fetch_tokeninfo(client, f"{google.url}/tokeninfo", Secret("ya29-whatever-token"))
    assert google.counts["tokeninfo"] == 3


def test_cancelled_client_stops_before_calling(google):
    from auditor.probe.http_client import Cancelled

    client = HttpClient(timeout=5)
    client.cancelled.set()
    with pytest.raises(Cancelled):
        client.call("POST", f"{google.url}/tokeninfo", service="tokeninfo")
    assert google.counts["tokeninfo"] == 0
