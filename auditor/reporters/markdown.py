"""Markdown for a pull-request comment: verdict, summary table, failures per manifest.

The wording lives in ``reports/templates/report.md.j2``; this module counts, orders and fits
the pieces under :data:`LIMIT`. Passes are counted, never listed. Every manifest with a
finding that did not pass gets a collapsed ``<details>`` block with one table row per such
finding. When everything does not fit, the table keeps its first rows, the blocks their
first findings, and a note says what was left out; the totals always count everything.

Results stream through once: only what could still fit is kept, the rest is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from auditor.model.findings import SEVERITIES, STATUSES, Finding
from auditor.model.report import Report, WaiverNote
from auditor.reporters import RenderOptions

# GitHub refuses a comment body of 65,536 characters or more.
COMMENT_LIMIT = 65_536
LIMIT = COMMENT_LIMIT - 1
# Room kept for the truncation note, whose numbers are known only at the end.
_NOTE_RESERVE = 600
# A single value longer than this is cut, so one runaway field cannot fill the comment.
_LONGEST_VALUE = 2_000
_MAX_WAIVER_NOTES = 20
# The waiver warnings' share of the comment at most.
_WAIVER_ROOM = LIMIT // 4


def size(text: str) -> int:
    """Length as a JavaScript string counts it (UTF-16 code units), never less than
    Python's count of code points."""
    return len(text.encode("utf-16-le")) // 2


def html_text(value: Any) -> str:
    """``value`` as inert text inside an HTML element of a Markdown document (character
    references, no control characters, mentions in ``<code>``)."""
    from auditor.reporters.templating import escape_markdown_html

    return escape_markdown_html(value)


def _clip(text: str) -> str:
    return text if len(text) <= _LONGEST_VALUE else text[:_LONGEST_VALUE - 1] + "…"


def _waiver_section(parts: Any, notes: list[WaiverNote], t: Any) -> str:
    """The waiver warnings in ``t``'s language, each value clipped and as many notes as fit
    in their share of the comment (a waiver file is user input: its patterns and names can be
    any length); the notes left out are counted."""
    from auditor.rules.i18n import waiver_note_text

    shown = [replace(note, rule_id=_clip(note.rule_id), manifest=_clip(note.manifest), source=_clip(note.source),
                     message=_clip(waiver_note_text(note, t))) for note in notes[:_MAX_WAIVER_NOTES]]
    while True:
        text = parts.waiver_notes(shown, len(notes) - len(shown)) + "\n"
        if size(text) <= _WAIVER_ROOM or not shown:
            return text
        shown.pop()


def _counts(findings: tuple[Finding, ...]) -> tuple[dict[str, int], dict[str, int]]:
    counts = dict.fromkeys(STATUSES, 0)
    failed = dict.fromkeys(SEVERITIES, 0)
    for finding in findings:
        counts[finding.status] += 1
        if finding.status == "fail":
            failed[finding.severity] += 1
    return counts, failed


def _by_severity(failed: dict[str, int], t: Any) -> str:
    return ", ".join(t("text.failed_severity", failed[severity], severity=t.word("severity", severity))
                     for severity in SEVERITIES if failed[severity])


@dataclass
class _Block:
    head: str
    rows: list[tuple[str, str]]
    tail: str


@dataclass
class _Kept:
    """Pieces kept while they could still fit, and counts of those that could not."""

    items: list[Any] = field(default_factory=list)
    used: int = 0
    overflow: int = 0
    overflow_failing: int = 0
    overflow_by_status: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def room(self) -> int:
        """How large a piece can still be kept."""
        return LIMIT - self.used

    def offer(self, item: Any, item_size: int, failing: bool, counts: dict[str, int]) -> None:
        if item_size <= self.room():
            self.items.append((item, item_size, failing, counts))
            self.used += item_size
        else:
            self.refuse(failing, counts)

    def refuse(self, failing: bool, counts: dict[str, int]) -> None:
        """Count a piece that cannot be kept."""
        self.overflow += 1
        self.overflow_failing += failing
        for status, count in counts.items():
            self.overflow_by_status[status] += count


def _template(t: Any) -> Any:
    from auditor.rules.i18n import evidence_notes
    from auditor.reporters.templating import markdown_environment

    environment = markdown_environment()
    environment.filters.setdefault("html_text", html_text)
    # The macros read every fixed string from the report's language catalog.
    return environment.get_template("report.md.j2").make_module({"t": t, "evidence_notes": evidence_notes})


