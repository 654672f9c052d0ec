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


# ---------------------------------------------------------------- headless browser
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]


def _ensure_chromium() -> str:
    """Debian's chromium, installed on first use (the test machines are Debian, as root)."""
    import os
    import shutil

    if os.path.exists(CHROMIUM):
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.fail("the browser tests need Debian's chromium package: apt-get install chromium")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        completed = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900)
        if completed.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium driven by Playwright (the Debian browser, not a downloaded one)."""
    from playwright.sync_api import sync_playwright

    executable = _ensure_chromium()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class OpenedPage:
    page: object
    console_errors: list
    requests: list


@pytest.fixture
def open_page(browser):
    """Open a local file at 1280 px width; collect console errors and every request made."""
    contexts = []

    def _open(path: Path, javascript: bool = True) -> OpenedPage:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
        contexts.append(context)
        page = context.new_page()
        errors: list = []
        requests: list = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.resolve().as_uri())
        page.wait_for_load_state("load")
        return OpenedPage(page, errors, requests)

    yield _open
    for context in contexts:
        context.close()
