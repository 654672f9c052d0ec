"""Helpers the tests share by import: run the real command line, the repository's folders,
a minimal manifest, and the browser layout measurements. Fixtures stay in ``conftest.py``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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


MINIMAL = """\
manifest_version: 1
app:
  name: Tiny
  developer: Tiny Ltd
  type: web
scopes:
  - scope: openid
"""


DESKTOP = {"width": 1280, "height": 900}
# An iPhone 12 to 15 in CSS pixels, the narrow phone the layout must hold at.
PHONE = {"width": 390, "height": 844}


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


def png_size(path: Path) -> tuple[int, int]:
    """The width and height of a PNG file, read from its header (which must be a PNG's)."""
    import struct

    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", header[:16]
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def save_screenshots(page, folder: Path, name: str) -> list[Path]:
    """The top of the page and the whole page as PNG files, for a person to look at."""
    shots = [folder / f"{name}-top.png", folder / f"{name}-full.png"]
    page.screenshot(path=str(shots[0]))
    page.screenshot(path=str(shots[1]), full_page=True)
    return shots


TOOLS = REPO / "tests" / "tools"


def work_done(action: Callable[[], object]) -> int:
    """How many function calls (Python and C) ``action`` makes: a measure of work that,
    unlike a clock, does not depend on how busy the machine is. Comparing it for an input and
    one twice as large tells linear cost from quadratic."""
    import sys

    calls = 0

    def count(frame: object, event: str, arg: object) -> None:
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    previous = sys.getprofile()
    sys.setprofile(count)
    try:
        action()
    finally:
        sys.setprofile(previous)
    return calls


# Libraries that `wsaudit --help` and other cheap paths must not import.
HEAVY = ("jsonschema", "jinja2", "requests", "google", "yaml", "urllib3")


def imported_modules(*args: str) -> set[str]:
    completed = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "auditor", *args],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    names = set()
    for line in completed.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip())
    return names