def render(report: Report, out: TextIO, options: RenderOptions) -> None:
    if getattr(report, "diff", None) is not None:
        from auditor.reporters.diff_markdown import render_diff

        # A comparison's comment: what changed, introduced and fixed, pair by pair.
        render_diff(report, out, options)
        return
    from auditor.rules.i18n import report_language

    t = report_language(report)
    parts = _template(t)
    rows, blocks, manifests = _gather(report, parts, t)
    frame = _frame(report, parts, t, manifests, options)
    budget = LIMIT - frame.size() - _NOTE_RESERVE

    # The table gets what the blocks leave, but at least half the room when both overflow.
    kept_rows, used = _fit_rows(rows, max(budget - blocks.used, budget // 2))
    rows_left = len(rows.items) - len(kept_rows) + rows.overflow
    rows_left_failing = sum(1 for _, _, failing, _ in rows.items[len(kept_rows):] if failing) + rows.overflow_failing
    rows_note = parts.rows_left_out(rows_left, rows_left_failing) + "\n\n" if rows_left else ""
    kept_blocks, left_by_status, blocks_left = _fit_blocks(blocks, budget - used - size(rows_note), parts)

    truncation = ""
    left_out = sum(left_by_status.values())
    if rows_left or left_out:
        phrase = ", ".join(t("markdown.status_count", left_by_status[status], status=t.word("status", status))
                           for status in STATUSES if left_by_status[status])
        truncation = parts.truncated(f"{COMMENT_LIMIT:,}", rows_left, left_out, blocks_left, phrase) + "\n\n"

    document = (frame.head + "".join(kept_rows) + frame.total + rows_note + frame.domain + "".join(kept_blocks)
                + frame.waivers)
    if frame.waivers:
        document += "\n"
    document += truncation + frame.footer
    # The reserve is generous for a note of a few numbers; this holds by construction.
    assert size(document) <= LIMIT, size(document)
    out.write(document)


def _gather(report: Report, parts: Any, t: Any) -> tuple[_Kept, _Kept, int]:
    """Read the results once: a summary row per manifest, a block per manifest with a
    finding that did not pass (only those that could still fit are kept); and how many
    manifests there were."""
    rows, blocks = _Kept(), _Kept()
    manifests = 0
    for result in report.iter_results():
        manifests += 1
        counts, failed = _counts(result.findings)
        row = parts.summary_row(_clip(result.path), _clip(result.app), counts, _by_severity(failed, t)) + "\n"
        rows.offer(row, size(row), counts["fail"] > 0, counts)
        shown = [finding for finding in result.findings if finding.status != "pass"]
        if shown:
            _offer_block(blocks, result, shown, counts, parts)
    return rows, blocks, manifests


def _offer_block(blocks: _Kept, result: Any, shown: list[Finding], counts: dict[str, int], parts: Any) -> None:
    """Offer ``blocks`` the block of ``result``'s findings ``shown``, written only while it
    could still fit: once the comment is full (or for a block larger than a comment) a
    manifest's findings are counted, not written only to be left out.

    A row holds its finding's message and remediation, and escaping never shortens a text,
    so their lengths are a lower bound of the rows' size, known before any is written."""
    failing, not_passed = counts["fail"] > 0, {status: count for status, count in counts.items() if status != "pass"}
    least = sum(min(len(finding.message), _LONGEST_VALUE) + min(len(finding.remediation), _LONGEST_VALUE)
                for finding in shown)
    if least > blocks.room():
        blocks.refuse(failing, not_passed)
        return
    head = parts.block_head(_clip(result.path), _clip(result.app), counts) + "\n"
    tail = "\n" + parts.block_tail() + "\n\n"
    block_size = size(head) + size(tail)
    rows: list[tuple[str, str]] = []
    for finding in shown:
        if block_size > blocks.room():
            break  # it cannot fit: the block is refused, whatever its other rows
        line = parts.finding_row(finding, _clip(finding.message), _clip(finding.remediation)) + "\n"
        rows.append((finding.status, line))
        block_size += size(line)
    blocks.offer(_Block(head, rows, tail), block_size, failing, not_passed)


@dataclass(frozen=True)
class _Frame:
    """The parts of the comment that are always written whole, around the table and blocks."""

    head: str
    total: str
    waivers: str
    footer: str
    domain: str

    def size(self) -> int:
        return size(self.head) + size(self.total) + size(self.waivers) + size(self.footer) + size(self.domain)


def _frame(report: Report, parts: Any, t: Any, manifests: int, options: RenderOptions) -> _Frame:
    """The verdict and totals (from the summary, once every result has been read), the
    waiver warnings, the inventory or least-privilege section, and the footer."""
    summary = report.summary
    totals = summary.counts
    by_severity = _by_severity(summary.fail_by_severity, t)
    gate_failed = summary.failed(options.fail_on, options.strict)
    head = (parts.verdict(totals, by_severity, manifests, gate_failed, options.fail_on) + "\n\n"
            + parts.summary_head() + "\n")
    total = parts.total_row(totals, manifests) + "\n\n"
    notes = report.waiver_notes()
    waivers = _waiver_section(parts, notes, t) if notes else ""
    footer = parts.footer(report.tool_version, report.as_of, report.packs) + "\n"
    domain_inventory = getattr(report, "domain_inventory", None)
    domain = _inventory_section(domain_inventory, t) if domain_inventory is not None else ""
    code_scan = getattr(report, "code_scan", None)
    if code_scan is not None:
        domain += _scan_section(code_scan, t)
    return _Frame(head, total, waivers, footer, domain)


def _fit_rows(rows: _Kept, row_budget: int) -> tuple[list[str], int]:
    """The summary rows that fit in ``row_budget``, in order, and the room they take."""
    kept_rows: list[str] = []
    used = 0
    for row, row_size, _, _ in rows.items:
        if used + row_size > row_budget:
            break
        kept_rows.append(row)
        used += row_size
    return kept_rows, used


def _fit_blocks(blocks: _Kept, remaining: int, parts: Any) -> tuple[list[str], dict[str, int], int]:
    """The finding blocks that fit in ``remaining``; the first that does not keeps the
    findings that do and says how many it leaves out. Returns the kept blocks' text, the
    findings left out by status, and the number of blocks not shown whole."""
    kept_blocks: list[str] = []
    left_by_status = dict(blocks.overflow_by_status)
    blocks_left = blocks.overflow
    cut = False
    for block, block_size, _, _ in blocks.items:
        if not cut and block_size <= remaining:
            kept_blocks.append(block.head + "".join(line for _, line in block.rows) + block.tail)
            remaining -= block_size
            continue
        blocks_left += 1
        shown: list[str] = []
        if not cut:
            cut = True
            shown = _rows_that_fit(block, remaining)
            if shown:
                note = "\n" + parts.findings_left_out(len(block.rows) - len(shown)) + "\n"
                kept_blocks.append(block.head + "".join(shown) + note + block.tail)
        for status, _ in block.rows[len(shown):]:
            left_by_status[status] += 1
    return kept_blocks, left_by_status, blocks_left


def _rows_that_fit(block: _Block, remaining: int) -> list[str]:
    """The first rows of ``block`` that fit in ``remaining`` with its head, tail and a note."""
    room = remaining - size(block.head) - size(block.tail) - 200
    shown: list[str] = []
    for _, line in block.rows:
        if size(line) > room:
            break
        shown.append(line)
        room -= size(line)
    return shown


# The domain inventory's share of the comment at most; the drift findings need the rest.
_INVENTORY_ROOM = LIMIT // 3
_MAX_FAILED_USERS = 20
# Values from the Directory API are cut shorter than a manifest's: a table row per app.
_LONGEST_DIRECTORY_VALUE = 300


def _short(text: str) -> str:
    return text if len(text) <= _LONGEST_DIRECTORY_VALUE else text[:_LONGEST_DIRECTORY_VALUE - 1] + "…"


def _inventory_section(inventory: Any, t: Any) -> str:
    """The live probe's domain inventory, from ``report.inventory.md.j2`` in ``t``'s language: the users whose
    lookup failed, and a table of apps (the most used first, as many as fit in
    :data:`_INVENTORY_ROOM`, the rest counted)."""
    from auditor.reporters.templating import markdown_environment

    parts = markdown_environment().get_template("report.inventory.md.j2").make_module({"t": t})
    shown = replace(inventory, stopped_by=_clip(inventory.stopped_by) if inventory.stopped_by else None)
    text = parts.heading(shown, inventory.summary()) + "\n\n"
    failed = [replace(user, email=_short(user.email), reason=_short(user.reason))
              for user in inventory.failed_users[:_MAX_FAILED_USERS]]
    if failed:
        text += parts.failed_users(failed, len(inventory.failed_users) - len(failed)).rstrip("\n") + "\n\n"
    if not inventory.apps:
        return text
    head = parts.apps_head() + "\n"
    # Room for the note on the apps left out, whose number is known only at the end.
    room = _INVENTORY_ROOM - size(text) - size(head) - 200
    rows: list[str] = []
    for app in inventory.apps:
        app = replace(app, display_name=_short(app.display_name), client_id=_short(app.client_id),
                      scopes=tuple(replace(use, scope=_short(use.scope)) for use in app.scopes))
        row = parts.app_row(app) + "\n"
        if size(row) > room:
            break
        rows.append(row)
        room -= size(row)
    text += head + "".join(rows) + "\n"
    left_out = len(inventory.apps) - len(rows)
    if left_out:
        text += parts.apps_left_out(left_out) + "\n\n"
    return text


# The least-privilege section's share of the comment at most (scan-code); the findings need the rest.
_SCAN_ROOM = LIMIT // 4


def _scan_section(code_scan: Any, t: Any) -> str:
    """What ``wsaudit scan-code`` found beyond its findings, from ``report.scan.md.j2`` in
    ``t``'s language; cut at a line break to :data:`_SCAN_ROOM` when a large code base makes
    it longer."""
    from auditor.reporters.templating import markdown_environment

    parts = markdown_environment().get_template("report.scan.md.j2").make_module({"t": t})
    text = parts.section(code_scan).rstrip("\n") + "\n\n"
    if size(text) <= _SCAN_ROOM:
        return text
    note = t("scan.md_cut") + "\n\n"
    kept = ""
    for line in text.splitlines(keepends=True):
        if size(kept) + size(line) + size(note) > _SCAN_ROOM:
            break
        kept += line
    return kept.rstrip("\n") + "\n\n" + note
