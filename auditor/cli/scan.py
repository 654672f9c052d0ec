"""``wsaudit scan-code``: options in, library call, exit code out.

Only click is imported at module level; the command imports what it uses, so
``wsaudit --help`` stays cheap.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from auditor.cli.common import (language_option, output_style_options, exit_code_for, fail, pair_outputs, refuse_clashing_outputs,
                                write_reports)
from auditor.reporters import FORMATS as REPORT_FORMATS

# Source files larger than this are skipped (``scan-code --max-file-size``'s default).
CODE_FILE_LIMIT = 1024 * 1024


def _size(ctx: Any, param: Any, value: Any) -> int:
    from auditor.cli.common import ByteSize

    return ByteSize().convert(value, param, ctx)


@click.command("scan-code")
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--manifest", "manifest_path", required=True, metavar="FILE",
              help="The app manifest whose scopes the code is compared with.")
@click.option("--format", "formats", multiple=True, type=click.Choice(list(REPORT_FORMATS)),
              help="Report format (default text). Repeat it, each with its own -o, to write several reports in one run.")
@click.option("-o", "--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report there instead of stdout (pairs with --format, in order).")
@click.option("--max-file-size", default="1MiB", callback=_size, show_default=True, metavar="SIZE",
              help="Skip source files larger than this.")
@click.option("--fail-on", type=click.Choice(["critical", "high", "medium", "low", "info", "never"]),
              default="high", show_default=True,
              help="Exit 1 when a finding of this severity or above fails.")
@click.option("--strict", is_flag=True, help="Count incomplete findings (unresolved calls) as failures for --fail-on.")
@language_option("Language of the report's text (en, fr): the scan's rule titles, messages, remediation and "
                 "citations, the least-privilege section, notes and headings. JSON keys and the values the JSON "
                 "report holds as data (statuses, classifications, least_privilege, uses, skip reasons) stay "
                 "English.")
@output_style_options
def scan_code(paths: tuple[str, ...], manifest_path: str, formats: tuple[str, ...], outputs: tuple[str, ...],
              max_file_size: int, fail_on: str, strict: bool, lang: str) -> None:
    """Find the OAuth scopes and Google API calls in PATH's code and compare them with the manifest.

    Reads Python, JavaScript/TypeScript, Apps Script (.gs, appsscript.json), Java, Kotlin,
    Go, C#, JSON and YAML files below each PATH (and shell, Terraform, PHP and Ruby files for
    scope strings), honouring .gitignore and skipping vendored folders (node_modules,
    vendor, .venv, ...). A scope used in code but not declared fails (high), and so does an
    API call no declared scope authorizes; a declared scope broader than the calls it serves
    need fails at medium, naming the scopes that would suffice; a declared scope neither seen
    nor used by a call is info; a call-like chain that matches no API method is incomplete.
    Every format of `audit`; findings about code point into the source file (its path
    relative to the scanned PATH). The JSON report adds the least-privileged scope set of
    the calls (least_privilege); text, Markdown and HTML show it as a section.

    Exit codes: 0 nothing at or above --fail-on failed; 1 something did; 2 bad input
    (missing path, unreadable or invalid manifest).
    """
    from auditor.api import run_scan
    from auditor.model.errors import AuditorError

    targets = pair_outputs(formats, outputs)
    refuse_clashing_outputs([("-o/--output", output) for _, output in targets], [manifest_path, *paths])
    try:
        report = run_scan(paths, manifest_path, max_file_size=max_file_size, lang=lang)
    except AuditorError as error:
        fail(error)
    write_reports(report, targets, False, fail_on, strict)
    sys.exit(exit_code_for(report, fail_on, strict))
