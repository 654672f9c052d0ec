"""Helpers the tests share by import: run the real command line, the repository's folders,
a minimal manifest, the browser layout measurements, and the structural checks of report
formats (SARIF schema, JUnit XSD, Markdown as GitHub renders it). Fixtures stay in
``conftest.py``; a test module never imports another test module."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "manifests"
# A character device that never ends: a loader that opened and read it would not stop at its
# end. Not os.devnull, which some sandboxes replace with an empty regular file.
CHARACTER_DEVICE = "/dev/zero"


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


# A manifest whose calendar data is stored in the cloud and sent to one recipient: the facts a
# privacy policy is checked against.
DESK_PLANNER = """\
manifest_version: 1
app:
  name: Desk Planner
  developer: Example Labs
  type: web
  security_contact: security@deskplanner.example
scopes:
  - scope: calendar.events
    justification: Create desk bookings as events.
data:
  - id: bookings
    description: Desk booking events
    source_scopes: [calendar.events]
    categories: [calendar_events]
    purposes: [user_facing_feature]
storage:
  - id: db
    data: [bookings]
    location: cloud_provider
    retention: P30D
transfers:
  - id: mailer
    recipient: Postbox Mail
    recipient_type: service_provider
    data: [bookings]
    purpose: provide_feature
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
    return _events_during(action, ("call", "c_call"), trace=False)


def lines_run(action: Callable[[], object]) -> int:
    """How many lines of Python ``action`` runs, in every function it calls: work that grows
    with a loop's iterations even when the loop calls nothing, whatever the clock says."""
    return _events_during(action, ("line",), trace=True)


def _events_during(action: Callable[[], object], counted: tuple[str, ...], trace: bool) -> int:
    """How many of the interpreter's ``counted`` events ``action`` causes, seen by a trace
    function (``sys.settrace``: lines) or a profile function (``sys.setprofile``: calls)."""
    import sys

    events = 0

    def count(frame: object, event: str, arg: object) -> object:
        nonlocal events
        if event in counted:
            events += 1
        return count  # a trace function goes on tracing the frame it was called for

    get, install = (sys.gettrace, sys.settrace) if trace else (sys.getprofile, sys.setprofile)
    previous = get()
    install(count)
    try:
        action()
    finally:
        install(previous)
    return events


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


# ---------------------------------------------------------------- report formats checked by structure
SCHEMAS = REPO / "tests" / "schemas"


@functools.cache
def _sarif_validator():
    import json

    import jsonschema

    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def sarif_schema_errors(document: dict) -> list[str]:
    """Where and why ``document`` breaks the official SARIF 2.1.0 schema (kept in the tests
    folder, so nothing is downloaded); empty for a valid log."""
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in _sarif_validator().iter_errors(document)]


@functools.cache
def _junit_schema():
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))


def parse_valid_junit(text: str):
    """The root element of a JUnit XML document, which must be valid against the structure CI
    servers read (an ``lxml`` error says where it is not)."""
    from lxml import etree

    root = etree.fromstring(text.encode("utf-8"))
    _junit_schema().assertValid(root)
    return root


# In the browser: how many findings of an HTML report are shown (the filters hide the others).
VISIBLE_FINDINGS = "Array.from(document.querySelectorAll('li.finding')).filter(e => e.checkVisibility()).length"

# English words of an audit report's fixed strings, which a French report must not show.
ENGLISH_REPORT_WORDS = re.compile(r"\b(failed|passed|incomplete|waived|manifest\(s\)|cannot decide|does not say)\b")


class VisibleText(HTMLParser):
    """The text a reader sees: no script, style, or manifest values (inside ``bdi``/``code``)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "bdi", "code"):
            self.hidden += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style", "bdi", "code"):
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


# ---------------------------------------------------------------- Markdown as GitHub shows it
def render_like_github(markdown: str) -> str:
    """``markdown`` rendered to HTML by cmark-gfm, GitHub's own renderer, with its extensions."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    # UNSAFE keeps raw HTML in the output, so that any HTML the Markdown carries is seen here
    # (GitHub then filters it; our output must not depend on that).
    return cmarkgfm.github_flavored_markdown_to_html(markdown, options=Options.CMARK_OPT_UNSAFE)


class RenderedPage(HTMLParser):
    """What a reader sees: elements used, links (target and text), text outside code.

    Text inside ``<summary>`` is kept apart: it is raw HTML in the Markdown, which no
    renderer autolinks, so a URL there is text and stays text.
    """

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self.plain_text: list[str] = []
        self.summary_text: list[str] = []
        self._summary_depth = 0
        self._open_link: list[str] | None = None
        self._href = ""
        self._code_depth = 0
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.add(tag)
        if tag == "a":
            self._open_link, self._href = [], dict(attrs).get("href") or ""
        elif tag in ("code", "pre"):
            self._code_depth += 1
        elif tag == "summary":
            self._summary_depth += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._open_link is not None:
            self.links.append((self._href, "".join(self._open_link)))
            self._open_link = None
        elif tag in ("code", "pre"):
            self._code_depth -= 1
        elif tag == "summary":
            self._summary_depth -= 1

    def handle_data(self, data):
        if self._open_link is not None:
            self._open_link.append(data)
        elif self._code_depth == 0:
            (self.summary_text if self._summary_depth else self.plain_text).append(data)


# The sections of a full manifest that come before its data flow.
_HEAD = (EXAMPLES / "inbox-digest.yaml").read_text(encoding="utf-8").split("\ndata:\n")[0]
_ENCRYPTED = "    encryption_at_rest: {enabled: true, algorithm: AES-256-GCM, key_management: kms}"
_TRANSPORT = '    transport: {protocol: https, tls_min_version: "1.2"}'


