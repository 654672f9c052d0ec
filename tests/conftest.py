"""Shared test helpers: run the real command line, find the repository's folders."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "manifests"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def run_wsaudit(*args: str, cwd: Path | None = None, stdin: bytes | None = None, env: dict | None = None) -> Run:
    """Run ``python -m auditor`` as a user would, in a child process."""
    completed = subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        cwd=cwd or REPO,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )
    return Run(completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8"))


@pytest.fixture
def wsaudit():
    return run_wsaudit


@pytest.fixture
def write(tmp_path: Path):
    """Write a file under the test's temporary folder and return its path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


MINIMAL = """\
manifest_version: 1
app:
  name: Tiny
  developer: Tiny Ltd
  type: web
scopes:
  - scope: openid
"""


@pytest.fixture
def minimal_manifest() -> str:
    return MINIMAL
