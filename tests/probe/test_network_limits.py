"""--timeout bounds a whole exchange, not each read; answers are capped in size, read as a
stream and abandoned at the cap, so memory stays flat."""

from __future__ import annotations

import json
import time
import tracemalloc

import pytest

from auditor.model.errors import ProbeError
from auditor.probe.directory import MAX_PAGE_BYTES, DirectoryClient
from auditor.probe.http_client import HttpClient, RetryPolicy
from auditor.probe.redaction import Secret
from auditor.probe.tokeninfo import MAX_ANSWER_BYTES, fetch_tokeninfo

from tests.probe.support import CLIENT_ID, MANIFEST
from tests.probe.slow_servers import DripServer, FloodServer

DRIP_BYTES = 40  # at one byte a second, 40 s if nothing cuts it off


@pytest.fixture
def servers():
    started = []

    def _start(server):
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()


@pytest.mark.parametrize("where", ["head", "body", "body-until-close"])
def test_a_dripping_server_is_cut_off_at_the_deadline(servers, where):
    drip = servers(DripServer(where, length=DRIP_BYTES))
    client = HttpClient(timeout=2, retry=RetryPolicy(attempts=1))
    started = time.monotonic()
    with pytest.raises(ProbeError, match="did not answer within 2 s"):
        fetch_tokeninfo(client, f"{drip.url}/tokeninfo", Secret("ya29-drip-test-token"))
    seconds = time.monotonic() - started
    assert drip.closed.wait(10), "the server still had the connection open"
    # Cut off after about 2 of its 40+ dripped bytes: far from the drip's full length.
    assert drip.sent < (80 if where != "head" else 120)
    assert seconds < 15, f"took {seconds:.1f} s"


def test_the_deadline_is_per_attempt_and_applies_to_the_token_endpoint_too(servers, probe, write):
    drip = servers(DripServer("body", length=DRIP_BYTES))
    document = {"type": "authorized_user", "client_id": CLIENT_ID, "client_secret": "GOCSPX-drip-secret-1",
                "refresh_token": "1//drip-refresh-token-1", "token_uri": f"{drip.url}/token"}
    probe.extra_secrets += ["GOCSPX-drip-secret-1", "1//drip-refresh-token-1"]
    credentials = write("user.json", json.dumps(document))
    run = probe(str(write("mail.yaml", MANIFEST)), "--credentials", str(credentials), "--timeout", "2")
    assert run.code == 3, run.stderr
    assert "the token endpoint did not answer within 2 s" in run.stderr
    assert run.seconds < 30 and drip.connections <= 3


def test_probe_timeout_option_cuts_off_a_dripping_tokeninfo(servers, probe, write):
    drip = servers(DripServer("body-until-close", length=DRIP_BYTES))
    run = probe(str(write("mail.yaml", MANIFEST)), "--access-token-env", "T", "--tokeninfo-url",
                f"{drip.url}/tokeninfo", "--timeout", "2", env={"T": "ya29-drip-probe-token"})
    assert run.code == 3, run.stderr
    [line] = run.error_lines
    assert "the tokeninfo endpoint did not answer within 2 s" in line
    assert drip.sent < 80


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_huge_tokeninfo_answer_is_refused_with_flat_memory(servers, declare_length):
    flood = servers(FloodServer(50 * 1024 * 1024, declare_length))
    client = HttpClient(timeout=20, retry=RetryPolicy(attempts=1))
    tracemalloc.start()
    try:
        with pytest.raises(ProbeError, match="answered with more than 1 MiB"):
            fetch_tokeninfo(client, f"{flood.url}/tokeninfo", Secret("ya29-flood-test-token"))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_ANSWER_BYTES, f"peak {peak / 2**20:.1f} MiB"
    assert flood.closed.wait(10)
    assert flood.sent < 20 * 1024 * 1024  # most of the 50 MiB was never read


def test_an_answer_just_under_the_cap_is_read(servers):
    flood = servers(FloodServer(MAX_ANSWER_BYTES, declare_length=False))
    client = HttpClient(timeout=20, retry=RetryPolicy(attempts=1))
    info = fetch_tokeninfo(client, f"{flood.url}/tokeninfo", Secret("ya29-flood-test-token"))
    assert info.scopes[0].count("x") == MAX_ANSWER_BYTES - 13


def test_a_directory_page_over_16_mib_is_an_error(servers):
    flood = servers(FloodServer(MAX_PAGE_BYTES + 1, declare_length=False))
    directory = DirectoryClient(HttpClient(timeout=20, retry=RetryPolicy(attempts=1)), flood.url,
                                Secret("ya29-flood-admin-token"))
    with pytest.raises(ProbeError, match="answered with more than 16 MiB"):
        next(directory.user_pages())


def test_probe_exits_3_on_a_huge_answer(servers, probe, write):
    flood = servers(FloodServer(50 * 1024 * 1024, declare_length=False))
    run = probe(str(write("mail.yaml", MANIFEST)), "--access-token-env", "T", "--tokeninfo-url",
                f"{flood.url}/tokeninfo", env={"T": "ya29-flood-probe-token"})
    assert run.code == 3, run.stderr
    assert "the tokeninfo endpoint answered with more than 1 MiB" in run.stderr