def big_manifest_files(folder: Path, sizes: Iterable[int]) -> dict[int, Path]:
    """:func:`big_manifest` of each of ``sizes`` written in ``folder``, by size: the inputs
    of tests that compare the work done for a manifest and one twice its size."""
    paths = {}
    for size in sizes:
        path = paths[size] = folder / f"app-{size}.yaml"
        path.write_text(big_manifest(size), encoding="utf-8")
    return paths


def big_manifest(entries: int, unknown_scopes: int = 0) -> str:
    """A valid manifest with ``entries`` data elements, storage places, transfers and
    human-access grants, each naming one data element, plus one of each naming them all;
    and ``unknown_scopes`` requested scopes the catalog does not know."""
    head = _HEAD.replace("\nauth:\n", "".join(
        f"  - scope: https://www.googleapis.com/auth/inhouse{index}.readonly\n    justification: Our own API.\n"
        f"    requested: incremental\n    features: [Reports]\n" for index in range(unknown_scopes)) + "\nauth:\n")
    ids = [f"element-{index}" for index in range(entries)]
    every = ", ".join(ids)
    lines = [head, "data:"]
    for ident in ids:
        lines += [f"  - id: {ident}", "    description: Message bodies", "    source_scopes: [gmail.readonly]",
                  "    categories: [email_content]", "    purposes: [user_facing_feature]"]
    lines.append("storage:")
    for index, named in enumerate([*ids, every]):
        lines += [f"  - id: store-{index}", f"    data: [{named}]", "    location: cloud_provider", _ENCRYPTED,
                  "    retention: P7D", "    region: EU"]
    lines.append("transfers:")
    for index, named in enumerate([*ids, every]):
        lines += [f"  - id: transfer-{index}", "    recipient: Provider", "    recipient_type: service_provider",
                  f"    data: [{named}]", "    purpose: provide_feature", "    user_consent: true", _TRANSPORT,
                  "    network: external"]
    lines.append("human_access:")
    for index, named in enumerate([*ids, every]):
        lines += [f"  - role: role-{index}", f"    data: [{named}]", "    basis: security"]
    lines += ["security:", "  casa: {completed: true, tier: 2, date: 2026-06-15, letter_of_assessment: true}",
              "  isms: iso27001", "  owasp_top10_reviewed: true",
              "  incident_response: {notifies_google: true, contact: security@example.com}", "  https_only: true"]
    return "\n".join(lines) + "\n"


def copies_of_an_example(folder: Path, count: int) -> Path:
    """``folder`` filled with ``count`` copies of the first example manifest: a batch long
    enough to be interrupted while it runs."""
    import shutil

    folder.mkdir()
    example = sorted(EXAMPLES.glob("*.yaml"))[0]
    for index in range(count):
        shutil.copyfile(example, folder / f"app-{index:04}.yaml")
    return folder


def default_ctrl_c() -> None:
    """Given to ``subprocess.Popen`` as ``preexec_fn`` by a test that presses Ctrl-C: the child
    starts with SIGINT at its default, as under a terminal, whatever the test run inherited (a
    shell starts a background job with SIGINT ignored, and a Python started so never turns
    it into KeyboardInterrupt)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def interrupt_while_writing(arguments: list[str], out: Path, outputs: int, settle: float = 0.0) -> tuple[int, str]:
    """Run ``python -m auditor *arguments``, press Ctrl-C once ``outputs`` temporary report
    files are open in ``out`` (and ``settle`` seconds more), and return its exit code and
    stderr; a child that does not stop within 60 s is killed (and its code is then not 130)."""
    import os

    return interrupt_when(arguments, lambda: sum(name.endswith(".part") for name in os.listdir(out)) >= outputs,
                          settle)


def interrupt_when(arguments: list[str], ready: Callable[[], bool], settle: float = 0.0,
                   env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run ``python -m auditor *arguments`` (in ``env``, when given), press Ctrl-C once
    ``ready()`` says so (and ``settle`` seconds more), and return its exit code and stderr;
    a child that does not stop within 60 s is killed (and its code is then not 130)."""
    import signal
    import time

    process = subprocess.Popen([sys.executable, "-m", "auditor", *arguments], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, preexec_fn=default_ctrl_c, env=env)
    deadline = time.monotonic() + 60
    while not ready() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(settle)
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
    return process.returncode, stderr.decode()


def recorded_positions(place: tuple, pointer: str = "") -> Iterable[tuple[str, object, object]]:
    """Every pointer a YAML document's position tree (its ``root`` place) records, with its
    value's and its key's 1-based position, in the tree's order."""
    from auditor.manifest.yaml_source import position_of

    yield pointer, position_of(place[0]), place[1] and position_of(place[1])
    children = place[2]
    if isinstance(children, dict):
        for token, child in children.items():
            yield from recorded_positions(child, f"{pointer}/{token}")
    elif isinstance(children, list):
        for index, child in enumerate(children):
            yield from recorded_positions(child, f"{pointer}/{index}")


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """``files`` (path in the tree -> text) written under ``root``; ``root``."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def scanned_tree(root: Path, files: dict[str, str]):
    """The code scan of a tree of ``files`` written under ``root``, and its calls as (path in
    the tree, line, method), in order."""
    from auditor.catalog.scope_catalog import ScopeCatalog
    from auditor.scan.drift import scan_code

    scan = scan_code([str(write_tree(root, files))], ScopeCatalog.load(), 1 << 20)
    return scan, sorted((scan.relative_path(call.path), call.line, call.method) for call in scan.calls)
