"""What the probe tests share by import: the app's client ids and manifest, the child's safe
environment, a runner that runs ``wsaudit probe`` in a child process and checks that no secret
reached anything it wrote, and credentials files the local stand-in for Google accepts.
The fixtures built from them are in ``conftest.py``."""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.helpers import run_wsaudit
from tests.probe.fake_google import FakeGoogle

CLIENT_ID = "111-mailhelper.apps.googleusercontent.com"
OTHER_CLIENT_ID = "999-someoneelse.apps.googleusercontent.com"
SA_EMAIL = "probe@wsaudit-test.iam.gserviceaccount.com"
SA_CLIENT_ID = "104729000000000000001"
ADMIN = "admin@corp.example"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

MANIFEST = f"""\
manifest_version: 1
app:
  name: Mail Helper
  developer: Example Labs Ltd
  type: web
  oauth_client_ids:
    - {CLIENT_ID}
use_cases:
  - api: gmail
    use_case: productivity
    description: Summaries of the user's mail, shown in the app.
    user_facing: true
scopes:
  - scope: gmail.readonly
    justification: Read messages to summarise them.
  - scope: openid
  - scope: drive.file
    requested: incremental
"""


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


@dataclass(frozen=True)
class RsaKey:
    private_pem: str
    public_key: Any

    def secret_lines(self) -> list[str]:
        """The base64 lines of the PEM body: any of them in an output is a leaked key."""
        return [line for line in self.private_pem.splitlines() if line and not line.startswith("-----")]


@dataclass
class ProbeRun:
    code: int
    stdout: str
    stderr: str
    reports: dict[str, str]
    seconds: float
    texts: list[str] = field(default_factory=list)

    def report(self, name: str) -> dict[str, Any]:
        return json.loads(self.reports[name])

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]


def safe_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: no real Google configuration, and every request that is not
    for 127.0.0.1 sent to a closed local port (so nothing can leave the machine)."""
    dead = f"http://127.0.0.1:{closed_port()}"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("GOOGLE_", "CLOUDSDK_", "GCE_")) and key.lower() not in PROXY_VARIABLES}
    env.update({
        "HOME": str(home), "CLOUDSDK_CONFIG": str(home / "gcloud"),
        "HTTP_PROXY": dead, "HTTPS_PROXY": dead, "ALL_PROXY": dead,
        "http_proxy": dead, "https_proxy": dead, "all_proxy": dead,
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "GCE_METADATA_HOST": dead.removeprefix("http://"), "GCE_METADATA_IP": dead.removeprefix("http://"),
        "NO_GCE_CHECK": "true",  # ADC must not look for a metadata server at all
    })
    env.update(extra or {})
    return env


class ProbeRunner:
    """Runs ``wsaudit probe`` against the fake; after each run, checks every output for secrets."""

    def __init__(self, google: FakeGoogle, tmp_path: Path) -> None:
        self.google = google
        self.home = tmp_path / "home"
        self.home.mkdir()
        self.out = tmp_path / "out"
        self.out.mkdir()
        self.extra_secrets: list[str] = []
        self.runs: list[ProbeRun] = []

    def secrets(self) -> list[str]:
        return sorted(self.google.secrets | set(self.extra_secrets))

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> ProbeRun:
        started = time.monotonic()
        result = run_wsaudit("probe", *args, env=safe_env(self.home, env))
        seconds = time.monotonic() - started
        reports = {path.name: path.read_text(encoding="utf-8") for path in sorted(self.out.iterdir()) if path.is_file()}
        run = ProbeRun(result.code, result.stdout, result.stderr, reports, seconds,
                       [result.stdout, result.stderr, *reports.values()])
        self.runs.append(run)
        assert_no_secret(run.texts + self.google.request_lines, self.secrets())
        return run


def assert_no_secret(texts: list[str], secrets: list[str]) -> None:
    """Fail when any of ``secrets`` occurs in any of ``texts``."""
    assert secrets, "the check needs the secrets the test used"
    for text in texts:
        for secret in secrets:
            assert secret not in text, f"a secret ({secret[:6]}…) leaked into the output:\n{text[:2000]}"


def authorized_user_file(google: FakeGoogle, write: Any, scopes: str, name: str = "user.json",
                         client_id: str = CLIENT_ID, token_uri: str | None = None) -> tuple[Path, str]:
    """An authorized-user credentials file whose refresh token the fake accepts."""
    secret = google.add_client(client_id) if client_id not in google.clients else google.clients[client_id]
    refresh = google.add_refresh_token(client_id, scopes)
    document = {"type": "authorized_user", "client_id": client_id, "client_secret": secret,
                "refresh_token": refresh, "token_uri": token_uri or f"{google.url}/token"}
    return write(name, json.dumps(document)), refresh


def service_account_file(google: FakeGoogle, write: Any, key: RsaKey, name: str = "sa.json",
                         registered_key: Any = None) -> Path:
    """A service-account credentials file; the fake verifies its JWTs with ``registered_key``
    (by default the file's own key)."""
    google.add_service_account(SA_EMAIL, SA_CLIENT_ID, registered_key or key.public_key)
    key_id = google.secret("keyid")
    document = {"type": "service_account", "project_id": "wsaudit-test", "private_key_id": key_id,
                "private_key": key.private_pem, "client_email": SA_EMAIL, "client_id": SA_CLIENT_ID,
                "token_uri": f"{google.url}/token"}
    return write(name, json.dumps(document))
